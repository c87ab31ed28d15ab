import { REASONING_LIMITS } from '../../preload/api';

/** A JSON object as parsed from a chunk. */
type Detail = Record<string, unknown>;

/** The detail types whose text streams in pieces, and the field that carries it. */
const PIECE_FIELD: Readonly<Record<string, string>> = {
  'reasoning.text': 'text',
  'reasoning.summary': 'summary',
};

function isDetail(value: unknown): value is Detail {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Joins the `reasoning_details` of a streamed answer into the array OpenRouter expects back on
 * the next turn (https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks).
 * Each chunk carries an array of `{type, index, text | summary | data, signature?, id?, format?}`;
 * a `reasoning.text` (or `reasoning.summary`) piece with the `index` and type of an earlier one
 * extends it (its text appended, its other non-null fields — the closing `signature` — set),
 * any other entry (`reasoning.encrypted`, or one without an index) is kept as sent. Entries that
 * are not JSON objects are skipped.
 *
 * Over {@link REASONING_LIMITS} (entries or JSON size), the whole set is dropped and stays
 * dropped: sending back part of a signed chain would be refused, sending none is what a client
 * without this feature does.
 */
export class ReasoningDetailsAccumulator {
  readonly #details: Detail[] = [];
  readonly #byKey = new Map<string, Detail>();
  #chars = 0;
  #overflow = false;

  add(pieces: readonly unknown[]): void {
    if (this.#overflow) return;
    for (const piece of pieces) {
      if (!isDetail(piece)) continue;
      this.#chars += JSON.stringify(piece).length;
      if (this.#chars > REASONING_LIMITS.maxDetailsChars) {
        this.#drop();
        return;
      }
      const type = typeof piece.type === 'string' ? piece.type : '';
      const field = PIECE_FIELD[type];
      const key =
        field !== undefined && typeof piece.index === 'number'
          ? `${type}\u0000${piece.index}`
          : null;
      const earlier = key === null ? undefined : this.#byKey.get(key);
      if (earlier && field !== undefined) {
        for (const [name, value] of Object.entries(piece)) {
          if (name === field) {
            if (typeof value === 'string') earlier[name] = `${textOf(earlier[name])}${value}`;
          } else if (value !== null && value !== undefined) {
            earlier[name] = value;
          }
        }
        continue;
      }
      if (this.#details.length >= REASONING_LIMITS.maxDetails) {
        this.#drop();
        return;
      }
      const copy: Detail = { ...piece };
      this.#details.push(copy);
      if (key !== null) this.#byKey.set(key, copy);
    }
  }

  /** The merged details, or undefined when none arrived (or they were over the limits). */
  result(): unknown[] | undefined {
    if (this.#overflow || this.#details.length === 0) return undefined;
    return this.#details.map((d) => ({ ...d }));
  }

  #drop(): void {
    this.#overflow = true;
    this.#details.length = 0;
    this.#byKey.clear();
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
