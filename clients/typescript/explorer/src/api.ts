/**
 * The explorer's way to the API: the typed client on this page's own origin,
 * the token for edits (kept for this browser tab only), and readers for the
 * fields that newer servers add (reports, source counts, marks of doubt), so
 * that the page shows them where they are present and works where they are not.
 */
import { createClient, createGeoJSONClient, type components, type Problem } from "../../src/index.js";

export type Schemas = components["schemas"];
export type Event = Schemas["Event"];
export type ListedEvent = Schemas["SparseEvent"];
export type Statement = Schemas["Statement"];
export type Source = Schemas["Source"];
export type Actor = Schemas["Actor"];
export type Location = Schemas["Location"];
export type Vocabularies = Schemas["Vocabularies"];
export type Timeline = Schemas["Timeline"];
export type EventType = Event["event_type"];
export type EventFeature = Schemas["EventFeature"];
export type { Problem };

const baseUrl = window.location.origin;
const TOKEN_KEY = "eventdata.token";

export function storedToken(): string | null {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null || token.trim() === "") {
    window.sessionStorage.removeItem(TOKEN_KEY);
  } else {
    window.sessionStorage.setItem(TOKEN_KEY, token.trim());
  }
}

/** The JSON client, with the stored token when there is one. */
export function api() {
  return createClient({ baseUrl, token: storedToken() ?? undefined });
}

/** The GeoJSON client, for the map. */
export function geoApi() {
  return createGeoJSONClient({ baseUrl });
}

/** One line that says what went wrong, from a problem's details. */
export function problemText(problem: Problem): string {
  return problem.detail ?? problem.title ?? `Error ${problem.status}`;
}

/** A field of `record` the generated types may not know yet (a newer server's). */
export function extra(record: object, name: string): unknown {
  return name in record ? Reflect.get(record, name) : undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** A count, with the most likely value when a source gives one. */
export interface Figure {
  low: number | null;
  best: number | null;
  high: number | null;
}

export function figure(value: unknown): Figure | null {
  if (!isObject(value)) {
    return null;
  }
  return {
    low: numberOrNull(extra(value, "low")),
    best: numberOrNull(extra(value, "best")),
    high: numberOrNull(extra(value, "high")),
  };
}

/** Words quoted from a source, where they are in its body. */
export interface Quote {
  sourceId: string;
  quote: string;
  start: number;
  end: number;
}

function quotesOf(value: unknown, sourceId: string | null): Quote[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const quotes: Quote[] = [];
  for (const item of value) {
    if (!isObject(item)) {
      continue;
    }
    const source = text(extra(item, "source_id")) ?? sourceId;
    const quote = text(extra(item, "quote"));
    const start = numberOrNull(extra(item, "start"));
    const end = numberOrNull(extra(item, "end"));
    if (source !== null && quote !== null && start !== null && end !== null) {
      quotes.push({ sourceId: source, quote, start, end });
    }
  }
  return quotes;
}

/** What one source says of an event: its figures and its words (events with reports). */
export interface Report {
  sourceId: string;
  sourceTitle: string | null;
  fatalities: Figure | null;
  fatalitiesCivilians: Figure | null;
  injuries: Figure | null;
  injuriesCivilians: Figure | null;
  certainty: string | null;
  quotes: Quote[];
}

export function reportsOf(event: object): Report[] {
  const reports = extra(event, "reports");
  if (!Array.isArray(reports)) {
    return [];
  }
  const found: Report[] = [];
  for (const report of reports) {
    if (!isObject(report)) {
      continue;
    }
    const sourceId = text(extra(report, "source_id"));
    if (sourceId === null) {
      continue;
    }
    const source = extra(report, "source");
    found.push({
      sourceId,
      sourceTitle: isObject(source) ? text(extra(source, "title")) : null,
      fatalities: figure(extra(report, "fatalities")),
      fatalitiesCivilians: civilians(extra(report, "fatalities")),
      injuries: figure(extra(report, "injuries")),
      injuriesCivilians: civilians(extra(report, "injuries")),
      certainty: text(extra(report, "certainty")),
      quotes: [
        ...quotesOf(extra(report, "quotes"), sourceId),
        ...quotesOf(extra(report, "citations"), sourceId),
      ],
    });
  }
  return found;
}

/** Every quote an event or statement carries: its citations, and its reports' quotes. */
export function quotesOfRecord(record: object): Quote[] {
  const quotes = [...quotesOf(extra(record, "citations"), null), ...reportsOf(record).flatMap((report) => report.quotes)];
  // Where a server sends both, citations are its reports' quotes again: each is kept once.
  const seen = new Set<string>();
  return quotes.filter((quote) => {
    const key = `${quote.sourceId}:${quote.start}:${quote.end}`;
    const first = !seen.has(key);
    seen.add(key);
    return first;
  });
}

/** How many sources report an event, where the server says. */
export function sourceCount(event: object): number | null {
  return numberOrNull(extra(event, "source_count"));
}

/**
 * Marks of doubt a newer server puts on records: an event the source tells
 * only as background or as a photo's scene (`reported_as`), a statement whose
 * attribution is doubtful (`attribution`, with `attribution_note`). Each is a
 * short label to show beside the record.
 */
export function doubtMarks(record: object): string[] {
  const marks: string[] = [];
  const reportedAs = text(extra(record, "reported_as"));
  if (reportedAs === "background" || reportedAs === "scene") {
    marks.push(reportedAs === "background" ? "background, not news of the day" : "a photo's scene");
  }
  if (extra(record, "attribution") === "doubtful") {
    marks.push("attribution doubtful");
  }
  return marks;
}

/**
 * What of the events the sources tell only as background or as a photo's scene
 * a query takes: with `shown`, every event (`include` for maps and statistics,
 * which leave them out by default); without, ordinary events only, in lists
 * too (`reported_as=event`).
 */
export function reportedAsQuery(shown: boolean): { reported_as?: "event"[]; include?: ("background" | "scene")[] } {
  return shown ? { include: ["background", "scene"] } : { reported_as: ["event"] };
}

/** Why a statement's attribution is doubtful, where the server says. */
export function attributionNote(record: object): string | null {
  return text(extra(record, "attribution_note"));
}

/** How many of a figure were civilians, where the server says. */
export function civilians(value: unknown): Figure | null {
  return isObject(value) ? figure(extra(value, "civilians")) : null;
}
