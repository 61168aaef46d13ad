/**
 * An actor's page and a place's page: what the record is, and its events on a
 * map and in a list (the API's /v1/actors/{id}/events and
 * /v1/locations/{id}/events: a place's events include those inside it).
 */
import { useEffect, useState } from "preact/hooks";

import { api, doubtMarks, type Actor, type Location, type Schemas } from "./api.js";
import { useLabel } from "./kinds.js";
import { EventMap } from "./map.js";
import { EventList, useEvents, type Scope } from "./overview.js";
import { actorHref, eventHref, locationHref } from "./route.js";

function useRecord<T>(load: () => Promise<{ data?: T; error?: { detail?: string } }>, key: string): T | string | null {
  const [record, setRecord] = useState<T | string | null>(null);
  useEffect(() => {
    setRecord(null);
    load().then(({ data, error }) => setRecord(data ?? error?.detail ?? "Not found."));
  }, [key]);
  return record;
}

function Events({ scope, what }: { scope: Scope; what: string }) {
  const loaded = useEvents(scope, {}, `${scope.of}-${scope.of === "all" ? "" : scope.id}`);
  if (loaded === null) {
    return <p role="status">Loading the events…</p>;
  }
  const events = loaded.features.map((feature) => feature.properties);
  return (
    <>
      {loaded.error ? <p class="error" role="alert">{loaded.error}</p> : null}
      <div class="map-and-list">
        <EventMap features={loaded.features} label={`Map of the events ${what}`} height={320} />
        <EventList events={events} heading={`${events.length} ${events.length === 1 ? "event" : "events"} ${what}`} />
      </div>
    </>
  );
}

type ListedStatement = Schemas["SparseStatement"];

/** What an actor said, newest first, each with the events it is about. */
function Said({ actorId }: { actorId: string }) {
  const label = useLabel();
  const [statements, setStatements] = useState<ListedStatement[] | null>(null);
  useEffect(() => {
    api()
      .GET("/v1/statements", { params: { query: { speaker_id: [actorId], sort: "-stated_on", page_size: 100 } } })
      .then(({ data }) => setStatements(data ?? []));
  }, [actorId]);
  if (statements === null || statements.length === 0) {
    return null;
  }
  return (
    <section aria-labelledby="said-heading">
      <h2 id="said-heading">What it said</h2>
      <ul class="said">
        {statements.map((statement) => (
          <li key={statement.id} class="statement">
            <p class="statement-head">
              {label("statement_types", statement.statement_type)}
              {statement.stated_on ? ` · ${statement.stated_on}` : ""}
              {doubtMarks(statement).map((mark) => (
                <span class="doubt" key={mark}>
                  {mark}
                </span>
              ))}
            </p>
            <p class="statement-text">{statement.text}</p>
            {(statement.events ?? []).map((link) => (
              <p class="stance-note" key={link.event_id}>
                {label("stances", link.stance)}: <a href={eventHref(link.event_id)}>{link.event.title}</a>
              </p>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ActorPage({ id }: { id: string }) {
  const label = useLabel();
  const actor = useRecord<Actor>(() => api().GET("/v1/actors/{actor_id}", { params: { path: { actor_id: id } } }), id);
  useEffect(() => {
    if (typeof actor === "object" && actor !== null) document.title = `${actor.name} · eventdata explorer`;
  }, [actor]);
  if (actor === null) return <p role="status">Loading…</p>;
  if (typeof actor === "string") return <p class="error" role="alert">{actor}</p>;
  return (
    <article class="record-page">
      <p class="back">
        <a href="/explore">← All events</a>
      </p>
      <h1>{actor.name}</h1>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>{label("actor_kinds", actor.kind)}</dd>
        {actor.country ? (
          <>
            <dt>Country</dt>
            <dd>{actor.country}</dd>
          </>
        ) : null}
        {actor.title ? (
          <>
            <dt>Office</dt>
            <dd>{actor.title}</dd>
          </>
        ) : null}
        {actor.parent_id ? (
          <>
            <dt>Part of</dt>
            <dd>
              <a href={actorHref(actor.parent_id)}>{actor.parent?.name ?? "its parent"}</a>
            </dd>
          </>
        ) : null}
        {actor.aliases.length > 0 ? (
          <>
            <dt>Also called</dt>
            <dd>{actor.aliases.join(", ")}</dd>
          </>
        ) : null}
      </dl>
      {actor.description ? <p>{actor.description}</p> : null}
      <Events scope={{ of: "actor", id }} what={`with ${actor.name}`} />
      <Said actorId={id} />
    </article>
  );
}

export function LocationPage({ id }: { id: string }) {
  const label = useLabel();
  const place = useRecord<Location>(() => api().GET("/v1/locations/{location_id}", { params: { path: { location_id: id } } }), id);
  useEffect(() => {
    if (typeof place === "object" && place !== null) document.title = `${place.name} · eventdata explorer`;
  }, [place]);
  if (place === null) return <p role="status">Loading…</p>;
  if (typeof place === "string") return <p class="error" role="alert">{place}</p>;
  return (
    <article class="record-page">
      <p class="back">
        <a href="/explore">← All events</a>
      </p>
      <h1>{place.name}</h1>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>{label("location_kinds", place.kind)}</dd>
        {place.country ? (
          <>
            <dt>Country</dt>
            <dd>{place.country}</dd>
          </>
        ) : null}
        {place.parent_id ? (
          <>
            <dt>In</dt>
            <dd>
              <a href={locationHref(place.parent_id)}>{place.parent?.name ?? "its parent"}</a>
            </dd>
          </>
        ) : null}
        {place.aliases.length > 0 ? (
          <>
            <dt>Also spelled</dt>
            <dd>{place.aliases.join(", ")}</dd>
          </>
        ) : null}
        {place.latitude !== null && place.longitude !== null ? (
          <>
            <dt>Coordinates</dt>
            <dd>
              {place.latitude}, {place.longitude}
              {place.geo_precision ? ` (${label("geo_precisions", place.geo_precision)})` : ""}
            </dd>
          </>
        ) : null}
      </dl>
      <Events scope={{ of: "location", id }} what={`at ${place.name} or inside it`} />
    </article>
  );
}
