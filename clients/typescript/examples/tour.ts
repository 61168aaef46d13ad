/**
 * A tour of the API from a typed client: list events with filters, page by
 * page and by cursor, read one, create one, change it with If-Match, and
 * handle a 412 and a 422 by their problem types.
 *
 *   EVENTDATA_URL=http://127.0.0.1:8000 EVENTDATA_TOKEN=edt_... npm run example
 *
 * It compiles under `tsc --strict` with no casts: every answer is typed from
 * the API's spec.
 */
import {
  createClient,
  createGeoJSONClient,
  nextCursor,
  pagination,
  type Event,
  type Problem,
} from "../src/index.js";

const baseUrl = process.env["EVENTDATA_URL"] ?? "http://127.0.0.1:8000";
const token = process.env["EVENTDATA_TOKEN"];

const api = createClient({ baseUrl, token });

function fail(problem: Problem): never {
  throw new Error(`${problem.status} ${problem.type}: ${problem.detail}`);
}

// 1. Events filtered: alleged or reported attacks and accusations since 27 September 2020.
// Arrays go as repeated parameters (event_type=ASSAULT&event_type=ACCUSE).
const filters = {
  event_type: ["ASSAULT", "ACCUSE"] satisfies Event["event_type"][],
  certainty: ["alleged", "reported"] satisfies Event["certainty"][],
  date_from: "2020-09-27",
};
const first = await api.GET("/v1/events", {
  params: { query: { ...filters, page_size: 3, sort: "-start_date" } },
});
if (first.error) fail(first.error);
const total = pagination(first.response)?.total ?? 0;
console.log(`listed ${first.data.length} of ${total} events`);
for (const event of first.data) {
  console.log(`  ${event.start_date ?? "?"} ${event.event_type ?? ""} ${event.title ?? ""}`);
}

// 2. Page by page, following X-Pagination's next_page until there is none.
const pages: number[] = [];
let page: number | undefined = 1;
while (page !== undefined) {
  const asked: number = page;
  const listed = await api.GET("/v1/events", {
    params: { query: { ...filters, page_size: 3, page: asked } },
  });
  if (listed.error) fail(listed.error);
  pages.push(asked);
  page = pagination(listed.response)?.next_page;
}
console.log(`pages: ${pages.join(",")}`);

// 3. By cursor: empty to start, then the cursor of Link rel="next" until there is none.
let cursor: string | null = "";
let seen = 0;
while (cursor !== null) {
  const asked: string = cursor;
  const listed = await api.GET("/v1/events", {
    params: { query: { ...filters, page_size: 3, cursor: asked } },
  });
  if (listed.error) fail(listed.error);
  seen += listed.data.length;
  cursor = nextCursor(listed.response);
}
console.log(`by cursor: ${seen} events`);

// 4. One event, whole: its place and its participants' names, and its ETag.
const firstId = first.data[0]?.id;
if (firstId !== undefined) {
  const one = await api.GET("/v1/events/{event_id}", {
    params: { path: { event_id: firstId } },
  });
  if (one.error) fail(one.error);
  const actors = one.data.participants.map((p) => `${p.actor.name} (${p.role})`).join(", ");
  console.log(`got event ${one.data.id}: ${one.data.title}`);
  console.log(`  at ${one.data.location?.name ?? "an unknown place"}; ${actors || "no actors"}`);
}

// 5. Create an event (a write: it needs the token).
const created = await api.POST("/v1/events", {
  body: {
    title: "Shelling reported near Tartar",
    event_type: "ASSAULT",
    mode: "heavy-weapons",
    start_date: "2020-09-30",
    certainty: "alleged",
  },
});
if (created.error) fail(created.error);
const path = { event_id: created.data.id };
const etag = created.response.headers.get("ETag") ?? "";
console.log(`created event ${created.data.id} at ${created.response.headers.get("Location")}`);

// 6. Change it, saying which version the change is to: If-Match with its ETag.
const patched = await api.PATCH("/v1/events/{event_id}", {
  params: { path, header: { "If-Match": etag } },
  body: { certainty: "confirmed" },
});
if (patched.error) fail(patched.error);
console.log(`patched: certainty ${patched.data.certainty}, date_precision ${patched.data.date_precision}`);

// 7. A 412: the same ETag again is stale now. The answer carries the current ETag:
// reapply the change to the record as it is and send it with that ETag.
const stale = await api.PATCH("/v1/events/{event_id}", {
  params: { path, header: { "If-Match": etag } },
  body: { certainty: "disputed" },
});
if (stale.error?.type === "/problems/precondition-failed") {
  const current = stale.response.headers.get("ETag") ?? "";
  const retried = await api.PATCH("/v1/events/{event_id}", {
    params: { path, header: { "If-Match": current } },
    body: { certainty: "disputed" },
  });
  if (retried.error) fail(retried.error);
  console.log(`412 ${stale.error.type}: retried with the current ETag: ${retried.data.certainty}`);
} else {
  throw new Error(`expected a 412, got ${stale.response.status}`);
}

// 8. A 422: what the types cannot say (an end before the start) the API does, field by field.
const invalid = await api.POST("/v1/events", {
  body: {
    title: "Ends before it starts",
    event_type: "ASSAULT",
    start_date: "2020-09-30",
    end_date: "2020-09-01",
    certainty: "alleged",
  },
});
if (invalid.error?.type === "/problems/validation-failed") {
  for (const [field, errors] of Object.entries(invalid.error.errors ?? {})) {
    for (const { code, message } of errors) {
      console.log(`422 ${invalid.error.type}: ${field} ${code}: ${message}`);
    }
  }
} else {
  throw new Error(`expected a 422, got ${invalid.response.status}`);
}

// 9. The same list as GeoJSON, for a map: a client for that media type reads it typed.
const geo = createGeoJSONClient({ baseUrl, token });
const map = await geo.GET("/v1/events", { params: { query: { ...filters, page_size: 10 } } });
if (map.error) fail(map.error);
const placed = map.data.features.filter((feature) => feature.geometry !== null);
console.log(`geojson: ${map.data.features.length} features, ${placed.length} with a point`);

// 10. Leave the data as it was.
const latest = await api.GET("/v1/events/{event_id}", { params: { path } });
if (latest.error) fail(latest.error);
const deleted = await api.DELETE("/v1/events/{event_id}", {
  params: { path, header: { "If-Match": latest.response.headers.get("ETag") ?? "" } },
});
if (deleted.error) fail(deleted.error);
console.log(`deleted event ${created.data.id}`);
