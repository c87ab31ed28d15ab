/**
 * The markdown → HTML pipeline for one section of an answer: `marked` configured for untrusted model
 * output (raw HTML is text, links are checked, images become links, code blocks get a container,
 * TeX math is typeset by KaTeX: math.ts).
 * Everything here is a pure function of its input; sanitizing is the caller's job.
 */
import { Lexer, Marked, Parser, type Links, type Token, type Tokens } from 'marked';
import { mathExtension } from './math';
import { safeHref } from './urls';

/** A language name usable in a class attribute and as a highlight.js key, or null. */
export function normalizeLang(info: string | undefined | null): string | null {
  const word = (info ?? '').trim().match(/^\S*/)?.[0] ?? '';
  return /^[\w+#.-]{1,40}$/.test(word) ? word : null;
}

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '\u00a0': '&nbsp;',
};

/**
 * Escapes text for an HTML text node exactly as the HTML serializer does (`&`, `<`, `>`, NBSP), so
 * DOMPurify's round trip leaves our code-block markup byte-identical.
 * https://html.spec.whatwg.org/multipage/parsing.html#escapingString
 */
export function escapeText(text: string): string {
  return text.replace(/[&<>\u00a0]/g, (c) => TEXT_ESCAPES[c] ?? c);
}

/** Escapes text for a double-quoted attribute value or for markup outside `<code>`. */
export function escapeAttr(text: string): string {
  return text.replace(/[&<>"'\u00a0]/g, (c) =>
    c === '"' ? '&quot;' : c === "'" ? '&#39;' : (TEXT_ESCAPES[c] ?? c),
  );
}

/**
 * The code block container. `id` is the block index for top-level blocks (the UI finds the block by
 * `data-block-id` to add its copy button and swap in highlighted html) and null for code nested in a
 * list or quote.
 */
export function codeBlockHtml(id: number | null, text: string, lang: string | null): string {
  return codeBlockOpen(id, lang) + escapeText(codeBody(text)) + CODE_BLOCK_CLOSE;
}

/** What a code block shows for its text: marked's rule of one trailing newline, none when empty. */
export function codeBody(text: string): string {
  return text ? `${text.replace(/\n$/, '')}\n` : '';
}

/** The container up to the code text (an open fence streams escaped lines after it). */
export function codeBlockOpen(id: number | null, lang: string | null): string {
  const idAttr = id === null ? '' : ` data-block-id="${id}"`;
  const langAttr = lang === null ? '' : ` data-lang="${lang}"`;
  const classAttr = lang === null ? '' : ` class="language-${lang}"`;
  return `<div class="code-block"${idAttr}><div class="code-header"${langAttr}></div><pre><code${classAttr}>`;
}

export const CODE_BLOCK_CLOSE = '</code></pre></div>\n';

function linkHtml(href: string, title: string | null | undefined, inner: string): string {
  const titleAttr = title ? ` title="${escapeAttr(title)}"` : '';
  return `<a href="${escapeAttr(href)}"${titleAttr} data-external="true" rel="noreferrer noopener">${inner}</a>`;
}

const markdown = new Marked({ gfm: true, breaks: false, pedantic: false, async: false });
markdown.use({
  tokenizer: {
    // Raw HTML in model output is shown as text: without these tokenizers `<img onerror=…>` and
    // `<script>` are ordinary paragraph text, escaped by the text renderer.
    html: () => undefined,
    tag: () => undefined,
  },
  renderer: {
    code: ({ text, lang, codeBlockStyle }) =>
      codeBlockHtml(null, text, codeBlockStyle === 'indented' ? null : normalizeLang(lang)),
    html: ({ text }) => escapeAttr(text),
    link(token) {
      const inner = token.autolink ? escapeAttr(token.text) : this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      return href === null ? inner : linkHtml(href, token.title, inner);
    },
    // No <img>: a remote image in model output would be a tracking beacon. Show the alt text as a link.
    image(token) {
      const alt = token.tokens
        ? this.parser.parseInline(token.tokens, this.parser.textRenderer)
        : token.text;
      const href = safeHref(token.href);
      if (href === null) return escapeAttr(alt);
      return linkHtml(href, token.title, escapeAttr(alt || href));
    },
    checkbox: ({ checked }) => (checked ? '☑ ' : '☐ '),
  },
});

markdown.use(mathExtension);

const parser = new Parser(markdown.defaults);

/** marked's own rendering of tokens with our renderer (the reference for `renderToken`'s parts). */
export function parseTokens(tokens: Token[]): string {
  return parser.parse(tokens);
}

/** Link definitions by normalized label, as `marked` keeps them. */
export type LinkMap = Links;

export function emptyLinks(): LinkMap {
  return Object.create(null) as LinkMap;
}

/**
 * Lexes one section with the link definitions of the sections before it (a definition applies to the
 * links after it in the answer and to every link in its own section).
 */
export function lexSection(text: string, links: LinkMap): { tokens: Token[]; links: LinkMap } {
  const lexer = new Lexer(markdown.defaults);
  lexer.tokens.links = Object.assign(emptyLinks(), links);
  const tokens = lexer.lex(text);
  return { tokens, links: tokens.links };
}

/**
 * Markup around a list's items or a table's rows, sanitized apart from them: `trusted` parts are our
 * own markup, and a table's head row is sanitized inside `<table><thead>` (a bare `<tr>` does not
 * parse).
 */
export interface Piece {
  readonly html: string;
  readonly trusted?: boolean;
  readonly context?: 'thead' | 'tbody';
}

/**
 * A list's or table's html in parts, so a long one is sanitized item by item (row by row) and while
 * it streams only its changed items are rendered and sanitized again: `open`, then every item, then
 * `close`. Items are rendered on demand: a caller that knows which items are unchanged never
 * touches them.
 */
export interface TokenParts {
  readonly open: readonly Piece[];
  /** One per item (row): its token, the same object for as long as it is unchanged (open-block.ts). */
  readonly keys: readonly object[];
  /** Where an item's html parses: a table row inside `<table><tbody>`. */
  readonly context?: 'tbody';
  /** The html of item `index` before sanitizing (rendered once per token). */
  item(index: number): string;
  readonly close: readonly Piece[];
}

/** A top-level token's html before sanitizing, and whether it is our own escaped template. */
export interface TokenHtml {
  readonly html: string;
  /** True for code blocks: the template escapes every character, so DOMPurify would be a no-op. */
  readonly trusted: boolean;
  /** For lists and tables: `html` in parts that are sanitized separately. */
  readonly parts?: TokenParts;
  readonly code?: { readonly lang: string | null; readonly text: string };
}

/** Rendered items and rows by token: a finished item of an open list is rendered once. */
const itemHtml = new WeakMap<object, string>();

function listItem(item: Tokens.ListItem): string {
  let html = itemHtml.get(item);
  if (html === undefined) {
    html = parser.renderer.listitem(item);
    itemHtml.set(item, html);
  }
  return html;
}

function tableRow(cells: Tokens.TableCell[]): string {
  let html = itemHtml.get(cells);
  if (html === undefined) {
    html = parser.renderer.tablerow({
      text: cells.map((cell) => parser.renderer.tablecell(cell)).join(''),
    });
    itemHtml.set(cells, html);
  }
  return html;
}

function listParts(list: Tokens.List): TokenParts {
  const type = list.ordered ? 'ol' : 'ul';
  const start = list.ordered && list.start !== 1 ? ` start="${list.start}"` : '';
  const items = list.items;
  return {
    open: [{ html: `<${type}${start}>\n`, trusted: true }],
    keys: items,
    item: (index) => listItem(items[index] as Tokens.ListItem),
    close: [{ html: `</${type}>\n`, trusted: true }],
  };
}

function tableParts(table: Tokens.Table): TokenParts {
  const rows = table.rows;
  const head: Piece[] = [
    { html: '<table>\n<thead>\n', trusted: true },
    { html: tableRow(table.header), context: 'thead' },
    { html: '</thead>\n', trusted: true },
  ];
  const end: Piece = { html: '</table>\n', trusted: true };
  return {
    open: rows.length ? [...head, { html: '<tbody>', trusted: true }] : head,
    keys: rows,
    context: 'tbody',
    item: (index) => tableRow(rows[index] as Tokens.TableCell[]),
    close: rows.length ? [{ html: '</tbody>', trusted: true }, end] : [end],
  };
}

/** The whole html of a list's or table's parts, before sanitizing. */
function joinParts(parts: TokenParts): string {
  let html = parts.open.map((piece) => piece.html).join('');
  for (let index = 0; index < parts.keys.length; index++) html += parts.item(index);
  return html + parts.close.map((piece) => piece.html).join('');
}

/** Renders one top-level token; null for tokens that render nothing (blank lines, definitions). */
export function renderToken(token: Token, id: number): TokenHtml | null {
  if (token.type === 'space' || token.type === 'def') return null;
  if (token.type === 'code') {
    const code = token as Tokens.Code;
    const lang = code.codeBlockStyle === 'indented' ? null : normalizeLang(code.lang);
    return {
      html: codeBlockHtml(id, code.text, lang),
      trusted: true,
      code: { lang, text: code.text },
    };
  }
  if (token.type === 'list' || token.type === 'table') {
    const parts =
      token.type === 'list' ? listParts(token as Tokens.List) : tableParts(token as Tokens.Table);
    return {
      // Joined only when asked for: a streaming list is rendered from its parts.
      get html() {
        return joinParts(parts);
      },
      trusted: false,
      parts,
    };
  }
  const html = parser.parse([token]);
  return html === '' ? null : { html, trusted: false };
}
