/**
 * Editing an event with a token: a PATCH of the fields changed, sent with the
 * ETag the event was read with. The API decides what is valid: its problem
 * details name each field wrong (`errors`, by path), and each message is shown
 * beside its field and in a summary at the top. A 412 says someone changed the
 * event first; the form explains it and offers to load the current version.
 */
import { useRef, useState } from "preact/hooks";

import { api, type Event, type Problem, type Schemas } from "./api.js";
import { useVocabularies } from "./kinds.js";
import { isEventType } from "./route.js";

type Patch = Schemas["EventPatch"];
type Mode = NonNullable<Patch["mode"]>;
type Certainty = NonNullable<Patch["certainty"]>;
type Precision = NonNullable<Patch["date_precision"]>;
type FieldErrors = Record<string, string[]>;

const CERTAINTIES: readonly Certainty[] = ["reported", "alleged", "disputed", "confirmed"];
const PRECISIONS: readonly Precision[] = ["day", "week", "month", "year"];

function oneOf<T extends string>(values: readonly T[], value: string): T | undefined {
  return values.find((one) => one === value);
}

// Each path the API may name, and the form field its message goes beside.
const FIELDS: Record<string, string> = {
  title: "title",
  summary: "summary",
  event_type: "event_type",
  mode: "mode",
  start_date: "start_date",
  end_date: "end_date",
  date_precision: "date_precision",
  certainty: "certainty",
  fatalities: "fatalities.low",
  "fatalities.low": "fatalities.low",
  "fatalities.high": "fatalities.high",
  injuries: "injuries.low",
  "injuries.low": "injuries.low",
  "injuries.high": "injuries.high",
  notes: "notes",
};

const fieldId = (name: string): string => `edit-${name.replace(".", "-")}`;
const errorId = (name: string): string => `${fieldId(name)}-error`;

function FieldError({ name, errors }: { name: string; errors: FieldErrors }) {
  const messages = errors[name] ?? [];
  if (messages.length === 0) {
    return null;
  }
  return (
    <p class="field-error" id={errorId(name)}>
      {messages.join(" ")}
    </p>
  );
}

/** The attributes that tie a field to its error, when it has one. */
function described(name: string, errors: FieldErrors) {
  const wrong = (errors[name] ?? []).length > 0;
  return wrong ? { "aria-invalid": true, "aria-describedby": errorId(name) } : {};
}

