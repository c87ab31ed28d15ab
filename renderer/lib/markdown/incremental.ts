/**
 * Streaming markdown for chat answers: finished blocks are lexed, rendered and sanitized once; only
 * the open tail since the last safe cut (see `boundaries.ts`) is re-lexed per update, and an open
 * code fence is extended line by line without re-lexing at all. performance.md: re-parsing a whole
 * answer per token is O(n²); this is O(tail) per update.
 */
import { FENCE_OPENER, fenceCloser, findCuts, type Cut } from './boundaries';
import { findOpenBlock, lexOpenBlock, sharedItems, type Lex, type OpenBlock } from './open-block';
import {
  CODE_BLOCK_CLOSE,
  codeBlockOpen,
  emptyLinks,
  escapeText,
  lexSection,
  normalizeLang,
  renderToken,
  type LinkMap,
  type Piece,
  type TokenHtml,
  type TokenParts,
} from './render';
import { sanitize as sanitizeWithDompurify, type Sanitize } from './sanitize';
import type { Token } from 'marked';

/** One top-level block of a rendered answer. */
export interface RenderedBlock {
  /** The block's index in `blocks`; stable, since blocks before the tail never move. */
  readonly id: number;
  /** Sanitized html. */
  readonly html: string;
  /** No later text can change this block. */
  readonly closed: boolean;
  /** Set for top-level code blocks: the raw code to copy or highlight. */
  readonly code?: { readonly lang: string | null; readonly text: string };
  /** Set for lists and tables: `html` in parts, so a view can keep the DOM of unchanged items. */
  readonly parts?: BlockParts;
}

/** A list's (table's) sanitized html: `open + items.join('') + close`. */
export interface BlockParts {
  /** Up to the first item: `<ul>\n`, or a table's head and `<tbody>`. */
  readonly open: string;
  /** One per item (row); an unchanged item keeps the same string. */
  readonly items: readonly string[];
  readonly close: string;
}

/** A list or table block; its whole html is joined only when asked for. */
class PartsBlock implements RenderedBlock {
  #html: string | null = null;
  constructor(
    readonly id: number,
    readonly closed: boolean,
    readonly parts: BlockParts,
    /** Per item: its token (the same object while unchanged), as `TokenParts.keys`. */
    readonly keys: readonly object[],
    /** Per item: its html before sanitizing. */
    readonly sources: readonly string[],
  ) {}

  get html(): string {
    this.#html ??= this.parts.open + this.parts.items.join('') + this.parts.close;
    return this.#html;
  }
}

export interface IncrementalMarkdownOptions {
  /** Called once per top-level code block when it can no longer change (its fence closed, or the
   * stream finished), so the UI can `highlightCode` it and swap the html in. */
  readonly onCodeBlockClosed?: (block: RenderedBlock) => void;
}

interface OpenFence {
  readonly closer: RegExp;
  /** marked's indentation compensation: an opening fence indented by n strips up to n from each line. */
  readonly indent: number;
  readonly lang: string | null;
  /** The last line, not yet ended by a newline. */
  pending: string;
  /** Escaped html of the ended content lines, each followed by a newline. */
  body: string;
  /** The ended content lines, each followed by a newline. */
  text: string;
}

const ESCAPED_PUNCTUATION = /\\([\p{P}\p{S}])/gu;

function compensate(line: string, indent: number): string {
  if (indent === 0) return line;
  const leading = /^\s+/.exec(line)?.[0].length ?? 0;
  return line.slice(Math.min(leading, indent));
}

/**
 * The engine behind `IncrementalMarkdown`, with the sanitizer passed in so Node tests and benchmarks
 * can run it without a browser DOM. Application code uses `IncrementalMarkdown`.
 */
