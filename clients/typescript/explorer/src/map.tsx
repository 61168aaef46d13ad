/**
 * A map of events: country outlines from Natural Earth (world-atlas, shipped
 * with the page, no tile server) and one marker per event, its type told by
 * colour and shape. Each marker is a link to the event. It pans by dragging or
 * with the arrow keys, and zooms with the buttons, + and -, or the wheel.
 */
import { geoMercator, geoPath, type GeoProjection } from "d3-geo";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";

import type { EventFeature } from "./api.js";
import { lookOf, shapePath, useLabel } from "./kinds.js";
import { eventHref } from "./route.js";

type Countries = FeatureCollection<Geometry>;

function isCountriesTopology(value: unknown): value is Topology<{ countries: GeometryCollection }> {
  if (typeof value !== "object" || value === null || Reflect.get(value, "type") !== "Topology") {
    return false;
  }
  const objects: unknown = Reflect.get(value, "objects");
  return typeof objects === "object" && objects !== null && "countries" in objects;
}

let basemap: Promise<Countries> | null = null;

/** The country outlines, fetched once from the page's own files. */
function loadBasemap(): Promise<Countries> {
  if (basemap === null) {
    const url = document.body.dataset["basemap"] ?? "/explore/assets/countries-50m.json";
    basemap = fetch(url)
      .then((response) => response.json())
      .then((topology: unknown) => {
        if (!isCountriesTopology(topology)) {
          throw new Error("The basemap is not the TopoJSON of countries.");
        }
        return feature(topology, topology.objects.countries);
      });
  }
  return basemap;
}

interface Placed {
  feature: EventFeature;
  x: number;
  y: number;
}

interface Zoom {
  k: number;
  x: number;
  y: number;
}

const NO_ZOOM: Zoom = { k: 1, x: 0, y: 0 };
const PADDING = 28;
// At least this many degrees across, so that one place is shown with its surroundings.
const MIN_SPAN = 4;
const MAX_LABELS = 15;

/** A projection fitted to the events' points (or to the world when there are none). */
function fitted(points: [number, number][], width: number, height: number): GeoProjection {
  const projection = geoMercator();
  if (points.length === 0) {
    return projection.fitExtent(
      [[PADDING, PADDING], [width - PADDING, height - PADDING]],
      { type: "Sphere" },
    );
  }
  const lons = points.map(([lon]) => lon);
  const lats = points.map(([, lat]) => lat);
  let [west, east] = [Math.min(...lons), Math.max(...lons)];
  let [south, north] = [Math.min(...lats), Math.max(...lats)];
  if (east - west < MIN_SPAN) {
    const middle = (east + west) / 2;
    [west, east] = [middle - MIN_SPAN / 2, middle + MIN_SPAN / 2];
  }
  if (north - south < MIN_SPAN / 2) {
    const middle = (north + south) / 2;
    [south, north] = [middle - MIN_SPAN / 4, middle + MIN_SPAN / 4];
  }
  const box: Feature<Geometry> = {
    type: "Feature",
    properties: {},
    geometry: { type: "MultiPoint", coordinates: [[west, south], [east, north]] },
  };
  return projection.fitExtent([[PADDING, PADDING], [width - PADDING, height - PADDING]], box);
}