/** Messages by form field, from a problem's errors (by the API's paths). */
export function fieldErrors(problem: Problem): { byField: FieldErrors; elsewhere: string[] } {
  const byField: FieldErrors = {};
  const elsewhere: string[] = [];
  for (const [path, errors] of Object.entries(problem.errors ?? {})) {
    const field = FIELDS[path];
    const messages = errors.map((error) => error.message);
    if (field === undefined) {
      elsewhere.push(...messages.map((message) => `${path}: ${message}`));
    } else {
      byField[field] = [...(byField[field] ?? []), ...messages];
    }
  }
  return { byField, elsewhere };
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** A count from a number field: null when empty, NaN (which the API refuses) when not a number. */
function count(form: FormData, name: string): number | null {
  const value = text(form, name).trim();
  return value === "" ? null : Number(value);
}

function estimate(form: FormData, name: string): Schemas["EstimateInput"] | null {
  const low = count(form, `${name}.low`);
  const high = count(form, `${name}.high`);
  if (low === null && high === null) {
    return null;
  }
  // A high without a low is sent as it is, for the API to say what is missing.
  return low === null ? { low: Number.NaN, high } : { low, high };
}

/** The fields that differ from the event: a PATCH changes only those. */
function changes(event: Event, form: FormData, isMode: (value: string) => value is Mode): Patch {
  const patch: Patch = {};
  const title = text(form, "title");
  if (title !== event.title) patch.title = title;
  const summary = text(form, "summary");
  if (summary !== (event.summary ?? "")) patch.summary = summary === "" ? null : summary;
  const eventType = text(form, "event_type");
  if (eventType !== event.event_type && isEventType(eventType)) patch.event_type = eventType;
  const mode = text(form, "mode");
  if (mode !== (event.mode ?? "")) patch.mode = isMode(mode) ? mode : null;
  const start = text(form, "start_date");
  if (start !== event.start_date) patch.start_date = start;
  const end = text(form, "end_date");
  if (end !== event.end_date) patch.end_date = end;
  const precision = oneOf(PRECISIONS, text(form, "date_precision"));
  if (precision !== undefined && precision !== event.date_precision) patch.date_precision = precision;
  const certainty = oneOf(CERTAINTIES, text(form, "certainty"));
  if (certainty !== undefined && certainty !== event.certainty) patch.certainty = certainty;
  for (const name of ["fatalities", "injuries"] as const) {
    const given = estimate(form, name);
    const before = event[name];
    const same = given === null || before === null ? given === before : given.low === before.low && (given.high ?? null) === before.high;
    if (!same) {
      patch[name] = given;
    }
  }
  const notes = text(form, "notes");
  if (notes !== (event.notes ?? "")) patch.notes = notes === "" ? null : notes;
  return patch;
}

interface Props {
  event: Event;
  etag: string | null;
  onSaved: (event: Event, etag: string | null) => void;
  onCancel: () => void;
  onReload: () => Promise<void>;
}

export function EditEvent({ event, etag, onSaved, onCancel, onReload }: Props) {
  const vocabularies = useVocabularies();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [elsewhere, setElsewhere] = useState<string[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [stale, setStale] = useState<Patch | null>(null);
  const [sending, setSending] = useState(false);
  // Selects are controlled: a select has no default value of its own to start from.
  const [eventType, setEventType] = useState<string>(event.event_type);
  const [mode, setMode] = useState<string>(event.mode ?? "");
  const [precision, setPrecision] = useState<string>(event.date_precision);
  const [certainty, setCertainty] = useState<string>(event.certainty);
  const summary = useRef<HTMLDivElement>(null);
  const modes = vocabularies?.event_types.find((type) => type.code === eventType)?.modes ?? [];
  const isMode = (value: string): value is Mode =>
    vocabularies?.event_types.some((type) => type.modes.some((mode) => mode.code === value)) ?? false;

  const submit = async (form: HTMLFormElement) => {
    const patch = changes(event, new FormData(form), isMode);
    setErrors({});
    setElsewhere([]);
    setFailure(null);
    setStale(null);
    if (Object.keys(patch).length === 0) {
      setFailure("Nothing has changed.");
      return;
    }
    setSending(true);
    const header = etag === null ? {} : { "If-Match": etag };
    const { data, error, response } = await api().PATCH("/v1/events/{event_id}", {
      params: { path: { event_id: event.id }, header },
      body: patch,
    });
    setSending(false);
    if (data) {
      onSaved(data, response.headers.get("ETag"));
      return;
    }
    if (response.status === 412) {
      setStale(patch);
    } else if (error) {
      const found = fieldErrors(error);
      setErrors(found.byField);
      setElsewhere(found.elsewhere);
      setFailure(error.detail ?? error.title ?? `The API answered ${response.status}.`);
    }
    window.requestAnimationFrame(() => summary.current?.focus());
  };

  const wrongFields = Object.keys(errors);
  return (
    <form
      class="edit-form"
      noValidate
      aria-labelledby="edit-heading"
      onSubmit={(submitted) => {
        submitted.preventDefault();
        void submit(submitted.currentTarget);
      }}
    >
      <h2 id="edit-heading">Edit this event</h2>
      <div ref={summary} tabIndex={-1} class="form-messages">
        {stale !== null ? (
          <div class="stale" role="alert">
            <p>
              <strong>Someone else changed this event after you opened it.</strong> The server kept their version and
              did not save yours, so that neither overwrites the other unseen.
            </p>
            <p>Your changes were: {Object.entries(stale).map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join("; ")}.</p>
            <button
              type="button"
              onClick={() => {
                setStale(null);
                void onReload();
              }}
            >
              Load the current version
            </button>
          </div>
        ) : null}
        {failure !== null ? (
          <div class="problem" role="alert">
            <p>
              <strong>Not saved.</strong> {failure}
            </p>
            {wrongFields.length > 0 || elsewhere.length > 0 ? (
              <ul>
                {wrongFields.map((name) => (
                  <li key={name}>
                    <a href={`#${fieldId(name)}`}>{(errors[name] ?? []).join(" ")}</a>
                  </li>
                ))}
                {elsewhere.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>

      <div class="field">
        <label for={fieldId("title")}>Title</label>
        <input id={fieldId("title")} name="title" type="text" defaultValue={event.title} {...described("title", errors)} />
        <FieldError name="title" errors={errors} />
      </div>
      <div class="field">
        <label for={fieldId("summary")}>Summary</label>
        <textarea id={fieldId("summary")} name="summary" rows={3} defaultValue={event.summary ?? ""} {...described("summary", errors)} />
        <FieldError name="summary" errors={errors} />
      </div>
      <div class="field-row">
        <div class="field">
          <label for={fieldId("event_type")}>Type</label>
          <select id={fieldId("event_type")} name="event_type" value={eventType} onChange={(change) => setEventType(change.currentTarget.value)} {...described("event_type", errors)}>
            {(vocabularies?.event_types ?? []).map((type) => (
              <option key={type.code} value={type.code}>
                {type.label}
              </option>
            ))}
          </select>
          <FieldError name="event_type" errors={errors} />
        </div>
        <div class="field">
          <label for={fieldId("mode")}>Mode</label>
          <select id={fieldId("mode")} name="mode" value={mode} onChange={(change) => setMode(change.currentTarget.value)} {...described("mode", errors)}>
            <option value="">none</option>
            {modes.map((mode) => (
              <option key={mode.code} value={mode.code}>
                {mode.label}
              </option>
            ))}
          </select>
          <FieldError name="mode" errors={errors} />
        </div>
      </div>
      <div class="field-row">
        <div class="field">
          <label for={fieldId("start_date")}>Start date</label>
          <input id={fieldId("start_date")} name="start_date" type="date" defaultValue={event.start_date} {...described("start_date", errors)} />
          <FieldError name="start_date" errors={errors} />
        </div>
        <div class="field">
          <label for={fieldId("end_date")}>End date</label>
          <input id={fieldId("end_date")} name="end_date" type="date" defaultValue={event.end_date} {...described("end_date", errors)} />
          <FieldError name="end_date" errors={errors} />
        </div>
        <div class="field">
          <label for={fieldId("date_precision")}>Dates known to the</label>
          <select
            id={fieldId("date_precision")}
            name="date_precision"
            value={precision}
            onChange={(change) => setPrecision(change.currentTarget.value)}
            {...described("date_precision", errors)}
          >
            {(vocabularies?.date_precisions ?? []).map((term) => (
              <option key={term.code} value={term.code}>
                {term.label}
              </option>
            ))}
          </select>
          <FieldError name="date_precision" errors={errors} />
        </div>
      </div>
      <div class="field">
        <label for={fieldId("certainty")}>Certainty</label>
        <select id={fieldId("certainty")} name="certainty" value={certainty} onChange={(change) => setCertainty(change.currentTarget.value)} {...described("certainty", errors)}>
          {(vocabularies?.certainties ?? []).map((term) => (
            <option key={term.code} value={term.code}>
              {term.label}
            </option>
          ))}
        </select>
        <FieldError name="certainty" errors={errors} />
      </div>
      {(["fatalities", "injuries"] as const).map((name) => (
        <fieldset class="field-row" key={name}>
          <legend>{name === "fatalities" ? "Killed" : "Injured"}: at least, at most</legend>
          <div class="field">
            <label for={fieldId(`${name}.low`)}>{name === "fatalities" ? "Killed, at least" : "Injured, at least"}</label>
            <input id={fieldId(`${name}.low`)} name={`${name}.low`} type="number" inputMode="numeric" defaultValue={String(event[name]?.low ?? "")} {...described(`${name}.low`, errors)} />
            <FieldError name={`${name}.low`} errors={errors} />
          </div>
          <div class="field">
            <label for={fieldId(`${name}.high`)}>{name === "fatalities" ? "Killed, at most" : "Injured, at most"}</label>
            <input id={fieldId(`${name}.high`)} name={`${name}.high`} type="number" inputMode="numeric" defaultValue={String(event[name]?.high ?? "")} {...described(`${name}.high`, errors)} />
            <FieldError name={`${name}.high`} errors={errors} />
          </div>
        </fieldset>
      ))}
      <div class="field">
        <label for={fieldId("notes")}>Notes</label>
        <textarea id={fieldId("notes")} name="notes" rows={4} defaultValue={event.notes ?? ""} {...described("notes", errors)} />
        <FieldError name="notes" errors={errors} />
      </div>
      <div class="form-buttons">
        <button type="submit" disabled={sending}>
          {sending ? "Saving…" : "Save"}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
