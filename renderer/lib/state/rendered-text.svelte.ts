/**
 * A message text's markdown as the view shows it: loaded on demand, parsed incrementally and in
 * slices within a per-frame budget, code highlighted one block at a time.
 */
import type * as MarkdownApi from '../markdown';
import type { BlockParts, IncrementalMarkdown, RenderedBlock } from '../markdown';
import { frameBudget } from './frame-budget';
import { warmUp } from './markdown-warm-up';
import { TextQueue } from './text-queue';

type MarkdownModule = typeof MarkdownApi;

/**
 * The markdown module (marked + DOMPurify) is loaded on demand, outside the startup bundle
 * (performance.md: initial JS ≤ 80 KB gzip). The chat starts loading it as soon as it opens;
 * until it arrives an answer shows as plain text.
 */
class MarkdownLoader {
  module = $state.raw<MarkdownModule | null>(null);
  /** An answer's text has been parsed: the module is warm (`markdown-warm-up.ts`). */
  used = false;
  #pending: Promise<MarkdownModule> | null = null;

  load(): Promise<MarkdownModule> {
    this.#pending ??= import('../markdown').then(
      (module) => {
        if (typeof requestIdleCallback === 'function') {
          warmUp(
            () => new module.IncrementalMarkdown(),
            (step) => requestIdleCallback(step),
            () => this.used,
          );
        }
        return (this.module = module);
      },
      (error: unknown) => {
        this.#pending = null;
        throw error;
      },
    );
    return this.#pending;
  }
}

export const markdown = new MarkdownLoader();

/** Highlighted code by language and text, so a block scrolled back into view is not plain. */
// eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache, read synchronously
const highlights = new Map<string, string>();
const HIGHLIGHTS_KEPT = 200;

function highlightKey(code: { readonly lang: string | null; readonly text: string }): string {
  return `${code.lang ?? ''}\u0000${code.text}`;
}

function remember(key: string, html: string): void {
  highlights.delete(key);
  highlights.set(key, html);
  if (highlights.size > HIGHLIGHTS_KEPT) {
    const oldest = highlights.keys().next().value;
    if (oldest !== undefined) highlights.delete(oldest);
  }
}

/** A markdown block as the message view renders it (highlighted html swapped in when ready). */
export interface BlockView {
  readonly id: number;
  /** Sanitized by the markdown module (or by `highlightCode`); the only html the UI injects. */
  readonly html: string;
  /** Raw source of a top-level code block, for "Copy code". */
  readonly code: { readonly lang: string | null; readonly text: string } | null;
  /** A list's or table's `html` in parts, so the view keeps the DOM of unchanged items. */
  readonly parts?: BlockParts;
}

/**
 * A code block's html with the contents of its `<code>` element replaced by highlighted html.
 * Both parts come sanitized from the markdown module; the block is the module's own template
 * (`…<pre><code …>escaped text</code></pre></div>`), whose escaped body cannot contain a tag.
 */
function withCode(html: string, highlighted: string): string {
  const open = html.indexOf('<code');
  const close = html.lastIndexOf('</code>');
  const body = open === -1 ? -1 : html.indexOf('>', open) + 1;
  if (body <= 0 || close < body) return html;
  return html.slice(0, body) + highlighted + html.slice(close);
}

/** A closed code block waiting for its highlighting, with its key in the highlight cache. */
interface QueuedHighlight {
  readonly block: RenderedBlock;
  readonly key: string;
}

/** Characters of text handed to the markdown module at a time while catching up. */
const SLICE_CHARS = 512;

/**
 * Blocks per chunk: the unit the view draws, and leaves out when it is far off screen
 * (`MarkdownBlocks`, `chunk-visibility.svelte.ts`).
 */
export const CHUNK_BLOCKS = 16;

/** A text's blocks in runs of {@link CHUNK_BLOCKS}; a run whose blocks did not change keeps its identity. */
export type BlockChunks = readonly (readonly BlockView[])[];