export class MarkdownStream {
  readonly #sanitize: Sanitize;
  readonly #onCodeBlockClosed: ((block: RenderedBlock) => void) | undefined;
  readonly #blocks: RenderedBlock[] = [];
  /** Pre-sanitize html of the tail's blocks, to skip re-sanitizing a block that did not change. */
  #tailSources: string[] = [];
  #closedCount = 0;
  #closedText = '';
  /** The open tail is `#head + #rest`; `#head` is empty unless a list or table is open (`#tail`). */
  #head = '';
  #rest = '';
  #links: LinkMap = emptyLinks();
  #fence: OpenFence | null = null;
  #pendingCR = false;
  #finished = false;
  #lexedChars = 0;
  #itemsRendered = 0;
  /** The tail's open list or table and the tail's tokens it belongs to (open-block.ts). */
  #open: OpenBlock | null = null;
  #openTokens: readonly Token[] = [];
  // Per-update bookkeeping.
  #base = 0;
  #oldTail: RenderedBlock[] = [];
  #oldSources: string[] = [];
  #newlyClosedCode: RenderedBlock[] = [];
  /** Sanitized list items and table rows of the previous and the current update. */
  #pieces = new Map<string, string>();
  #nextPieces = new Map<string, string>();

  constructor(sanitize: Sanitize, options: IncrementalMarkdownOptions = {}) {
    this.#sanitize = sanitize;
    this.#onCodeBlockClosed = options.onCodeBlockClosed;
  }

  /** All top-level blocks: closed ones first, then the open tail. Updated in place by `append`. */
  get blocks(): readonly RenderedBlock[] {
    return this.#blocks;
  }

  /** Characters handed to the lexer so far: the work measure behind the O(tail) claim, for tests. */
  get lexedChars(): number {
    return this.#lexedChars;
  }

  /**
   * List items and table rows looked at one by one so far (rendered, or compared with the previous
   * update's): the work measure behind "an open list costs per token what its last item costs".
   */
  get itemsRendered(): number {
    return this.#itemsRendered;
  }

