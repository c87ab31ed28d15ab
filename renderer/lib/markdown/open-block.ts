/**
 * Incremental lexing of an open list or table: the last block of a streamed answer that is still
 * growing, item by item (row by row).
 *
 * Once the next item of a list has begun, an item can no longer change: its end is fixed by the line
 * that starts the next one, and `marked` lexes each item's text on its own. Only two things reach
 * back: looseness (one blank line between items makes every item a paragraph) and link reference
 * definitions (a definition in a later item resolves links in earlier ones). Table rows are single
 * lines, cut into cells by the header's column count; a finished row never changes.
 *
 * So instead of re-lexing the whole tail on every token, we lex only a segment: the text from the
 * start of the block's last item (last row) to the end of the tail, after
 * - for a table, its header and delimiter lines (the rows' column count and alignment);
 * - for a loose list, a dummy item and a blank line with the same bullet (which makes the segment's
 *   list loose as well, as `marked` would mark it inside the whole list),
 * and splice the segment's items (rows) after the finished ones. Whenever the segment's reading
 * could differ from the whole text's — a list turned loose, a new definition, the block ended in a
 * way the segment does not show — the caller lexes the whole tail instead: correctness never depends
 * on the fast path, only speed does. The tests compare against `marked` on every prefix.
 */
import type { Token, Tokens } from 'marked';
import type { LinkMap } from './render';

export type Lex = (text: string, links: LinkMap) => { tokens: Token[]; links: LinkMap };

/** Where the open list or table of a tail is, and what lexing its last item needs. */
export interface OpenBlock {
  /** Index of the block in the tail's tokens; the tokens before it never change. */
  readonly index: number;
  readonly block: Tokens.List | Tokens.Table;
  /** Offset in the tail where the block starts. */
  readonly start: number;
  /** Offset in the tail where its last item (row) starts: re-lexed on each update. */
  readonly last: number;
  /** The block's text before its last item (`tail.slice(start, last)`), grown by concatenation so
   * an update never copies the finished items' text (V8 flattens a string it slices). */
  readonly head: string;
  /** Text lexed in front of the last item: a table's header lines, a loose list's dummy item. */
  readonly lead: string;
  /** For a list: its finished items alone make it loose (`lead` is then a dummy item). */
  readonly loose: boolean;
  /** The link definitions lexing the tail found (with those of the sections before it). */
  readonly links: LinkMap;
}

const BULLET = /^ {0,3}(?:[*+-]|\d{1,9}[.)])/;
/** marked's `doubleBlankLine` and `anyLine` (its list tokenizer's looseness tests). */
const ENDS_BLANK = /\n[ \t]*\n[ \t]*$/;
const TWO_LINES = /\n.*\n/;

/**
 * Whether finished items (each followed by another item) make their list loose, as marked decides
 * it: an item ending in a blank line before the next one, or a blank line between its children.
 */
function looseItems(items: readonly Tokens.ListItem[]): boolean {
  return items.some(
    (item) =>
      ENDS_BLANK.test(item.raw) ||
      item.tokens.some((token) => token.type === 'space' && TWO_LINES.test(token.raw)),
  );
}

/** Where a table's last row starts: its raw may end with a newline and a blank line. */
function lastLineStart(raw: string): number {
  let end = raw.length;
  while (end > 0 && /[\n \t]/.test(raw.charAt(end - 1))) end--;
  return raw.lastIndexOf('\n', end - 1) + 1;
}

/** Item (row) arrays built by a merge here: the array whose first `count` items they begin with. */
const merged = new WeakMap<
  readonly object[],
  { readonly from: readonly object[]; count: number }
>();

function mergeItems<T extends object>(from: readonly T[], count: number, rest: readonly T[]): T[] {
  const items = from.slice(0, count);
  for (const item of rest) items.push(item);
  // Only the newest link is asked for; keeping older ones would keep every past array alive.
  merged.delete(from);
  merged.set(items, { from, count });
  return items;
}

/**
 * How many leading items of `items` are known, without comparing them, to be the same objects as
 * those of `before`: the finished items a merge carried over from the previous update's block, or
 * 0 when `items` did not come from `before` (then a caller compares item by item).
 */
export function sharedItems(items: readonly object[], before: readonly object[]): number {
  if (items === before) return items.length;
  const origin = merged.get(items);
  return origin?.from === before ? origin.count : 0;
}

function linkCount(links: LinkMap): number {
  return Object.keys(links).length;
}

