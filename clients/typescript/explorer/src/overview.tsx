/**
 * The overview: the event types shown, the timeline, and the map and list of
 * the events in the chosen dates. Every choice is kept in the URL.
 */
import { useEffect, useState } from "preact/hooks";

import { nextCursor, type operations } from "../../src/index.js";
import { doubtMarks, geoApi, reportedAsQuery, type EventFeature, type EventType, type ListedEvent } from "./api.js";
import { EventMap } from "./map.js";
import { TypeLabel, TypeSymbol, useLabel, useVocabularies } from "./kinds.js";
import { actorHref, eventHref, locationHref, navigate, viewHref, type View } from "./route.js";
import { ORDER, TimelineChart } from "./timeline.js";

// The map and the list take at most this many events; the count says when there are more.
const MAX_EVENTS = 2000;
const PAGE = 500;

interface Loaded {
  features: EventFeature[];
  total: number | null;
  error: string | null;
}

export type EventQuery = NonNullable<operations["listEvents"]["parameters"]["query"]>;

/** Whose events: all, an actor's, or a place's (with the places inside it). */
export type Scope = { of: "all" } | { of: "actor"; id: string } | { of: "location"; id: string };

function eventsPage(scope: Scope, query: EventQuery) {
  const client = geoApi();
  switch (scope.of) {
    case "actor":
      return client.GET("/v1/actors/{actor_id}/events", { params: { path: { actor_id: scope.id }, query } });
    case "location":
      return client.GET("/v1/locations/{location_id}/events", { params: { path: { location_id: scope.id }, query } });
    default:
      return client.GET("/v1/events", { params: { query } });
  }
}

/** Every event of a query, as GeoJSON features (with or without a point), page after page. */
export function useEvents(scope: Scope, query: EventQuery, key: string): Loaded | null {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  useEffect(() => {
    let cancelled = false;
    setLoaded(null);
    (async () => {
      const features: EventFeature[] = [];
      let cursor: string | null = "";
      let total: number | null = null;
      while (cursor !== null && features.length < MAX_EVENTS) {
        const { data, error, response } = await eventsPage(scope, { ...query, page_size: PAGE, cursor, sort: "-start_date" });
        if (error) {
          if (!cancelled) setLoaded({ features, total, error: error.detail ?? "The events did not load." });
          return;
        }
        features.push(...data.features);
        cursor = nextCursor(response);
        total = cursor === null ? features.length : null;
      }
      if (!cancelled) setLoaded({ features, total, error: null });
    })();
    return () => {
      cancelled = true;
    };
  }, [key]);
  return loaded;
}

export function EventList({ events, heading, limit = 100 }: { events: ListedEvent[]; heading: string; limit?: number }) {
  const label = useLabel();
  const [shown, setShown] = useState(limit);
  return (
    <section class="event-list" aria-labelledby="event-list-heading">
      <h2 id="event-list-heading">{heading}</h2>
      {events.length === 0 ? <p>No events.</p> : null}
      <ol>
        {events.slice(0, shown).map((event) => (
          <li key={event.id} class="event-card">
            <p class="event-meta">
              <time dateTime={event.start_date}>{event.start_date}</time>
              {event.end_date !== undefined && event.end_date !== event.start_date ? `–${event.end_date}` : ""}
              {" · "}
              <TypeLabel type={event.event_type} />
              {" · "}
              <span class={`certainty certainty-${event.certainty ?? ""}`}>{label("certainties", event.certainty)}</span>
              {doubtMarks(event).map((mark) => (
                <span key={mark} class="doubt">
                  {mark}
                </span>
              ))}
            </p>
            <h3>
              <a href={eventHref(event.id)}>{event.title}</a>
            </h3>
            <p class="event-where">
              {event.location ? <a href={locationHref(event.location.id)}>{event.location.name}</a> : "No place given"}
              {(event.participants ?? []).length > 0 ? " · " : ""}
              {(event.participants ?? []).map((participant, index) => (
                <span key={`${participant.actor_id}-${participant.role}`}>
                  {index > 0 ? ", " : ""}
                  <a href={actorHref(participant.actor_id)}>{participant.actor.name}</a>
                  <span class="role"> ({label("participant_roles", participant.role)})</span>
                </span>
              ))}
            </p>
          </li>
        ))}
      </ol>
      {events.length > shown ? (
        <button type="button" onClick={() => setShown(shown + limit)}>
          Show {Math.min(limit, events.length - shown)} more
        </button>
      ) : null}
    </section>
  );
}

