/**
 * A typed client of the eventdata API: openapi-fetch over the types that
 * openapi-typescript generates from the API's openapi.yaml (src/schema.d.ts).
 *
 * A list answers JSON, GeoJSON or CSV; a client says which it reads by the
 * media types it is made for, so that each call is typed with the one
 * representation it gets: createClient() reads JSON, createGeoJSONClient()
 * asks for GeoJSON and reads it. Both read errors as problem details.
 */
import createFetchClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
export type Event = Schemas["Event"];
export type Actor = Schemas["Actor"];
export type Location = Schemas["Location"];
export type Source = Schemas["Source"];
export type Statement = Schemas["Statement"];
export type Problem = Schemas["Problem"];
/** The type of a problem, one of /problems/...: switch on it. */
export type ProblemType = Problem["type"];
/** The code of a field error ("required", "not_in_source"...): switch on it. */
export type ErrorCode = Schemas["FieldError"]["code"];
export type Pagination = Schemas["PaginationMetadata"];

export type JsonMedia = "application/json" | "application/problem+json";
export type GeoJsonMedia = "application/geo+json" | "application/problem+json";

export interface Options extends Omit<ClientOptions, "headers"> {
  /** The API's URL, such as http://127.0.0.1:8000. */
  baseUrl: string;
  /** A token for writes (and for reads, when the server requires one). */
  token?: string | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

function clientOptions({ token, headers, ...options }: Options, accept: string): ClientOptions {
  const authorization = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return { ...options, headers: { Accept: accept, ...authorization, ...headers } };
}

/** A client whose lists answer JSON arrays of records. */
export function createClient(options: Options): Client<paths, JsonMedia> {
  return createFetchClient<paths, JsonMedia>(clientOptions(options, "application/json"));
}

/** A client whose lists of events and locations answer GeoJSON FeatureCollections. */
export function createGeoJSONClient(options: Options): Client<paths, GeoJsonMedia> {
  return createFetchClient<paths, GeoJsonMedia>(clientOptions(options, "application/geo+json"));
}

function isPagination(value: unknown): value is Pagination {
  return typeof value === "object" && value !== null && "total" in value;
}

/** The X-Pagination header of a list answered page by page (null with a cursor). */
export function pagination(response: Response): Pagination | null {
  const header = response.headers.get("X-Pagination");
  if (header === null) {
    return null;
  }
  const value: unknown = JSON.parse(header);
  return isPagination(value) ? value : null;
}

/** The cursor of the next page of a list paged by cursor, from its Link header; null at the end. */
export function nextCursor(response: Response): string | null {
  const next = /<([^>]*)>;\s*rel="next"/.exec(response.headers.get("Link") ?? "");
  if (next?.[1] === undefined) {
    return null;
  }
  return new URL(next[1]).searchParams.get("cursor");
}