  /**
   * The open tail since the last cut. While a list or table is open it is kept in two strings:
   * `#head`, up to the block's last item, and `#rest`, which the appends grow, so that an update
   * touches only `#rest` (V8 copies a concatenated string whole before a regex or slice reads it,
   * which would copy every finished item's text on every token).
   */
  get #tail(): string {
    return this.#head ? this.#head + this.#rest : this.#rest;
  }

  set #tail(text: string) {
    this.#head = '';
    this.#rest = text;
  }

  /** The text appended so far, line endings normalized to `\n`. */
  get text(): string {
    return this.#closedText + this.#tail;
  }

  /**
   * Adds streamed text. Returns the index of the first block that changed: blocks before it are the
   * same objects as before the call; the list may also have grown or shrunk from there.
   */
  append(chunk: string): { changedFrom: number } {
    if (this.#finished) throw new Error('IncrementalMarkdown: append() after finish()');
    const text = this.#normalize(chunk);
    if (!text) return { changedFrom: this.#blocks.length };
    this.#begin();
    this.#rest += text;
    // While a fence is open only the new text is scanned; once it closes, the rest is a new tail.
    if (!this.#fence || this.#feedFence(text)) this.#process();
    return this.#end();
  }

  /** Ends the stream: the tail is lexed once more as a whole and every block is closed. */
  finish(): { changedFrom: number } {
    if (this.#finished) return { changedFrom: this.#blocks.length };
    this.#finished = true;
    this.#begin();
    if (this.#pendingCR) {
      this.#pendingCR = false;
      this.#tail += '\n';
    }
    const rest = this.#tail;
    this.#fence = null;
    this.#open = null;
    this.#tail = '';
    if (rest) this.#closeSection(rest);
    return this.#end();
  }

  #normalize(chunk: string): string {
    let text = this.#pendingCR ? `\r${chunk}` : chunk;
    // A chunk ending in \r may be half of \r\n: hold it until the next chunk says which.
    this.#pendingCR = text.endsWith('\r');
    if (this.#pendingCR) text = text.slice(0, -1);
    return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  }

  #begin(): void {
    this.#base = this.#closedCount;
    this.#oldTail = this.#blocks.splice(this.#base);
    this.#oldSources = this.#tailSources;
    this.#tailSources = [];
    this.#newlyClosedCode = [];
  }

  #end(): { changedFrom: number } {
    this.#pieces = this.#nextPieces;
    this.#nextPieces = new Map();
    const blocks = this.#blocks;
    let i = this.#base;
    while (
      i < blocks.length &&
      i - this.#base < this.#oldTail.length &&
      blocks[i] === this.#oldTail[i - this.#base]
    ) {
      i++;
    }
    this.#oldTail = [];
    this.#oldSources = [];
    const closedCode = this.#newlyClosedCode;
    this.#newlyClosedCode = [];
    for (const block of closedCode) this.#onCodeBlockClosed?.(block);
    return { changedFrom: i };
  }

  /** Lexes the tail, closes every section before its last safe cut, and renders what is left. */
  #process(): void {
    for (;;) {
      // With `#head` set the tail starts with an open block, whose first line this update
      // cannot change (the test depends on it alone) and which did not open a fence before.
      const opener = this.#head ? null : FENCE_OPENER.exec(this.#rest);
      if (opener) {
        if (this.#openFence(opener)) continue;
        return;
      }
      const { tokens, cuts } = this.#lexTail();
      const last = cuts.at(-1);
      if (!last) {
        this.#split();
        this.#renderTail(tokens);
        return;
      }
      this.#open = null;
      const tail = this.#tail;
      let start = 0;
      let definitions = false;
      for (const cut of cuts) {
        definitions = this.#closeSection(tail.slice(start, cut.offset)) || definitions;
        start = cut.offset;
      }
      this.#tail = tail.slice(last.offset);
      // The tokens after the cut are what lexing the rest alone gives, unless a closed section
      // defined links, which the rest must now see as earlier definitions.
      if (!definitions && !FENCE_OPENER.test(this.#tail)) {
        this.#renderTail(tokens.slice(last.token));
        return;
      }
    }
  }

  /** Lexes, renders and sanitizes a finished section: the only time its blocks are built. */
  #closeSection(text: string): boolean {
    const { tokens, links } = this.#lex(text);
    this.#links = links;
    this.#closedText += text;
    let definitions = false;
    for (const token of tokens) {
      if (token.type === 'def') definitions = true;
      const rendered = renderToken(token, this.#blocks.length);
      if (!rendered) continue;
      const block = this.#block(rendered, true);
      this.#blocks.push(block);
      if (block.code) this.#newlyClosedCode.push(block);
    }
    this.#closedCount = this.#blocks.length;
    return definitions;
  }

  /**
   * The tail's tokens and its safe cuts (offsets in the tail). When an open list or table is known,
   * only its last item (table's last row) on is lexed, and searched for cuts (findCuts' `from`).
   */
  #lexTail(): { tokens: readonly Token[]; cuts: readonly Cut[] } {
    const open = this.#open;
    if (open && this.#head.length === open.last) {
      const lex: Lex = (text, links) => this.#lex(text, links);
      const fast = lexOpenBlock(this.#rest, this.#openTokens, open, lex, () => this.#tail);
      if (fast) {
        this.#open = fast.open;
        this.#openTokens = fast.tokens;
        const cuts = findCuts(this.#rest, fast.tokens, open.index + 1, fast.after);
        return {
          tokens: fast.tokens,
          cuts: cuts.map((cut) => ({ offset: open.last + cut.offset, token: cut.token })),
        };
      }
    }
    const tail = this.#tail;
    this.#tail = tail;
    const { tokens, links } = this.#lex(tail);
    this.#open = findOpenBlock(tail, tokens, links);
    this.#openTokens = tokens;
    return { tokens, cuts: findCuts(tail, tokens) };
  }

  /** Moves the finished items of the open block into `#head`, the rest of the tail into `#rest`. */
  #split(): void {
    const open = this.#open;
    const done = open ? open.last - this.#head.length : 0;
    if (!open) {
      this.#rest = this.#head + this.#rest;
      this.#head = '';
    } else if (done > 0) {
      this.#head += this.#rest.slice(0, done);
      this.#rest = this.#rest.slice(done);
    } else if (done < 0) {
      const tail = this.#tail;
      this.#head = tail.slice(0, open.last);
      this.#rest = tail.slice(open.last);
    }
  }

  #lex(text: string, links = this.#links): ReturnType<typeof lexSection> {
    this.#lexedChars += text.length;
    return lexSection(text, links);
  }

  #renderTail(tokens: readonly Token[]): void {
    for (const token of tokens) {
      const rendered = renderToken(token, this.#blocks.length);
      if (!rendered) continue;
      this.#blocks.push(this.#block(rendered, false));
      this.#tailSources.push(rendered.parts ? '' : rendered.html);
    }
  }

  /** A block for the next index, reusing the previous update's object or sanitized html if unchanged. */
  #block(rendered: TokenHtml, closed: boolean): RenderedBlock {
    const id = this.#blocks.length;
    const previous = this.#oldTail[id - this.#base];
    if (rendered.parts) {
      const block = this.#partsBlock(id, previous, rendered.parts, closed);
      if (block) return block;
    }
    let html: string;
    if (!rendered.parts && previous && this.#oldSources[id - this.#base] === rendered.html) {
      if (previous.closed === closed) return previous;
      html = previous.html;
    } else if (rendered.trusted) {
      html = rendered.html;
    } else {
      html = this.#sanitize(rendered.html);
    }
    return rendered.code ? { id, html, closed, code: rendered.code } : { id, html, closed };
  }

  /**
   * A list or table sanitized item by item (row by row): an item whose token (or html) is the
   * previous update's keeps its sanitized html, so while it streams only the last item is rendered
   * and sanitized again. The finished items an open block's merge carried over (`sharedItems`) are
   * taken as they are, without a look at each, so an update's work does not grow with the number
   * of items. Null when a table row does not come back in its wrapper (then the whole block is
   * sanitized instead).
   */
  #partsBlock(
    id: number,
    previous: RenderedBlock | undefined,
    parts: TokenParts,
    closed: boolean,
  ): RenderedBlock | null {
    const before = previous instanceof PartsBlock ? previous : null;
    const open = this.#sanitizePieces(parts.open);
    const close = this.#sanitizePieces(parts.close);
    if (open === null || close === null) return null;
    const keys = parts.keys;
    const shared = before ? sharedItems(keys, before.keys) : 0;
    const items = before ? before.parts.items.slice(0, shared) : [];
    const sources = before ? before.sources.slice(0, shared) : [];
    let same =
      before !== null &&
      before.closed === closed &&
      open === before.parts.open &&
      close === before.parts.close;
    for (let at = shared; at < keys.length; at++) {
      this.#itemsRendered++;
      const sameKey = before?.keys[at] === keys[at];
      const source = sameKey ? (before?.sources[at] as string) : parts.item(at);
      const known =
        before && (sameKey || before.sources[at] === source) ? before.parts.items[at] : undefined;
      const clean = known ?? this.#sanitizeItem(source, parts.context);
      if (clean === null) return null;
      same &&= clean === before?.parts.items[at];
      items.push(clean);
      sources.push(source);
    }
    if (before && same && keys.length === before.parts.items.length) return before;
    return new PartsBlock(id, closed, { open, items, close }, keys, sources);
  }

  /** A list's or table's markup around its items, sanitized; remembered by html across updates. */
  #sanitizePieces(pieces: readonly Piece[]): string | null {
    let html = '';
    for (const piece of pieces) {
      if (piece.trusted) {
        html += piece.html;
        continue;
      }
      const key = `${piece.context ?? ''}\0${piece.html}`;
      const clean =
        this.#nextPieces.get(key) ??
        this.#pieces.get(key) ??
        this.#sanitizeItem(piece.html, piece.context);
      if (clean === null) return null;
      this.#nextPieces.set(key, clean);
      html += clean;
    }
    return html;
  }

  /** One item, or a table row inside its table; null when a row does not come back in its wrapper. */
  #sanitizeItem(html: string, context: Piece['context']): string | null {
    if (!context) return this.#sanitize(html);
    const [open, close] = [`<table><${context}>`, `</${context}></table>`];
    const wrapped = this.#sanitize(open + html + close);
    if (!wrapped.startsWith(open) || !wrapped.endsWith(close)) return null;
    return wrapped.slice(open.length, -close.length);
  }

  /** Starts the fence fast path on a tail that begins with a complete opening line. Returns true
   * when the fence already closed (the tail now starts after it), false while it stays open. */
  #openFence(opener: RegExpExecArray): boolean {
    const [line, marker = '```', info = ''] = opener;
    this.#fence = {
      closer: fenceCloser(marker),
      indent: marker.startsWith('`') ? line.length - line.trimStart().length : 0,
      lang: normalizeLang(info.trim().replace(ESCAPED_PUNCTUATION, '$1')),
      pending: '',
      body: '',
      text: '',
    };
    return this.#feedFence(this.#tail.slice(line.length));
  }

  /**
   * Scans only the new text for the closing line; content lines are escaped and appended. Returns
   * true when the fence closed: its section is closed and the tail starts after it.
   */
  #feedFence(text: string): boolean {
    const fence = this.#fence;
    if (!fence) return true;
    const textStart = this.#tail.length - text.length;
    let position = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', position)) {
      const line = fence.pending + text.slice(position, newline);
      fence.pending = '';
      position = newline + 1;
      if (fence.closer.test(line)) {
        const end = textStart + position;
        const section = this.#tail.slice(0, end);
        this.#tail = this.#tail.slice(end);
        this.#fence = null;
        this.#open = null;
        this.#closeSection(section);
        return true;
      }
      const content = compensate(line, fence.indent);
      fence.body += `${escapeText(content)}\n`;
      fence.text += `${content}\n`;
    }
    fence.pending += text.slice(position);
    this.#renderOpenFence(fence);
    return false;
  }

  #renderOpenFence(fence: OpenFence): void {
    const id = this.#blocks.length;
    // A last line that would close the fence is not content, as marked reads it at the end of input.
    const last =
      fence.pending && !fence.closer.test(fence.pending)
        ? compensate(fence.pending, fence.indent)
        : null;
    const body = last === null ? fence.body : `${fence.body}${escapeText(last)}\n`;
    this.#blocks.push({
      id,
      html: codeBlockOpen(id, fence.lang) + body + CODE_BLOCK_CLOSE,
      closed: false,
      code: { lang: fence.lang, text: fence.text + (last ?? '') },
    });
    this.#tailSources.push('');
  }
}

