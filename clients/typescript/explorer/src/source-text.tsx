/**
 * A source's text with the quoted words highlighted where the API says they
 * are (each citation's start and end, counted in characters of the body).
 * Quotes may overlap: each stretch of text is marked once, naming every
 * record that quotes it.
 */
import type { Quote, Source } from "./api.js";

export interface Highlight extends Quote {
  /** The id of the first mark of this quote, for links to it. */
  id: string;
  /** Who quotes these words: "this event", "Turkey's denial". */
  by: string;
}

interface Piece {
  text: string;
  quotes: Highlight[];
}

/**
 * The body cut at every start and end. Offsets count Unicode characters (code
 * points), as the API does, not the UTF-16 units of a JavaScript string; a
 * quote whose offsets do not hold its words (an edited body) is looked up by
 * its words instead.
 */
export function pieces(body: string, quotes: Highlight[]): Piece[] {
  const characters = Array.from(body);
  const placed = quotes.flatMap((quote) => {
    if (characters.slice(quote.start, quote.end).join("") === quote.quote) {
      return [quote];
    }
    const at = body.indexOf(quote.quote);
    if (at < 0) {
      return [];
    }
    const start = Array.from(body.slice(0, at)).length;
    return [{ ...quote, start, end: start + Array.from(quote.quote).length }];
  });
  const cuts = [...new Set([0, characters.length, ...placed.flatMap((quote) => [quote.start, quote.end])])].sort((a, b) => a - b);
  const found: Piece[] = [];
  for (let index = 0; index + 1 < cuts.length; index++) {
    const start = cuts[index] ?? 0;
    const end = cuts[index + 1] ?? start;
    found.push({
      text: characters.slice(start, end).join(""),
      quotes: placed.filter((quote) => quote.start <= start && quote.end >= end),
    });
  }
  return found;
}

export function SourceText({ source, highlights }: { source: Source; highlights: Highlight[] }) {
  const marked = new Set<string>();
  const passages = new Set(highlights.map((quote) => quote.id)).size;
  return (
    <article class="source" id={`source-${source.id}`} aria-labelledby={`source-title-${source.id}`}>
      <h3 id={`source-title-${source.id}`}>{source.title}</h3>
      <p class="source-meta">
        {[source.publisher, source.published_on].filter(Boolean).join(", ")}
        {source.url ? (
          <>
            {" · "}
            <a href={source.url} rel="noreferrer noopener" target="_blank">
              the original
            </a>
          </>
        ) : null}
        {" · "}
        {passages} {passages === 1 ? "passage" : "passages"} quoted, highlighted below
      </p>
      <div class="source-body">
        {pieces(source.body, highlights).map((piece, index) => {
          if (piece.quotes.length === 0) {
            return <span key={index}>{piece.text}</span>;
          }
          // The first mark of each quote carries its id, so that links can point at it.
          const first = piece.quotes.find((quote) => !marked.has(quote.id));
          if (first !== undefined) marked.add(first.id);
          const by = [...new Set(piece.quotes.map((quote) => quote.by))].join("; ");
          return (
            <mark key={index} id={first?.id} class={piece.quotes.length > 1 ? "quoted several" : "quoted"} title={`Quoted by ${by}`} tabIndex={first !== undefined ? -1 : undefined}>
              {piece.text}
              <span class="visually-hidden"> (quoted by {by})</span>
            </mark>
          );
        })}
      </div>
    </article>
  );
}
