/**
 * One search box over places, actors and events, with suggestions as one
 * types (the API's /v1/search: names, aliases and typos, so "Terter" offers
 * Tartar). A combobox after the WAI-ARIA pattern: arrows move, Enter opens,
 * Escape closes.
 */
import { useEffect, useRef, useState } from "preact/hooks";

import { api, type Schemas } from "./api.js";
import { TypeSymbol, useLabel } from "./kinds.js";
import { actorHref, eventHref, isEventType, locationHref, navigate } from "./route.js";

interface Suggestion {
  key: string;
  group: "Places" | "Actors" | "Events";
  href: string;
  name: string;
  detail: string;
  matched: string[];
  eventType?: Schemas["Event"]["event_type"];
}

function suggestionsOf(found: Schemas["Search"], label: ReturnType<typeof useLabel>): Suggestion[] {
  const places: Suggestion[] = found.locations.map((place) => ({
    key: `location-${place.id}`,
    group: "Places",
    href: locationHref(place.id),
    name: place.name,
    detail: [label("location_kinds", place.kind), place.country].filter(Boolean).join(", "),
    matched: place.matched,
  }));
  const actors: Suggestion[] = found.actors.map((actor) => ({
    key: `actor-${actor.id}`,
    group: "Actors",
    href: actorHref(actor.id),
    name: actor.name,
    detail: [label("actor_kinds", actor.kind), actor.country].filter(Boolean).join(", "),
    matched: actor.matched,
  }));
  const events: Suggestion[] = found.events.map((event) => {
    const suggestion: Suggestion = {
      key: `event-${event.id}`,
      group: "Events",
      href: eventHref(event.id),
      name: event.title,
      detail: `${event.start_date}, ${label("event_types", event.event_type)}`,
      matched: event.matched,
    };
    if (isEventType(event.event_type)) {
      suggestion.eventType = event.event_type;
    }
    return suggestion;
  });
  return [...places, ...actors, ...events];
}

export function Search() {
  const label = useLabel();
  const [q, setQ] = useState("");
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [status, setStatus] = useState("");
  const asked = useRef(0);

  useEffect(() => {
    const words = q.trim();
    if (words === "") {
      setSuggestions([]);
      setStatus("");
      return undefined;
    }
    const ask = ++asked.current;
    const timer = window.setTimeout(async () => {
      const { data, error } = await api().GET("/v1/search", { params: { query: { q: words, limit: 5 } } });
      if (ask !== asked.current) {
        return;
      }
      if (error) {
        setSuggestions([]);
        setStatus(error.detail ?? "The search failed.");
        return;
      }
      const found = suggestionsOf(data, label);
      setSuggestions(found);
      setActive(-1);
      setOpen(true);
      setStatus(found.length === 0 ? `Nothing found for ${words}.` : `${found.length} suggestions.`);
    }, 150);
    return () => window.clearTimeout(timer);
    // The labels change when the vocabularies arrive; the suggestions need not follow.
  }, [q]);

  const pick = (suggestion: Suggestion | undefined) => {
    if (suggestion === undefined) {
      return;
    }
    setOpen(false);
    setQ("");
    navigate(suggestion.href);
  };

  const onKeyDown = (key: KeyboardEvent) => {
    if (key.key === "ArrowDown") {
      key.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, suggestions.length - 1));
    } else if (key.key === "ArrowUp") {
      key.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (key.key === "Enter") {
      if (open && suggestions.length > 0) {
        key.preventDefault();
        pick(suggestions[Math.max(active, 0)]);
      }
    } else if (key.key === "Escape") {
      setOpen(false);
      setActive(-1);
    }
  };

  const shown = open && suggestions.length > 0;
  const groups = (["Places", "Actors", "Events"] as const).map((group) => ({
    group,
    items: suggestions.map((suggestion, index) => ({ suggestion, index })).filter(({ suggestion }) => suggestion.group === group),
  }));

  return (
    <div class="search" role="search">
      <label for="search-input">Search places, actors and events</label>
      <input
        id="search-input"
        type="text"
        role="combobox"
        autocomplete="off"
        spellcheck={false}
        placeholder="Tartar, Armenia, F-16…"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls="search-suggestions"
        aria-activedescendant={shown && active >= 0 ? `suggestion-${active}` : undefined}
        value={q}
        onInput={(input) => setQ(input.currentTarget.value)}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
      />
      <div id="search-suggestions" role="listbox" aria-label="Suggestions" class="suggestions" hidden={!shown}>
        {groups
          .filter(({ items }) => items.length > 0)
          .map(({ group, items }) => (
            <div role="group" aria-labelledby={`group-${group}`} key={group}>
              <div class="suggestion-group" id={`group-${group}`} role="presentation">
                {group}
              </div>
              {items.map(({ suggestion, index }) => (
                <div
                  id={`suggestion-${index}`}
                  key={suggestion.key}
                  role="option"
                  aria-selected={index === active}
                  class={index === active ? "suggestion active" : "suggestion"}
                  onMouseDown={(press) => press.preventDefault()}
                  onClick={() => pick(suggestion)}
                >
                  <span class="suggestion-name">
                    {suggestion.group === "Events" ? <TypeSymbol type={suggestion.eventType} /> : null}
                    {suggestion.name}
                  </span>
                  <span class="suggestion-detail">
                    {suggestion.detail}
                    {suggestion.matched.some((word) => word !== suggestion.name)
                      ? ` · matched ${suggestion.matched.filter((word) => word !== suggestion.name).join(", ")}`
                      : ""}
                  </span>
                </div>
              ))}
            </div>
          ))}
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {status}
      </p>
    </div>
  );
}