/** The open block of a freshly lexed tail: its last list or table, or null. */
export function findOpenBlock(
  tail: string,
  tokens: readonly Token[],
  links: LinkMap,
): OpenBlock | null {
  let offset = 0;
  let found: OpenBlock | null = null;
  for (const [index, token] of tokens.entries()) {
    if (!tail.startsWith(token.raw, offset)) return found;
    const start = offset;
    offset += token.raw.length;
    const block = token as Tokens.List | Tokens.Table;
    if (block.type === 'list' && block.items.length >= 2) {
      const items = block.items;
      let last = start;
      for (let i = 0; i < items.length - 1; i++) last += (items[i] as Tokens.ListItem).raw.length;
      const final = items.at(-1) as Tokens.ListItem;
      if (!tail.startsWith(final.raw, last)) continue;
      const bullet = BULLET.exec(final.raw)?.[0];
      if (bullet === undefined) continue;
      const loose = looseItems(items.slice(0, -1));
      // Loose through its last item alone: the finished items' paragraphs may yet go away.
      if (loose !== block.loose) continue;
      const lead = loose ? `${bullet} x\n\n` : '';
      found = { index, block, start, last, head: tail.slice(start, last), lead, loose, links };
    } else if (block.type === 'table' && block.rows.length >= 1) {
      const second = token.raw.indexOf('\n', token.raw.indexOf('\n') + 1);
      const lastLine = lastLineStart(token.raw);
      if (second === -1 || lastLine <= second) continue;
      const lead = token.raw.slice(0, second + 1);
      const last = start + lastLine;
      const head = tail.slice(start, last);
      found = { index, block, start, last, head, lead, loose: false, links };
    }
  }
  return found;
}

/**
 * The tail's tokens, lexing only the open block's last item and what follows it; null when the
 * whole tail must be lexed instead. `text` is the tail from the block's last item on
 * (`tail.slice(open.last)`); `tokens` are the previous update's tokens of the same tail (which has
 * only grown since); `tail` gives the whole tail, asked for only when a later list or table begins.
 * `after` is the offset in `text` where the tokens after the merged block begin.
 */
export function lexOpenBlock(
  text: string,
  tokens: readonly Token[],
  open: OpenBlock,
  lex: Lex,
  tail: () => string,
): { tokens: Token[]; links: LinkMap; open: OpenBlock | null; after: number } | null {
  const result = lex(open.lead + text, open.links);
  if (linkCount(result.links) !== linkCount(open.links)) return null;
  const [first, ...rest] = result.tokens;
  const merged =
    open.block.type === 'list'
      ? mergeList(open, open.block, first, text)
      : mergeTable(open, open.block, first, text);
  if (!merged) return null;
  const next = [...tokens.slice(0, open.index), merged.token, ...rest];
  const later = rest.some((token) => token.type === 'list' || token.type === 'table');
  return {
    tokens: next,
    links: result.links,
    open: later ? findOpenBlock(tail(), next, result.links) : merged.open,
    after: merged.size,
  };
}

interface Merged {
  readonly token: Token;
  readonly open: OpenBlock;
  /** How much of the text from the last item on the merged block takes. */
  readonly size: number;
}

function mergeList(
  open: OpenBlock,
  list: Tokens.List,
  first: Token | undefined,
  text: string,
): Merged | null {
  if (first?.type !== 'list') return null;
  const segment = first as Tokens.List;
  // Unless the finished items make the list loose (then the lead item makes the segment loose
  // too), a loose segment would turn them into paragraphs: lex the whole tail.
  if (segment.ordered !== list.ordered || segment.loose !== open.loose) return null;
  let items = segment.items;
  if (open.loose) {
    if (items[0]?.raw !== open.lead) return null;
    items = items.slice(1);
  }
  if (items.length === 0) return null;
  const size = segment.raw.length - open.lead.length;
  const token: Tokens.List = {
    ...segment,
    raw: open.head + text.slice(0, size),
    start: list.start,
    items: mergeItems(list.items, list.items.length - 1, items),
  };
  let done = 0;
  for (let i = 0; i < items.length - 1; i++) done += (items[i] as Tokens.ListItem).raw.length;
  const head = done ? open.head + text.slice(0, done) : open.head;
  return { token, open: { ...open, block: token, last: open.last + done, head }, size };
}

function mergeTable(
  open: OpenBlock,
  table: Tokens.Table,
  first: Token | undefined,
  text: string,
): Merged | null {
  if (first?.type !== 'table') return null;
  const segment = first as Tokens.Table;
  if (segment.header.length !== table.header.length || segment.rows.length === 0) return null;
  const size = segment.raw.length - open.lead.length;
  const token: Tokens.Table = {
    ...segment,
    raw: open.head + text.slice(0, size),
    header: table.header,
    rows: mergeItems(table.rows, table.rows.length - 1, segment.rows),
  };
  const done = lastLineStart(segment.raw) - open.lead.length;
  const head = done ? open.head + text.slice(0, done) : open.head;
  return { token, open: { ...open, block: token, last: open.last + done, head }, size };
}
