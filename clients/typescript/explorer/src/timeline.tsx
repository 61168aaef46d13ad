/**
 * The timeline: events per day or week, stacked by type (the API's
 * /v1/stats/timeline). Dragging across it selects a range of dates, which
 * filters the map and the list; the From and To fields do the same from the
 * keyboard. The counts are also there as a table.
 */
import { useEffect, useRef, useState } from "preact/hooks";

import { api, reportedAsQuery, type EventType, type Timeline } from "./api.js";
import { TypeSymbol, lookOf, useLabel } from "./kinds.js";
import type { Interval, View } from "./route.js";

const DAY = 86_400_000;
// The window shown when no range is asked for: the last weeks with events.
const DEFAULT_DAYS = 42;
const MAX_BARS = 400;

export const ORDER: readonly EventType[] = [
  "ASSAULT", "COERCE", "MOBILIZE", "SANCTION", "PROTEST", "THREATEN", "REJECT", "ACCUSE",
  "REQUEST", "RETREAT", "AID", "COOPERATE", "CONCEDE", "SUPPORT", "CONSULT", "AGREE",
];

function toDate(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

type Bucketing = Interval | "month" | "year";

/** The last day of the period that starts on `period`. */
function periodEnd(period: string, bucketing: Bucketing): string {
  const start = new Date(toDate(period));
  switch (bucketing) {
    case "day":
      return period;
    case "week":
      return dayOf(start.getTime() + 6 * DAY);
    case "month":
      return dayOf(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0));
    case "year":
      return `${start.getUTCFullYear()}-12-31`;
  }
}

/** The interval asked for, or a coarser one when that would draw too many bars. */
function bucketingFor(interval: Interval, from: string, to: string): Bucketing {
  const days = (toDate(to) - toDate(from)) / DAY + 1;
  if (interval === "day" && days <= MAX_BARS) return "day";
  if (days / 7 <= MAX_BARS) return "week";
  if (days / 30 <= MAX_BARS) return "month";
  return "year";
}

interface Window {
  from: string;
  to: string;
}

/** The dates the timeline spans: the selection, within the last weeks that have events. */
function windowFor(view: View, first: string, last: string): Window {
  let from = dayOf(Math.max(toDate(first), toDate(last) - (DEFAULT_DAYS - 1) * DAY));
  let to = last;
  if (view.from !== null && view.from < from) from = view.from;
  if (view.to !== null && view.to > to) to = view.to;
  if (view.from !== null && view.from > to) to = view.from;
  return { from, to };
}

interface Props {
  view: View;
  onSelect: (from: string | null, to: string | null) => void;
  onInterval: (interval: Interval) => void;
}

