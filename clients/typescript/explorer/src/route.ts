/**
 * The page's state lives in its URL, so that any view can be shared as a link:
 * the path names the record shown, the query the overview's filters.
 */
import { useEffect, useState } from "preact/hooks";

import type { EventType } from "./api.js";

export type Interval = "day" | "week";

/**
 * The overview's filters: a range of dates, the event types shown, and whether
 * events the sources tell only as background or as a photo's scene are shown
 * too (`include=background,scene`, as the API says it; left out by default).
 */
export interface View {
  from: string | null;
  to: string | null;
  types: EventType[];
  interval: Interval;
  background: boolean;
}

export type Route =
  | { page: "overview"; view: View }
  | { page: "event"; id: string }
  | { page: "actor"; id: string }
  | { page: "location"; id: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = "[0-9a-fA-F-]{36}";
const RECORD = new RegExp(`^/explore/(events|actors|locations)/(${UUID})$`);
const TYPES: readonly EventType[] = [
  "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
  "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
];

export function isEventType(value: string): value is EventType {
  return TYPES.some((type) => type === value);
}

function date(value: string | null): string | null {
  return value !== null && DATE.test(value) ? value : null;
}

export function parseView(params: URLSearchParams): View {
  const types = (params.get("types") ?? "").split(",").filter(isEventType);
  return {
    from: date(params.get("from")),
    to: date(params.get("to")),
    types,
    interval: params.get("interval") === "week" ? "week" : "day",
    background: (params.get("include") ?? "").split(",").some((value) => value === "background" || value === "scene"),
  };
}

export function parseRoute(location: { pathname: string; search: string }): Route {
  const record = RECORD.exec(location.pathname);
  if (record?.[1] !== undefined && record[2] !== undefined) {
    const id = record[2];
    switch (record[1]) {
      case "events":
        return { page: "event", id };
      case "actors":
        return { page: "actor", id };
      default:
        return { page: "location", id };
    }
  }
  return { page: "overview", view: parseView(new URLSearchParams(location.search)) };
}

/** The overview's address for `view`: only what differs from the defaults. */
export function viewHref(view: View): string {
  const params = new URLSearchParams();
  if (view.from !== null) params.set("from", view.from);
  if (view.to !== null) params.set("to", view.to);
  if (view.types.length > 0) params.set("types", view.types.join(","));
  if (view.interval !== "day") params.set("interval", view.interval);
  if (view.background) params.set("include", "background,scene");
  const query = params.toString();
  return query === "" ? "/explore" : `/explore?${query}`;
}

export const eventHref = (id: string): string => `/explore/events/${id}`;
export const actorHref = (id: string): string => `/explore/actors/${id}`;
export const locationHref = (id: string): string => `/explore/locations/${id}`;

const NAVIGATED = "explorer:navigate";

/** Go to `href` in this page, keeping the browser's history (or replacing its entry). */
export function navigate(href: string, { replace = false } = {}): void {
  if (replace) {
    window.history.replaceState(null, "", href);
  } else {
    window.history.pushState(null, "", href);
  }
  window.dispatchEvent(new CustomEvent(NAVIGATED));
}

/** The route of the current address, following links, back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location));
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}

/** Links to the explorer's own pages stay in the page (a plain click only). */
export function followLinksInPage(root: HTMLElement): void {
  root.addEventListener("click", (click) => {
    if (click.defaultPrevented || click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) {
      return;
    }
    const target = click.target;
    // Markers on the map are SVG links: read their attributes, not HTML properties.
    const link = target instanceof Element ? target.closest("a") : null;
    const href = link?.getAttribute("href") ?? null;
    if (link === null || href === null || link.hasAttribute("target") || link.hasAttribute("download")) {
      return;
    }
    const url = new URL(href, window.location.href);
    if (url.origin !== window.location.origin || !url.pathname.startsWith("/explore")) {
      return;
    }
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash !== "") {
      // A link within the page (to a quote, to the content) scrolls, as links do.
      return;
    }
    click.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