/** Whether `views[start, end)` are the blocks of `chunk`, in order. */
function sameRun(
  chunk: readonly BlockView[] | undefined,
  views: readonly BlockView[],
  start: number,
  end: number,
): chunk is readonly BlockView[] {
  if (chunk?.length !== end - start) return false;
  for (let index = start; index < end; index++) {
    if (views[index] !== chunk[index - start]) return false;
  }
  return true;
}

/**
 * One text of a message (its answer, or its reasoning) and its markdown, parsed on demand and
 * incrementally while it streams: finished blocks keep their identity, so the view re-renders
 * only the open tail. `changed` is called whenever what {@link blocks} returns may differ.
 *
 * Parsing is sliced (`frame-budget.ts`): a few KB arriving in a frame are parsed at once, but a
 * backlog (a fast stream, a long answer opened from history) is parsed `SLICE_CHARS` at a time
 * within a per-frame budget, so the view may trail the text for some frames and never blocks the
 * page. `content` is always the whole text.
 */
export class RenderedText {
  readonly #changed: () => void;
  #content: string;
  #markdown: IncrementalMarkdown | null = null;
  /** The end of `#content` not handed to `#markdown` yet (only while it is set). */
  readonly #backlog = new TextQueue();
  /** The stream has ended: `#markdown` is finished once it has caught up. */
  #finishing = false;
  /** A slice is scheduled: the backlog is parsed there, not by `append`. */
  #scheduled = false;
  /** The blocks' views, changed in place; the view reads them through `#chunks`. */
  #views: BlockView[] = [];
  /**
   * `#views` in chunks, a new list whenever a chunk changes. Kept here, where it is known which
   * blocks changed, so an update costs the changed chunk and a copy of the list, not a look at
   * every block of a long answer.
   */
  #chunks: BlockChunks = [];
  /** Views by the module's block object: an unchanged block keeps its view (and its DOM). */
  #viewOf = new WeakMap<RenderedBlock, BlockView>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read while building views, not by the UI
  #highlighted = new Map<number, string>();
  /**
   * Code blocks waiting to be highlighted (from `#nextHighlight` on: a cursor, not shift(), over
   * what can be thousands), and ids whose highlighted html is not in a view yet.
   */
  #toHighlight: QueuedHighlight[] = [];
  #nextHighlight = 0;
  #highlightedSince: number[] = [];
  /** A highlight is on its way (the first one loads highlight.js and the grammar). */
  #highlighting = false;

  constructor(content: string, changed: () => void) {
    this.#content = content;
    this.#changed = changed;
  }

  get content(): string {
    return this.#content;
  }

  /** The view trails the text (or its highlighting): more of it is on the way. */
  get rendering(): boolean {
    return this.#markdown !== null && (this.#parsing() || this.#waitingHighlights());
  }

  /**
   * The blocks in chunks, parsing them first if needed; null until the markdown module is
   * loaded.
   */
  chunks(streaming: boolean): BlockChunks | null {
    if (!this.#markdown) {
      const module = markdown.module;
      if (!module) {
        markdown.load().catch((error: unknown) => console.error('Markdown failed to load', error));
        return null;
      }
      this.#parse(module, streaming);
    }
    return this.#chunks;
  }