/**
 * Streaming markdown: `append(text)` adds characters; `blocks` is the list of top-level blocks.
 * Finished (closed) blocks are lexed, rendered and sanitized once and never touched again; only the
 * open tail since the last safe cut is re-lexed on each update, and an open code fence only scans
 * the new lines. `finish()` marks the end of the stream (the tail becomes closed).
 *
 * For any text and any way of splitting it into chunks, the blocks' html after `finish()` is
 * identical to `renderMarkdown(text)`.
 *
 * Link reference definitions apply to links in their own section and in every later one; a link
 * before its definition's section stays literal text (a streamed block must not change once closed).
 */
export class IncrementalMarkdown extends MarkdownStream {
  constructor(options: IncrementalMarkdownOptions = {}) {
    super(sanitizeWithDompurify, options);
  }
}

/** The one-shot render through the same pipeline, with the given sanitizer. */
export function renderMarkdownWith(text: string, sanitize: Sanitize): string {
  const stream = new MarkdownStream(sanitize);
  stream.append(text);
  stream.finish();
  return stream.blocks.map((block) => block.html).join('');
}

/** The one-shot reference: the same pipeline over the whole text at once. */
export function renderMarkdown(text: string): string {
  return renderMarkdownWith(text, sanitizeWithDompurify);
}
