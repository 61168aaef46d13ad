/**
 * One event: what happened, where and to whom; what each source says of it
 * (where events have reports); the statements that claim and deny it, side by
 * side; and each source's text with the quoted words highlighted at the
 * offsets the API gives. A token holder can edit it here.
 */
import { useEffect, useState } from "preact/hooks";

import {
  api,
  attributionNote,
  civilians,
  doubtMarks,
  figure,
  quotesOfRecord,
  reportsOf,
  sourceCount,
  type Event,
  type Figure,
  type Quote,
  type Schemas,
  type Source,
  storedToken,
} from "./api.js";
import { EditEvent } from "./edit.js";
import { TypeLabel, useLabel, useVocabularies } from "./kinds.js";
import { actorHref, locationHref } from "./route.js";
import { SourceText, type Highlight } from "./source-text.js";

type ListedStatement = Schemas["SparseStatement"];

function rangeText(value: Figure): string {
  const range = value.high === null ? `${value.low ?? 0} or more` : value.low === value.high ? `${value.low ?? 0}` : `${value.low ?? 0}–${value.high}`;
  const exact = value.low !== null && value.low === value.high && value.best === value.low;
  return value.best === null || exact ? range : `${range} (best estimate ${value.best})`;
}

/** A count for people: a range, its best estimate and its civilians where given. */
export function figureText(value: Figure | null, ofCivilians: Figure | null = null): string {
  if (value === null || value.low === null) {
    return "not given";
  }
  const civilian = ofCivilians === null || ofCivilians.low === null ? "" : `, of whom civilians ${rangeText(ofCivilians)}`;
  return rangeText(value) + civilian;
}

function quoteId(quote: Quote): string {
  return `quote-${quote.sourceId}-${quote.start}-${quote.end}`;
}

function QuoteLinks({ quotes }: { quotes: Quote[] }) {
  if (quotes.length === 0) {
    return null;
  }
  return (
    <p class="quote-links">
      {quotes.map((quote) => (
        <a key={quoteId(quote)} href={`#${quoteId(quote)}`} class="quote-link">
          “{quote.quote}”
        </a>
      ))}
    </p>
  );
}

function StatementCard({ statement, stance }: { statement: ListedStatement; stance?: string }) {
  const label = useLabel();
  const marks = doubtMarks(statement);
  return (
    <li class="statement">
      {stance !== undefined ? <p class="stance-note">{stance}:</p> : null}
      <p class="statement-head">
        {statement.speaker ? <a href={actorHref(statement.speaker.id)}>{statement.speaker.name}</a> : "Someone"}
        {" · "}
        {label("statement_types", statement.statement_type)}
        {statement.stated_on ? (
          <>
            {" · "}
            <time dateTime={statement.stated_on}>{statement.stated_on}</time>
          </>
        ) : null}
        {marks.map((mark) => (
          <span class="doubt" key={mark}>
            {mark}
          </span>
        ))}
      </p>
      <p class="statement-text">{statement.is_direct_quote ? `“${statement.text ?? ""}”` : statement.text}</p>
      {attributionNote(statement) !== null ? <p class="doubt-note">Why in doubt: {attributionNote(statement)}</p> : null}
      <QuoteLinks quotes={quotesOfRecord(statement)} />
    </li>
  );
}

function stanceOf(statement: ListedStatement, eventId: string): string | null {
  return statement.events?.find((link) => link.event_id === eventId)?.stance ?? null;
}