  append(text: string): void {
    if (text === '') return;
    this.#content += text;
    if (this.#markdown) this.#backlog.push(text);
    this.#advance();
  }

  /** Main's copy of the text: appended when it extends a streaming one, else replaced. */
  replace(content: string, wasStreaming: boolean): void {
    if (content === this.#content) return;
    if (content.startsWith(this.#content) && this.#markdown && wasStreaming) {
      // Ahead of the deltas seen so far (opened mid-stream): parse only what is new.
      this.#backlog.push(content.slice(this.#content.length));
      this.#content = content;
      this.#advance();
      return;
    }
    this.drop();
    this.#content = content;
  }

  /** The stream ended: the open tail is closed (once the view has caught up with the text). */
  finish(): void {
    if (!this.#markdown) return;
    this.#finishing = true;
    this.#advance();
  }

  drop(): void {
    this.#markdown = null;
    this.#backlog.clear();
    this.#finishing = false;
    this.#views = [];
    this.#chunks = [];
    this.#viewOf = new WeakMap();
    this.#highlighted.clear();
    this.#toHighlight = [];
    this.#nextHighlight = 0;
    this.#highlightedSince = [];
  }

  #parse(module: MarkdownModule, streaming: boolean): void {
    markdown.used = true;
    const parsed = new module.IncrementalMarkdown({
      onCodeBlockClosed: (block) => this.#highlight(parsed, block),
    });
    this.#markdown = parsed;
    this.#backlog.clear();
    this.#backlog.push(this.#content);
    this.#finishing = !streaming;
    this.#views = [];
    this.#chunks = [];
    // Read from a template or a derived value: no state changes here, the slice reports later.
    this.#advance();
  }

  /** Parses what is new now, within the budget, unless a scheduled slice is already on it. */
  #advance(): void {
    if (!this.#markdown || this.#scheduled) return;
    if (this.#catchUp(frameBudget.deadline())) this.#schedule();
  }

  #schedule(): void {
    this.#scheduled = true;
    frameBudget.schedule(this.#slice);
  }

  readonly #slice = (deadline: number): boolean => {
    const more = this.#markdown !== null && this.#catchUp(deadline);
    this.#scheduled = more;
    this.#changed();
    return more;
  };

  /**
   * Hands the text to the markdown module slice by slice until it has caught up or `deadline` has
   * passed (one slice at least), then highlights closed code blocks while time is left.
   * Returns true while work remains.
   */
  #catchUp(deadline: number): boolean {
    const parsed = this.#markdown;
    if (!parsed) return false;
    let from = Number.POSITIVE_INFINITY;
    let first = true;
    while ((first || performance.now() < deadline) && this.#parsing()) {
      first = false;
      if (this.#backlog.length > 0) {
        // Never half a surrogate pair (TextQueue.take).
        from = Math.min(from, parsed.append(this.#backlog.take(SLICE_CHARS)).changedFrom);
      } else {
        this.#finishing = false;
        from = Math.min(from, parsed.finish().changedFrom);
      }
    }
    if (from !== Number.POSITIVE_INFINITY) this.#sync(from);
    this.#highlightSome(deadline);
    // A highlight on its way schedules the next slice itself when it arrives.
    return this.#parsing() || (this.#waitingHighlights() && !this.#highlighting);
  }

  #parsing(): boolean {
    return this.#backlog.length > 0 || this.#finishing;
  }

  /** Rebuilds the views from `from` on; earlier ones keep their identity (no re-render). */
  #sync(from: number): void {
    const blocks = this.#markdown?.blocks ?? [];
    const views = this.#views;
    const start = Math.max(0, Math.min(from, views.length, blocks.length));
    views.length = start;
    for (let index = start; index < blocks.length; index++) {
      const block = blocks[index] as RenderedBlock;
      let view = this.#viewOf.get(block);
      if (!view && block.parts) {
        // The whole html is joined only if a view asks for it (a streaming list renders parts).
        const parts = block.parts;
        view = {
          id: block.id,
          parts,
          code: null,
          get html() {
            return block.html;
          },
        };
        this.#viewOf.set(block, view);
      }
      if (!view) {
        const highlighted = this.#highlighted.get(block.id);
        view = {
          id: block.id,
          html: highlighted === undefined ? block.html : withCode(block.html, highlighted),
          code: block.code ?? null,
        };
        this.#viewOf.set(block, view);
      }
      views.push(view);
    }
    this.#rechunk(Math.floor(start / CHUNK_BLOCKS));
  }

  /** Rebuilds the chunks from chunk `first` on, or only chunk `only` (a highlight swapped in). */
  #rechunk(first: number, only = false): void {
    const views = this.#views;
    const old = this.#chunks;
    const count = Math.ceil(views.length / CHUNK_BLOCKS);
    const last = only ? first + 1 : count;
    let chunks: (readonly BlockView[])[] | null = count === old.length ? null : old.slice(0, first);
    for (let index = first; index < last; index++) {
      const start = index * CHUNK_BLOCKS;
      const end = Math.min(start + CHUNK_BLOCKS, views.length);
      const known = old[index];
      if (sameRun(known, views, start, end)) {
        chunks?.push(known);
        continue;
      }
      chunks ??= old.slice(0, index);
      chunks.push(views.slice(start, end));
    }
    if (!chunks) return;
    if (only) chunks.push(...old.slice(last));
    this.#chunks = chunks;
  }

  /** A code block closed: highlighted at once when known, else queued for a slice. */
  #highlight(parsed: IncrementalMarkdown, block: RenderedBlock): void {
    if (this.#markdown !== parsed || !block.code) return;
    const key = highlightKey(block.code);
    const known = highlights.get(key);
    // Called from inside append()/finish(): the views built right after pick it up.
    if (known !== undefined) this.#highlighted.set(block.id, known);
    else this.#toHighlight.push({ block, key });
  }

  #waitingHighlights(): boolean {
    return this.#nextHighlight < this.#toHighlight.length;
  }

