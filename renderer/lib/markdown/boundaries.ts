/**
 * Where a streamed answer can be cut into sections that are lexed independently.
 *
 * `marked` lexes top-level blocks front to back, each tokenizer looking at the text ahead and (for a
 * few merges) at the token before. A cut at offset `c` is safe when (1) no later text can move the end
 * of the block before `c`, and (2) lexing from `c` on its own yields the tokens the whole text would.
 * We only cut where both hold, where marked's own lexing of the tail starts a top-level token, and
 * only once the line that decides it is complete:
 *
 * - B1: before a block that follows a blank line, once that block's first line has ended. A blank line
 *   ends paragraphs, tables, quotes, headings; only lists, indented code and fences reach across one,
 *   and `marked` already decides those from this complete line (a list continues only with an item
 *   or indented line; indented code only with an indented line; an open fence never yields a token
 *   here). The token before is then a blank-line `space`, which no tokenizer merges into.
 * - B2: before a fenced code block, once its opening line has ended (a fence interrupts every block).
 * - B3: right after a fenced code block's closing line, once that line has ended (a closed fence never
 *   grows, and nothing merges into a code token).
 *
 * Everything else stays in the open tail. Cuts are a function of the text alone, not of how it was
 * chunked, which is what makes streamed output identical to the one-shot render.
 * Block structure: https://spec.commonmark.org/0.31.2/#blocks-and-inlines (marked follows it with
 * GFM tables; the tests check cut-then-lex against marked's whole-document lexing).
 */
import type { Token, Tokens } from 'marked';

/** A complete fence opening line at offset 0 (marked's `fences` rule, opening part). */
export const FENCE_OPENER = /^ {0,3}(`{3,}(?=[^`\n]*\n)|~{3,})([^\n]*)\n/;

/** The closing-line test for a fence opened with `marker` (marked's `fences` rule, closing part). */
export function fenceCloser(marker: string): RegExp {
  return new RegExp(`^ {0,3}${marker}${marker.charAt(0)}* *$`);
}

export interface Cut {
  /** Offset in the text where the next section starts. */
  readonly offset: number;
  /** Index of the first token that lies wholly after the cut. */
  readonly token: number;
}

function isFence(token: Token): token is Tokens.Code {
  return token.type === 'code' && (token as Tokens.Code).codeBlockStyle !== 'indented';
}

function followsBlankLine(text: string, start: number): boolean {
  if (start === 0 || text.charCodeAt(start - 1) !== 10) return false;
  const lineStart = text.lastIndexOf('\n', start - 2) + 1;
  return /^[ \t]*$/.test(text.slice(lineStart, start - 1));
}

/** The offset just past a fence's closing line and its newline, or null while it can still grow. */
function closedFenceEnd(token: Tokens.Code, text: string, start: number): number | null {
  const marker = /^ {0,3}(`{3,}|~{3,})/.exec(token.raw)?.[1];
  if (!marker) return null;
  const raw = token.raw.endsWith('\n') ? token.raw.slice(0, -1) : token.raw;
  const lastBreak = raw.lastIndexOf('\n');
  if (lastBreak === -1 || !fenceCloser(marker).test(raw.slice(lastBreak + 1))) return null;
  const end = start + raw.length;
  return text.charCodeAt(end) === 10 ? end + 1 : null;
}

/**
 * Every safe cut in `text` (an open tail that starts at a previous cut), given its tokens. With
 * `from`, the tokens before token `from` are known to allow no cut (the open block of a previous
 * update and what precedes it, open-block.ts) and token `from` starts at `offset` in `text`: then
 * `text` may be just the tail's end, and the cuts are offsets in it.
 */
export function findCuts(text: string, tokens: readonly Token[], from = 0, offset = 0): Cut[] {
  const cuts: Cut[] = [];
  const add = (at: number, token: number) => {
    if (at > (cuts.at(-1)?.offset ?? 0)) cuts.push({ offset: at, token });
  };
  for (let i = from; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    // A few merges rewrite `raw`; past one, offsets are unknown, so cut no further.
    if (!text.startsWith(token.raw, offset)) break;
    const start = offset;
    offset += token.raw.length;
    if (token.type === 'space') continue;
    if (isFence(token)) {
      if (token.raw.includes('\n')) add(start, i);
      const end = closedFenceEnd(token, text, start);
      if (end !== null) add(end, end === offset ? i + 1 : i + 2);
    } else if (followsBlankLine(text, start) && text.indexOf('\n', start) !== -1) {
      add(start, i);
    }
  }
  return cuts;
}