function Stances({ statements, eventId }: { statements: ListedStatement[]; eventId: string }) {
  const label = useLabel();
  const asserting = statements.filter((statement) => stanceOf(statement, eventId) === "asserts");
  const denying = statements.filter((statement) => stanceOf(statement, eventId) === "denies");
  const others = statements.filter((statement) => !["asserts", "denies"].includes(stanceOf(statement, eventId) ?? ""));
  return (
    <section aria-labelledby="stances-heading">
      <h2 id="stances-heading">Claims and denials</h2>
      {statements.length === 0 ? <p>No statement is about this event.</p> : null}
      {asserting.length > 0 || denying.length > 0 ? (
        <div class="stances">
          <section class="stance stance-asserts" aria-labelledby="asserts-heading">
            <h3 id="asserts-heading">
              <span aria-hidden="true">✓ </span>Claimed by
            </h3>
            {asserting.length === 0 ? <p>No one.</p> : null}
            <ul>
              {asserting.map((statement) => (
                <StatementCard statement={statement} key={statement.id} />
              ))}
            </ul>
          </section>
          <section class="stance stance-denies" aria-labelledby="denies-heading">
            <h3 id="denies-heading">
              <span aria-hidden="true">✗ </span>Denied by
            </h3>
            {denying.length === 0 ? <p>No one.</p> : null}
            <ul>
              {denying.map((statement) => (
                <StatementCard statement={statement} key={statement.id} />
              ))}
            </ul>
          </section>
        </div>
      ) : null}
      {others.length > 0 ? (
        <section aria-labelledby="others-heading">
          <h3 id="others-heading">Also about this event</h3>
          <ul>
            {others.map((statement) => (
              <StatementCard statement={statement} key={statement.id} stance={label("stances", stanceOf(statement, eventId))} />
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}

function Reports({ event }: { event: Event }) {
  const label = useLabel();
  const reports = reportsOf(event);
  if (reports.length === 0) {
    return null;
  }
  return (
    <section aria-labelledby="reports-heading">
      <h2 id="reports-heading">What each source says</h2>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Killed</th>
              <th scope="col">Injured</th>
              <th scope="col">Certainty</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((report, index) => (
              <tr key={`${report.sourceId}-${index}`}>
                <th scope="row">
                  <a href={`#source-${report.sourceId}`}>{report.sourceTitle ?? "Source"}</a>
                </th>
                <td>{figureText(report.fatalities, report.fatalitiesCivilians)}</td>
                <td>{figureText(report.injuries, report.injuriesCivilians)}</td>
                <td>{report.certainty === null ? "not given" : label("certainties", report.certainty)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

interface Loaded {
  event: Event;
  etag: string | null;
  statements: ListedStatement[];
  sources: Source[];
}

async function load(id: string): Promise<Loaded | string> {
  const client = api();
  const [found, about] = await Promise.all([
    client.GET("/v1/events/{event_id}", { params: { path: { event_id: id } } }),
    client.GET("/v1/statements", { params: { query: { event_id: [id], page_size: 100 } } }),
  ]);
  if (found.error) {
    return found.error.detail ?? "The event did not load.";
  }
  const statements: ListedStatement[] = about.data ?? [];
  const sourceIds = [
    ...new Set([...quotesOfRecord(found.data), ...statements.flatMap((statement) => quotesOfRecord(statement))].map((quote) => quote.sourceId)),
  ];
  const sources = await Promise.all(
    sourceIds.map((sourceId) => client.GET("/v1/sources/{source_id}", { params: { path: { source_id: sourceId } } })),
  );
  return {
    event: found.data,
    etag: found.response.headers.get("ETag"),
    statements,
    sources: sources.flatMap((source) => (source.data ? [source.data] : [])),
  };
}

export function EventPage({ id }: { id: string }) {
  const label = useLabel();
  const vocabularies = useVocabularies();
  const modeLabel = (type: string, mode: string): string =>
    vocabularies?.event_types.find((term) => term.code === type)?.modes.find((term) => term.code === mode)?.label ?? mode;
  const [loaded, setLoaded] = useState<Loaded | string | null>(null);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const reload = () => load(id).then(setLoaded);

  useEffect(() => {
    setLoaded(null);
    setEditing(false);
    setSaved(null);
    reload();
  }, [id]);

  useEffect(() => {
    if (typeof loaded === "object" && loaded !== null) {
      document.title = `${loaded.event.title} · eventdata explorer`;
    }
  }, [loaded]);

  if (loaded === null) {
    return <p role="status">Loading the event…</p>;
  }
  if (typeof loaded === "string") {
    return (
      <p class="error" role="alert">
        {loaded} <a href="/explore">Back to all events</a>
      </p>
    );
  }
  const { event, statements, sources } = loaded;
  const count = sourceCount(event);
  const marks = doubtMarks(event);
  const highlights: Highlight[] = [
    ...quotesOfRecord(event).map((quote) => ({ ...quote, id: quoteId(quote), by: "this event" })),
    ...statements.flatMap((statement) =>
      quotesOfRecord(statement).map((quote) => ({
        ...quote,
        id: quoteId(quote),
        by: `${statement.speaker?.name ?? "a"}'s ${label("statement_types", statement.statement_type).toLowerCase()}`,
      })),
    ),
  ];

  return (
    <article class="event-page">
      <p class="back">
        <a href="/explore">← All events</a>
      </p>
      <h1>{event.title}</h1>
      {marks.length > 0 ? (
        <p>
          {marks.map((mark) => (
            <span class="doubt" key={mark}>
              {mark}
            </span>
          ))}
        </p>
      ) : null}
      <dl class="facts">
        <dt>Type</dt>
        <dd>
          <TypeLabel type={event.event_type} />
          {event.mode ? `, ${modeLabel(event.event_type, event.mode).toLowerCase()}` : ""}
        </dd>
        <dt>When</dt>
        <dd>
          {event.start_date}
          {event.end_date !== event.start_date ? ` to ${event.end_date}` : ""}
          {event.date_precision !== "day" ? ` (to the ${event.date_precision})` : ""}
        </dd>
        <dt>Where</dt>
        <dd>{event.location ? <a href={locationHref(event.location.id)}>{event.location.name}</a> : "No place given"}</dd>
        <dt>Certainty</dt>
        <dd class={`certainty certainty-${event.certainty}`}>{label("certainties", event.certainty)}</dd>
        <dt>Killed</dt>
        <dd>{figureText(figure(event.fatalities), civilians(event.fatalities))}</dd>
        <dt>Injured</dt>
        <dd>{figureText(figure(event.injuries), civilians(event.injuries))}</dd>
        {count !== null ? (
          <>
            <dt>Sources</dt>
            <dd>{count}</dd>
          </>
        ) : null}
      </dl>
      {event.summary ? <p class="event-summary">{event.summary}</p> : null}
      <QuoteLinks quotes={quotesOfRecord(event)} />

      {saved !== null ? (
        <p class="saved" role="status">
          {saved}
        </p>
      ) : null}
      {storedToken() === null ? (
        <p class="hint">To edit this event, give a token under “Token for edits” at the top of the page.</p>
      ) : editing ? (
        <EditEvent
          event={event}
          etag={loaded.etag}
          onSaved={(updated, etag) => {
            setLoaded({ ...loaded, event: updated, etag });
            setEditing(false);
            setSaved("Saved.");
          }}
          onCancel={() => setEditing(false)}
          onReload={async () => {
            await reload();
          }}
        />
      ) : (
        <button type="button" class="edit-button" onClick={() => setEditing(true)}>
          Edit this event
        </button>
      )}

      <section aria-labelledby="participants-heading">
        <h2 id="participants-heading">Participants</h2>
        {event.participants.length === 0 ? <p>None named.</p> : null}
        <ul class="participants">
          {event.participants.map((participant) => (
            <li key={`${participant.actor_id}-${participant.role}`}>
              <a href={actorHref(participant.actor_id)}>{participant.actor.name}</a>
              <span class="role-badge">{label("participant_roles", participant.role)}</span>
            </li>
          ))}
        </ul>
      </section>

      <Reports event={event} />
      <Stances statements={statements} eventId={event.id} />

      <section aria-labelledby="sources-heading">
        <h2 id="sources-heading">Sources, with the quoted words highlighted</h2>
        {sources.map((source) => (
          <SourceText key={source.id} source={source} highlights={highlights.filter((quote) => quote.sourceId === source.id)} />
        ))}
      </section>

      {event.notes ? (
        <section aria-labelledby="notes-heading">
          <h2 id="notes-heading">Coder’s notes</h2>
          <p class="notes">{event.notes}</p>
        </section>
      ) : null}
    </article>
  );
}