function TypeFilter({ view }: { view: View }) {
  const vocabularies = useVocabularies();
  const types: EventType[] = ORDER.filter((type) => vocabularies?.event_types.some((term) => term.code === type) ?? true);
  const toggle = (type: EventType, on: boolean) => {
    const chosen = on ? [...view.types, type] : view.types.filter((one) => one !== type);
    navigate(viewHref({ ...view, types: ORDER.filter((one) => chosen.includes(one)) }));
  };
  return (
    <details class="type-filter" open={view.types.length > 0}>
      <summary>
        Event types: {view.types.length === 0 ? "all" : `${view.types.length} chosen`}
      </summary>
      <fieldset>
        <legend class="visually-hidden">Show only these event types</legend>
        <ul>
          {types.map((type) => (
            <li key={type}>
              <label>
                <input type="checkbox" checked={view.types.includes(type)} onChange={(change) => toggle(type, change.currentTarget.checked)} />
                <TypeSymbol type={type} />
                {vocabularies?.event_types.find((term) => term.code === type)?.label ?? type}
              </label>
            </li>
          ))}
        </ul>
        {view.types.length > 0 ? (
          <button type="button" onClick={() => navigate(viewHref({ ...view, types: [] }))}>
            Show every type
          </button>
        ) : null}
      </fieldset>
    </details>
  );
}

/** Events the sources tell only as background (an earlier war) or as a photo's scene: left out unless asked. */
function BackgroundToggle({ view }: { view: View }) {
  return (
    <p class="background-toggle">
      <label>
        <input
          type="checkbox"
          checked={view.background}
          aria-describedby="background-hint"
          onChange={(change) => navigate(viewHref({ ...view, background: change.currentTarget.checked }))}
        />
        Show background and scenes
      </label>
      <span id="background-hint" class="hint">
        {" "}
        Events that the sources give only for background (an earlier war, say) or that a photo shows; the map, the list
        and the timeline leave them out unless this is ticked.
      </span>
    </p>
  );
}

export function Overview({ view }: { view: View }) {
  const query: EventQuery = {
    ...(view.from === null ? {} : { date_from: view.from }),
    ...(view.to === null ? {} : { date_to: view.to }),
    ...(view.types.length === 0 ? {} : { event_type: view.types }),
    ...reportedAsQuery(view.background),
  };
  const loaded = useEvents({ of: "all" }, query, viewHref({ ...view, interval: "day" }));
  const events = (loaded?.features ?? []).map((feature) => feature.properties);
  const dates =
    view.from === null && view.to === null ? "all dates" : `${view.from ?? "the start"} to ${view.to ?? "the end"}`;
  const count = loaded === null ? "Loading events" : `${events.length}${loaded.total === null ? "+" : ""} events`;

  useEffect(() => {
    document.title = `Events, ${dates} · eventdata explorer`;
  }, [dates]);

  return (
    <div class="overview">
      <h1 class="visually-hidden">Events</h1>
      <TypeFilter view={view} />
      <BackgroundToggle view={view} />
      <TimelineChart
        view={view}
        onSelect={(from, to) => navigate(viewHref({ ...view, from, to }))}
        onInterval={(interval) => navigate(viewHref({ ...view, interval }), { replace: true })}
      />
      <p class="summary" role="status">
        {count}, {dates}
        {view.types.length > 0 ? `, of ${view.types.length} ${view.types.length === 1 ? "type" : "types"}` : ""}
        {view.background ? ", with background and scenes" : ""}.
      </p>
      {loaded?.error ? <p class="error" role="alert">{loaded.error}</p> : null}
      <div class="map-and-list">
        <EventMap features={loaded?.features ?? []} label={`Map of ${count.toLowerCase()}, ${dates}`} />
        <EventList events={events} heading="Events, newest first" />
      </div>
    </div>
  );
}
