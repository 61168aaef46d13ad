/**
 * How an event type looks: a colour and a shape, so that the map and the
 * timeline are readable without telling colours apart; every mark also has its
 * type written beside it or in its name.
 */
import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { EventType, Vocabularies } from "./api.js";

export type Shape = "circle" | "diamond" | "square" | "triangle";

interface Look {
  colour: string;
  shape: Shape;
}

// Shapes by family: cooperation (circle), demands and words of conflict
// (diamond), pressure short of force (square), force (triangle). Colours are
// dark enough for white outlines and distinct within each family.
const LOOKS: Record<EventType, Look> = {
  AGREE: { colour: "#1b7837", shape: "circle" },
  CONSULT: { colour: "#0072b2", shape: "circle" },
  SUPPORT: { colour: "#5aae61", shape: "circle" },
  CONCEDE: { colour: "#56b4e9", shape: "circle" },
  COOPERATE: { colour: "#009e73", shape: "circle" },
  AID: { colour: "#2166ac", shape: "circle" },
  RETREAT: { colour: "#8c96c6", shape: "circle" },
  REQUEST: { colour: "#7b3294", shape: "diamond" },
  ACCUSE: { colour: "#e69f00", shape: "diamond" },
  REJECT: { colour: "#cc79a7", shape: "diamond" },
  THREATEN: { colour: "#b35806", shape: "diamond" },
  PROTEST: { colour: "#998ec3", shape: "square" },
  SANCTION: { colour: "#542788", shape: "square" },
  MOBILIZE: { colour: "#4d4d4d", shape: "square" },
  COERCE: { colour: "#8c510a", shape: "square" },
  ASSAULT: { colour: "#c51b1b", shape: "triangle" },
};

export function lookOf(type: EventType | undefined): Look {
  return type === undefined ? { colour: "#666666", shape: "circle" } : LOOKS[type];
}

/** An SVG path of `shape` centred on (0, 0), about 2r across. */
export function shapePath(shape: Shape, r: number): string {
  switch (shape) {
    case "circle":
      return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    case "diamond":
      return `M0,${-r * 1.25}L${r * 1.25},0L0,${r * 1.25}L${-r * 1.25},0Z`;
    case "square":
      return `M${-r * 0.9},${-r * 0.9}h${r * 1.8}v${r * 1.8}h${-r * 1.8}Z`;
    case "triangle":
      return `M0,${-r * 1.3}L${r * 1.2},${r * 0.9}L${-r * 1.2},${r * 0.9}Z`;
  }
}

/** The small symbol of an event type, beside its written name. */
export function TypeSymbol({ type, size = 14 }: { type: EventType | undefined; size?: number }) {
  const look = lookOf(type);
  const r = size / 2 - 2;
  return (
    <svg class="type-symbol" width={size} height={size} viewBox={`${-size / 2} ${-size / 2} ${size} ${size}`} aria-hidden="true">
      <path d={shapePath(look.shape, r)} fill={look.colour} stroke="#fff" stroke-width="1" />
    </svg>
  );
}

/** The words of the API's vocabularies, for labels and pickers. */
export const VocabulariesContext = createContext<Vocabularies | null>(null);

export function useVocabularies(): Vocabularies | null {
  return useContext(VocabulariesContext);
}

type TermList = Exclude<keyof Vocabularies, "attribution">;

/** The label of `code` in one of the vocabularies; the code itself until they are loaded. */
export function useLabel(): (list: TermList, code: string | null | undefined) => string {
  const vocabularies = useVocabularies();
  return (list, code) => {
    if (code === null || code === undefined) {
      return "";
    }
    const terms: ReadonlyArray<{ code: string; label: string }> = vocabularies?.[list] ?? [];
    return terms.find((term) => term.code === code)?.label ?? code;
  };
}

/** A type with its symbol and its label: the type is never told by colour alone. */
export function TypeLabel({ type }: { type: EventType | undefined }) {
  const label = useLabel();
  return (
    <span class="type-label">
      <TypeSymbol type={type} />
      {label("event_types", type)}
    </span>
  );
}