  /** A highlight arrived or failed: the next slice goes on with the queue of the current text. */
  #highlightDone(): void {
    this.#highlighting = false;
    if (this.#markdown && !this.#scheduled) this.#schedule();
  }

  /**
   * Highlights queued code blocks while time is left, one at a time (the same code closed many
   * times is highlighted once, then found in the cache), and puts the results into the views.
   */
  #highlightSome(deadline: number): void {
    const module = markdown.module;
    const parsed = this.#markdown;
    while (module && parsed && this.#waitingHighlights() && performance.now() < deadline) {
      const queue = this.#toHighlight;
      const { block, key } = queue[this.#nextHighlight] as QueuedHighlight;
      const known = highlights.get(key);
      if (known === undefined) {
        if (this.#highlighting) break;
        this.#highlighting = true;
        const code = block.code as NonNullable<RenderedBlock['code']>;
        module.highlightCode(code.text, code.lang).then(
          (html) => {
            remember(key, html);
            this.#highlightDone();
          },
          (error: unknown) => {
            console.warn('Could not highlight a code block', error);
            // Shown plain; the queue goes on (unless the text was parsed afresh meanwhile).
            if (this.#toHighlight === queue && queue[this.#nextHighlight]?.block === block) {
              this.#nextHighlight++;
            }
            this.#highlightDone();
          },
        );
        break;
      }
      this.#nextHighlight++;
      this.#highlighted.set(block.id, known);
      this.#highlightedSince.push(block.id);
    }
    if (!this.#waitingHighlights()) {
      this.#toHighlight = [];
      this.#nextHighlight = 0;
    }
    if (this.#highlightedSince.length === 0) return;
    const blocks = parsed?.blocks ?? [];
    const views = this.#views;
    let chunk = -1;
    for (const id of this.#highlightedSince) {
      const block = blocks[id];
      const view = views[id];
      const html = this.#highlighted.get(id);
      if (!block || view?.id !== id || view.code === null || html === undefined) continue;
      const next: BlockView = { ...view, html: withCode(block.html, html) };
      this.#viewOf.set(block, next);
      views[id] = next;
      // Ids come in block order: each chunk is rebuilt once, after its last swap.
      const of = Math.floor(id / CHUNK_BLOCKS);
      if (chunk !== -1 && of !== chunk) this.#rechunk(chunk, true);
      chunk = of;
    }
    if (chunk !== -1) this.#rechunk(chunk, true);
    this.#highlightedSince = [];
  }
}