export function TimelineChart({ view, onSelect, onInterval }: Props) {
  const label = useLabel();
  const frame = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [extent, setExtent] = useState<{ first: string; last: string } | null>(null);
  const [data, setData] = useState<Timeline | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A range being chosen, with the pointer or with the keys (Shift and the arrows).
  const [dragging, setDragging] = useState<{ start: number; end: number; by: "pointer" | "keys" } | null>(null);
  // The bar the keys are on.
  const [cursor, setCursor] = useState<number | null>(null);
  // The types shown, and whether background and scenes are: what the timeline counts.
  const typesKey = `${view.types.join(",")}${view.background ? "+background" : ""}`;

  useEffect(() => {
    const observer = new ResizeObserver((entries) => {
      const measured = entries[0]?.contentRect.width;
      if (measured !== undefined && measured > 0) setWidth(Math.round(measured));
    });
    if (frame.current !== null) observer.observe(frame.current);
    return () => observer.disconnect();
  }, []);

  // The first and last days with events of the types shown (background's, an earlier war's, only when shown).
  useEffect(() => {
    const client = api();
    const types = { ...(view.types.length > 0 ? { event_type: view.types } : {}), ...reportedAsQuery(view.background) };
    Promise.all([
      client.GET("/v1/events", { params: { query: { ...types, sort: "start_date", page_size: 1, fields: ["start_date"] } } }),
      client.GET("/v1/events", { params: { query: { ...types, sort: "-start_date", page_size: 1, fields: ["start_date"] } } }),
    ]).then(([earliest, latest]) => {
      const first = earliest.data?.[0]?.start_date;
      const last = latest.data?.[0]?.start_date;
      setExtent(first === undefined || last === undefined ? null : { first, last });
      setError(earliest.error?.detail ?? latest.error?.detail ?? null);
    });
  }, [typesKey]);

  const window_ = extent === null ? null : windowFor(view, extent.first, extent.last);
  const bucketing = window_ === null ? view.interval : bucketingFor(view.interval, window_.from, window_.to);

  useEffect(() => {
    if (window_ === null) {
      setData(null);
      return;
    }
    const types = { ...(view.types.length > 0 ? { event_type: view.types } : {}), ...reportedAsQuery(view.background) };
    api()
      .GET("/v1/stats/timeline", {
        params: {
          query: { ...types, interval: bucketing, split: "event_type", date_from: window_.from, date_to: window_.to },
        },
      })
      .then(({ data: counted, error: failed }) => {
        setData(counted ?? null);
        setError(failed?.detail ?? null);
      });
  }, [window_?.from, window_?.to, bucketing, typesKey]);

  const buckets = data?.buckets ?? [];
  const height = 120;
  const axis = 20;
  const band = buckets.length > 0 ? width / buckets.length : width;
  const highest = Math.max(1, ...buckets.map((bucket) => bucket.count));
  const indexAt = (clientX: number): number => {
    const left = frame.current?.getBoundingClientRect().left ?? 0;
    return Math.min(buckets.length - 1, Math.max(0, Math.floor((clientX - left) / band)));
  };
  const isSelected = (period: string, index: number): boolean => {
    if (dragging !== null) {
      return index >= Math.min(dragging.start, dragging.end) && index <= Math.max(dragging.start, dragging.end);
    }
    if (view.from === null && view.to === null) return true;
    return (view.from === null || periodEnd(period, bucketing) >= view.from) && (view.to === null || period <= view.to);
  };
  const finish = () => {
    if (dragging === null) return;
    const first = buckets[Math.min(dragging.start, dragging.end)];
    const last = buckets[Math.max(dragging.start, dragging.end)];
    setDragging(null);
    if (first !== undefined && last !== undefined) onSelect(first.period, periodEnd(last.period, bucketing));
  };
  const onKeyDown = (key: KeyboardEvent) => {
    if (buckets.length === 0) return;
    const last = buckets.length - 1;
    const at = cursor ?? last;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, Home: -buckets.length, End: buckets.length };
    const move = moves[key.key];
    if (move !== undefined) {
      key.preventDefault();
      const next = cursor === null ? at : Math.min(last, Math.max(0, at + move));
      setCursor(next);
      if (key.shiftKey) {
        setDragging({ start: dragging?.by === "keys" ? dragging.start : at, end: next, by: "keys" });
      } else {
        setDragging(null);
      }
    } else if (key.key === "Enter" || key.key === " ") {
      key.preventDefault();
      if (dragging?.by === "keys") {
        finish();
      } else {
        const bucket = buckets[at];
        if (bucket !== undefined) onSelect(bucket.period, periodEnd(bucket.period, bucketing));
      }
    } else if (key.key === "Escape") {
      setDragging(null);
    }
  };
  const cursorBucket = cursor === null ? undefined : buckets[cursor];
  const cursorText =
    cursorBucket === undefined
      ? ""
      : `${bucketing === "day" ? "" : `${bucketing} from `}${cursorBucket.period}: ${cursorBucket.count} ${cursorBucket.count === 1 ? "event" : "events"}` +
        (cursorBucket.count > 0
          ? ` (${Object.entries(cursorBucket.by ?? {})
              .map(([type, count]) => `${label("event_types", type)} ${count}`)
              .join(", ")})`
          : "") +
        (dragging?.by === "keys" ? `; range of ${Math.abs(dragging.end - dragging.start) + 1} ${bucketing}s, Enter shows it` : "");
  const ticks = buckets.length === 0 ? [] : [...new Set([0, ...Array.from({ length: 5 }, (_, i) => Math.round(((i + 1) * (buckets.length - 1)) / 5))])];
  const typesShown = ORDER.filter((type) => buckets.some((bucket) => (bucket.by?.[type] ?? 0) > 0));

  return (
    <section class="timeline" aria-labelledby="timeline-heading">
      <div class="section-head">
        <h2 id="timeline-heading">Timeline</h2>
        <fieldset class="interval">
          <legend>Events per</legend>
          {(["day", "week"] as const).map((interval) => (
            <label key={interval}>
              <input type="radio" name="interval" value={interval} checked={view.interval === interval} onChange={() => onInterval(interval)} />
              {interval}
            </label>
          ))}
        </fieldset>
      </div>
      <p class="hint">
        Drag across the bars (or, on them, Shift with the arrow keys, then Enter) to choose dates; the map and the list show only those.
        {bucketing !== view.interval ? ` Shown per ${bucketing}: the span is too long for one bar per ${view.interval}.` : ""}
        {extent !== null && window_ !== null && extent.first < window_.from
          ? ` It shows the last weeks with events; the first event is of ${extent.first}: give earlier dates below to see them.`
          : ""}
      </p>
      <div
        ref={frame}
        class="timeline-frame"
        onPointerDown={(press) => {
          if (buckets.length === 0) return;
          press.currentTarget.setPointerCapture(press.pointerId);
          const index = indexAt(press.clientX);
          setDragging({ start: index, end: index, by: "pointer" });
        }}
        onPointerMove={(move) => {
          if (dragging?.by === "pointer") setDragging({ ...dragging, end: indexAt(move.clientX) });
        }}
        onPointerUp={finish}
        onPointerCancel={() => setDragging(null)}
        tabIndex={buckets.length > 0 ? 0 : -1}
        role="group"
        aria-label="Timeline bars: Left and Right move from bar to bar, Shift with them chooses a range, Enter shows it, Escape lets it go; All dates below shows every date again"
        aria-describedby="timeline-cursor"
        onKeyDown={onKeyDown}
        onBlur={() => setCursor(null)}
      >
        <svg width={width} height={height + axis} aria-hidden="true" data-buckets={buckets.length}>
          {buckets.map((bucket, index) => {
            let top = height;
            const selected = isSelected(bucket.period, index);
            return (
              <g key={bucket.period} class={selected ? "bucket selected" : "bucket"} data-period={bucket.period}>
                <rect class="bucket-band" x={index * band} y={0} width={band} height={height} />
                {ORDER.map((type) => {
                  const count = bucket.by?.[type] ?? 0;
                  if (count === 0) return null;
                  const barHeight = ((height - 8) * count) / highest;
                  top -= barHeight;
                  return (
                    <rect
                      key={type}
                      x={index * band + Math.max(0.5, band * 0.1)}
                      y={top}
                      width={Math.max(1, band * 0.8)}
                      height={barHeight}
                      fill={lookOf(type).colour}
                      stroke="#fff"
                      stroke-width={band > 6 ? 1 : 0}
                    />
                  );
                })}
              </g>
            );
          })}
          {cursor !== null ? (
            <rect class="timeline-cursor" x={cursor * band + 1} y={1} width={Math.max(2, band - 2)} height={height - 2} />
          ) : null}
          {ticks.map((index) => {
            const bucket = buckets[index];
            if (bucket === undefined) return null;
            const x = Math.min(Math.max(index * band + band / 2, 30), width - 30);
            return (
              <text key={index} x={x} y={height + 14} text-anchor="middle" class="tick">
                {bucket.period}
              </text>
            );
          })}
        </svg>
      </div>
      <p id="timeline-cursor" class="hint timeline-cursor-text" aria-live="polite">
        {cursorText}
      </p>
      <ul class="legend" aria-label="Event types in the timeline">
        {typesShown.map((type) => (
          <li key={type}>
            <TypeSymbol type={type} />
            {label("event_types", type)}
          </li>
        ))}
      </ul>
      <form
        class="range"
        onSubmit={(submit) => {
          submit.preventDefault();
          const form = new FormData(submit.currentTarget);
          const from = form.get("from");
          const to = form.get("to");
          onSelect(typeof from === "string" && from !== "" ? from : null, typeof to === "string" && to !== "" ? to : null);
        }}
      >
        <label>
          From <input type="date" name="from" key={`from-${view.from ?? ""}`} defaultValue={view.from ?? ""} />
        </label>
        <label>
          To <input type="date" name="to" key={`to-${view.to ?? ""}`} defaultValue={view.to ?? ""} />
        </label>
        <button type="submit">Show these dates</button>
        <button type="button" onClick={() => onSelect(null, null)} disabled={view.from === null && view.to === null}>
          All dates
        </button>
      </form>
      {error !== null ? <p class="error" role="alert">{error}</p> : null}
      <details class="as-table">
        <summary>The counts in a table</summary>
        <table>
          <caption>Events per {bucketing}, by type</caption>
          <thead>
            <tr>
              <th scope="col">{bucketing === "day" ? "Day" : `${bucketing[0]?.toUpperCase() ?? ""}${bucketing.slice(1)} from`}</th>
              <th scope="col">Events</th>
              <th scope="col">By type</th>
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((bucket) => bucket.count > 0)
              .map((bucket) => (
                <tr key={bucket.period}>
                  <th scope="row">{bucket.period}</th>
                  <td>{bucket.count}</td>
                  <td>
                    {Object.entries(bucket.by ?? {})
                      .map(([type, count]) => `${label("event_types", type)} ${count}`)
                      .join(", ")}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