/** Markers that would sit on one another are set around their place, a few pixels apart. */
function spread(placed: Placed[]): Placed[] {
  const byPlace = new Map<string, Placed[]>();
  for (const marker of placed) {
    const key = `${Math.round(marker.x / 4)},${Math.round(marker.y / 4)}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), marker]);
  }
  return [...byPlace.values()].flatMap((markers) =>
    markers.length === 1
      ? markers
      : markers.map((marker, index) => {
          const angle = (2 * Math.PI * index) / markers.length - Math.PI / 2;
          const radius = 6 + markers.length;
          return { ...marker, x: marker.x + radius * Math.cos(angle), y: marker.y + radius * Math.sin(angle) };
        }),
  );
}

export function EventMap({ features, label: mapLabel, height = 420 }: { features: EventFeature[]; label: string; height?: number }) {
  const label = useLabel();
  const frame = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [countries, setCountries] = useState<Countries | null>(null);
  const [basemapError, setBasemapError] = useState<string | null>(null);
  const [zoom, setZoom] = useState<Zoom>(NO_ZOOM);
  const drag = useRef<{ x: number; y: number; zoom: Zoom } | null>(null);

  useEffect(() => {
    loadBasemap().then(setCountries, (error: unknown) => setBasemapError(String(error)));
  }, []);

  useEffect(() => {
    const element = frame.current;
    if (element === null) {
      return undefined;
    }
    const observer = new ResizeObserver((entries) => {
      const measured = entries[0]?.contentRect.width;
      if (measured !== undefined && measured > 0) {
        setWidth(Math.round(measured));
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const located = features.filter((one) => one.geometry !== null);
  const points = located.flatMap((one): [number, number][] => {
    const coordinates = one.geometry?.coordinates;
    const [lon, lat] = coordinates ?? [];
    return lon === undefined || lat === undefined ? [] : [[lon, lat]];
  });
  const pointsKey = points.map(([lon, lat]) => `${lon},${lat}`).join(";");
  const projection = useMemo(() => fitted(points, width, height), [pointsKey, width, height]);
  // A new set of events is shown whole.
  useEffect(() => setZoom(NO_ZOOM), [pointsKey]);

  const outlines = useMemo(() => {
    if (countries === null) {
      return "";
    }
    // Drawn once per fit, a few screens around the view; zooming scales the drawing.
    const clipped = fitted(points, width, height).clipExtent([[-2 * width, -2 * height], [3 * width, 3 * height]]);
    return geoPath(clipped)(countries) ?? "";
  }, [countries, pointsKey, width, height]);

  const placed = spread(
    located.flatMap((one): Placed[] => {
      const coordinates = one.geometry?.coordinates;
      const [lon, lat] = coordinates ?? [];
      const at = lon === undefined || lat === undefined ? null : projection([lon, lat]);
      return at === null ? [] : [{ feature: one, x: at[0] * zoom.k + zoom.x, y: at[1] * zoom.k + zoom.y }];
    }),
  );

  // Each place is named once, beside its first marker, while there are few enough to read.
  const labels = new Map<string, { name: string; x: number; y: number }>();
  for (const { feature: one, x, y } of placed) {
    const place = one.properties.location;
    if (place && !labels.has(place.id)) labels.set(place.id, { name: place.name, x, y });
  }
  const placeLabels = labels.size <= MAX_LABELS ? [...labels.entries()] : [];

  const zoomBy = (factor: number) =>
    setZoom(({ k, x, y }) => {
      const next = Math.min(Math.max(k * factor, 0.5), 24);
      const [cx, cy] = [width / 2, height / 2];
      return { k: next, x: cx - ((cx - x) * next) / k, y: cy - ((cy - y) * next) / k };
    });
  const panBy = (dx: number, dy: number) => setZoom(({ k, x, y }) => ({ k, x: x + dx, y: y + dy }));

  const onKeyDown = (key: KeyboardEvent) => {
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [60, 0],
      ArrowRight: [-60, 0],
      ArrowUp: [0, 60],
      ArrowDown: [0, -60],
    };
    const move = moves[key.key];
    if (move !== undefined) {
      key.preventDefault();
      panBy(...move);
    } else if (key.key === "+" || key.key === "=") {
      zoomBy(1.5);
    } else if (key.key === "-") {
      zoomBy(1 / 1.5);
    }
  };

  const unlocated = features.length - located.length;
  return (
    <figure class="map">
      <div class="map-controls">
        <button type="button" onClick={() => zoomBy(1.5)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => zoomBy(1 / 1.5)} aria-label="Zoom out">−</button>
        <button type="button" onClick={() => setZoom(NO_ZOOM)}>Fit to events</button>
      </div>
      <div
        ref={frame}
        class="map-frame"
        tabIndex={0}
        role="group"
        aria-label={`${mapLabel}. Arrow keys pan, plus and minus zoom; Tab goes through the events.`}
        onKeyDown={onKeyDown}
        onPointerDown={(press) => {
          if (press.target instanceof Element && press.target.closest("a") !== null) {
            return;
          }
          drag.current = { x: press.clientX, y: press.clientY, zoom };
          press.currentTarget.setPointerCapture(press.pointerId);
        }}
        onPointerMove={(move) => {
          const start = drag.current;
          if (start !== null) {
            setZoom({ ...start.zoom, x: start.zoom.x + move.clientX - start.x, y: start.zoom.y + move.clientY - start.y });
          }
        }}
        onPointerUp={() => {
          drag.current = null;
        }}
        onWheel={(wheel) => {
          wheel.preventDefault();
          zoomBy(wheel.deltaY < 0 ? 1.25 : 0.8);
        }}
      >
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} data-events={placed.length}>
          <rect class="sea" width={width} height={height} />
          <g transform={`translate(${zoom.x},${zoom.y}) scale(${zoom.k})`}>
            <path class="land" d={outlines} vector-effect="non-scaling-stroke" />
          </g>
          <g aria-hidden="true">
            {placeLabels.map(([id, { name, x, y }]) => (
              <text key={id} class="place-label" x={x + 10} y={y + 4}>
                {name}
              </text>
            ))}
          </g>
          {placed.map(({ feature: one, x, y }) => {
            const properties = one.properties;
            const look = lookOf(properties.event_type);
            const name = `${label("event_types", properties.event_type)}: ${properties.title ?? ""}, ${properties.start_date ?? ""}`;
            return (
              <a class="marker" href={eventHref(one.id)} aria-label={name} key={one.id} data-type={properties.event_type}>
                <title>{name}</title>
                <path transform={`translate(${x},${y})`} d={shapePath(look.shape, 7)} fill={look.colour} />
              </a>
            );
          })}
        </svg>
      </div>
      <figcaption>
        {placed.length} {placed.length === 1 ? "event" : "events"} on the map
        {unlocated > 0 ? `; ${unlocated} more ${unlocated === 1 ? "has" : "have"} no place with coordinates` : ""}.
        {basemapError === null ? " Country outlines: Natural Earth." : ` The basemap did not load: ${basemapError}`}
      </figcaption>
    </figure>
  );
}
