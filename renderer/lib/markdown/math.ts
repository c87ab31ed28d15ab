/**
 * TeX math in model output, typeset with KaTeX: a `marked` extension for `$…$`, `$$…$$`, `\(…\)` and
 * `\[…\]` (inline, and `$$`/`\[` blocks on their own lines).
 *
 * Hand-written rather than `marked-katex-extension` (5.1.x): that package imports KaTeX itself and
 * pins `katex <0.19`, knows neither `\(…\)` nor `\[…\]`, its `$` rule is not pandoc's (an opening `$`
 * must follow a space, so `($x$)` is text), and its block rule reaches across blank lines, which
 * would let a formula span two of the sections the incremental renderer lexes apart (boundaries.ts).
 *
 * The `$` rule is pandoc's `tex_math_dollars` (also remark-math's): an opening `$` is not followed by
 * whitespace, a closing `$` is not preceded by whitespace nor followed by a digit, so "costs $5 and
 * $10" stays text. https://pandoc.org/MANUAL.html#extension-tex_math_dollars
 * No rule crosses a blank line and none looks behind its start, so a formula is typeset only once
 * its closing delimiter has arrived, and streaming renders what a one-shot render does.
 */
import katex, { type KatexOptions } from 'katex';
import type { MarkedExtension, Tokens } from 'marked';

/** A formula is typeset from its TeX source alone; `display` is KaTeX's display mode. */
export interface MathToken extends Tokens.Generic {
  readonly type: 'math' | 'mathBlock';
  readonly raw: string;
  readonly tex: string;
  readonly display: boolean;
}

/**
 * KaTeX settings for untrusted input (https://katex.org/docs/options): `trust: false` turns
 * `\href`, `\url`, `\includegraphics`, `\htmlClass`/`\htmlStyle` into red error text, never into
 * links, images or markup; `maxSize`/`maxExpand` bound what one formula can draw or expand to; a
 * parse error renders as the source in a `.katex-error` span instead of throwing. `strict: 'ignore'`
 * accepts the non-LaTeX input models often write (Unicode in math) without console noise.
 * `htmlAndMathml`: the HTML is drawn (aria-hidden), the MathML is what screen readers read.
 */
const KATEX_OPTIONS: Readonly<KatexOptions> = {
  output: 'htmlAndMathml',
  throwOnError: false,
  trust: false,
  strict: 'ignore',
  maxSize: 20,
  maxExpand: 300,
};

/** Longer formulas are shown as their source: typesetting them would be a long task. */
export const MAX_TEX_CHARS = 10_000;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const CACHE_SIZE = 500;
const cache = new Map<string, string>();

/**
 * KaTeX's html for one formula (not yet sanitized). Cached: the open tail of a streaming answer is
 * re-rendered on every update, and its finished formulas must not be typeset again each time.
 */
export function typeset(tex: string, display: boolean, source: string): string {
  if (tex.length > MAX_TEX_CHARS) return escapeHtml(source);
  const key = `${display ? 'D' : 'I'}${tex}`;
  let html = cache.get(key);
  if (html === undefined) {
    try {
      html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode: display });
    } catch {
      // Only non-parse errors get here (throwOnError is off): show the source.
      html = escapeHtml(source);
    }
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(key);
  }
  cache.set(key, html);
  return html;
}

// One unit of formula text: an escaped character (so `\$` and `\)` do not close), or any other.
const DOLLAR_UNIT = String.raw`\\[^]|[^\\$]`;
const INLINE_RULES: readonly [RegExp, boolean][] = [
  // $$…$$ inside a paragraph: display mode. A single `$` may occur inside (`\text{$x$}`).
  [new RegExp(String.raw`^\$\$((?:${DOLLAR_UNIT}|\$(?!\$))+?)\$\$`), true],
  // $…$, pandoc's rule: no whitespace inside the delimiters, no digit right after the closing one.
  [new RegExp(String.raw`^\$(?![\s$])((?:${DOLLAR_UNIT})*?(?:\\[^]|[^\\$\s]))\$(?!\d)`), false],
  [/^\\\(((?:\\[^]|[^\\])+?)\\\)/, false],
  [/^\\\[((?:\\[^]|[^\\])+?)\\\]/, true],
];

// A block formula: its delimiters at the start of a block and at the end of a line, and no blank
// line inside (a blank line ends every block the incremental renderer keeps open).
const LINE_UNIT = String.raw`\n(?![ \t]*\n)`;
const BLOCK_RULES: readonly RegExp[] = [
  new RegExp(
    String.raw`^ {0,3}\$\$((?:\\[^\n]|[^\\$\n]|\$(?!\$)|${LINE_UNIT})+?)\$\$[ \t]*(?:\n|$)`,
  ),
  new RegExp(String.raw`^ {0,3}\\\[((?:\\(?!\])[^\n]|[^\\\n]|${LINE_UNIT})+?)\\\][ \t]*(?:\n|$)`),
];

/** The `marked` extension; rendering goes through `typeset`. */
export const mathExtension: MarkedExtension = {
  extensions: [
    {
      name: 'mathBlock',
      level: 'block',
      tokenizer(src): MathToken | undefined {
        for (const rule of BLOCK_RULES) {
          const match = rule.exec(src);
          const tex = match?.[1]?.trim();
          if (match && tex) return { type: 'mathBlock', raw: match[0], tex, display: true };
        }
        return undefined;
      },
      renderer: (token) => {
        const { tex, raw } = token as MathToken;
        return `${typeset(tex, true, raw.trim())}\n`;
      },
    },
    {
      name: 'math',
      level: 'inline',
      // Where `marked` must stop a text run for us: a `$`. (Its text rule already stops before `\`.)
      start(src) {
        const index = src.indexOf('$');
        return index === -1 ? undefined : index;
      },
      tokenizer(src): MathToken | undefined {
        const first = src.charCodeAt(0);
        if (first !== 36 /* $ */ && first !== 92 /* \ */) return undefined;
        for (const [rule, display] of INLINE_RULES) {
          const match = rule.exec(src);
          const tex = match?.[1]?.trim();
          if (match && tex) return { type: 'math', raw: match[0], tex, display };
        }
        return undefined;
      },
      renderer: (token) => {
        const { tex, display, raw } = token as MathToken;
        return typeset(tex, display, raw);
      },
    },
  ],
};
