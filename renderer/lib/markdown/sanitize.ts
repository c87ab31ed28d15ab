/**
 * DOMPurify configured for rendered model output (security.md item 21): the tags markdown produces
 * and nothing else, no event handlers, no images or embeds, and links only to absolute
 * http/https/mailto URLs, each marked `data-external` for the UI's openExternal handler. Inline
 * styles, MathML, SVG paths and `aria-hidden` exist only inside KaTeX's output (see `MATH_ONLY_*`).
 */
import createDOMPurify, { type Config, type WindowLike } from 'dompurify';
import { safeHref } from './urls';

const ALLOWED_TAGS = [
  'a',
  'p',
  'br',
  'hr',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'strong',
  'em',
  'del',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'span',
  'div',
];

/**
 * What KaTeX emits (math.ts, `trust: false`): MathML for screen readers, and the SVG it draws
 * radicals, wide accents, stretchy arrows and `\cancel` with. Allowed only inside a `.katex` or
 * `.katex-error` element; anywhere else they are removed after sanitizing. No `mglyph` (only
 * `\includegraphics` makes one), no `annotation-xml`; `annotation` (the TeX source) is dropped
 * with its text (`ADD_FORBID_CONTENTS`): screen readers read the presentation MathML.
 */
const MATH_ONLY_TAGS = [
  'math',
  'semantics',
  'mrow',
  'mi',
  'mn',
  'mo',
  'ms',
  'mspace',
  'mtext',
  'msup',
  'msub',
  'msubsup',
  'mfrac',
  'msqrt',
  'mroot',
  'mover',
  'munder',
  'munderover',
  'mtable',
  'mtr',
  'mtd',
  'mlabeledtr',
  'mstyle',
  'mpadded',
  'mphantom',
  'menclose',
  'svg',
  'path',
  'line',
];

/** KaTeX's MathML and SVG attributes (lower-cased, as DOMPurify compares them), plus `style`. */
const MATH_ONLY_ATTR = [
  'style',
  'aria-hidden',
  'display',
  'mathvariant',
  'mathcolor',
  'mathbackground',
  'mathsize',
  'stretchy',
  'fence',
  'separator',
  'lspace',
  'rspace',
  'minsize',
  'maxsize',
  'largeop',
  'movablelimits',
  'symmetric',
  'linethickness',
  'accent',
  'accentunder',
  'columnalign',
  'columnspacing',
  'columnlines',
  'rowspacing',
  'rowlines',
  'rowalign',
  'width',
  'height',
  'depth',
  'voffset',
  'scriptlevel',
  'displaystyle',
  'notation',
  'linebreak',
  'viewbox',
  'preserveaspectratio',
  'd',
  'x1',
  'y1',
  'x2',
  'y2',
  'stroke-width',
];
const MATH_ONLY_ATTR_SET = new Set(MATH_ONLY_ATTR);

/** Attributes whose values are not URLs; DOMPurify checks every other value as a URL. */
const PLAIN_ATTR = [
  'align',
  'start',
  'data-block-id',
  'data-external',
  'data-lang',
  ...MATH_ONLY_ATTR,
];
const ALLOWED_ATTR = ['href', 'title', 'class', ...PLAIN_ATTR];

const CONFIG: Config & { RETURN_DOM: true } = {
  ALLOWED_TAGS: [...ALLOWED_TAGS, ...MATH_ONLY_TAGS],
  ALLOWED_ATTR,
  ADD_FORBID_CONTENTS: ['annotation'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  ADD_URI_SAFE_ATTR: PLAIN_ATTR,
  KEEP_CONTENT: true,
  RETURN_DOM: true,
};

/** Class names our renderer and highlight.js emit (`hljs-title function_` included). */
const CLASS_TOKEN =
  /^(?:hljs(?:-[\w-]+)?|[a-z]+_+|language-[\w+#.-]{1,40}|code-block|code-header|katex(?:-display|-error)?)$/;

/** Inside KaTeX output: its own lower-case class names (`mord`, `vlist-t2`, `latin_fallback`, …),
 * but never the app's scoped `svelte-…` classes. */
const MATH_CLASS_TOKEN = /^(?!svelte-)[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*$/;

/**
 * The CSS properties KaTeX writes in `style` attributes (its `CssStyle` type, katex/src/domTree.ts).
 * KaTeX's layout (strut heights, vlist offsets, spacing) is in these attributes: without them
 * fractions and scripts collapse. The CSP allows style attributes (`style-src 'unsafe-inline'`, for
 * Svelte's `style:`), so we keep them, but only inside KaTeX output, only these properties, and
 * only plain values (lengths, numbers, colors, keywords): no `url(`, no `position: fixed`, nothing
 * that could load a resource or lay anything over the app's own UI.
 */
const MATH_STYLE_PROPERTIES = new Set([
  'background-color',
  'border-bottom-width',
  'border-color',
  'border-right-style',
  'border-right-width',
  'border-top-width',
  'border-style',
  'border-width',
  'bottom',
  'color',
  'height',
  'left',
  'margin',
  'margin-left',
  'margin-right',
  'margin-top',
  'min-width',
  'padding-left',
  'position',
  'top',
  'width',
  'vertical-align',
]);
const MATH_STYLE_VALUE =
  /^(?:[-+]?[\d.]+(?:em|ex|px|pt|%)?|#[\da-f]{3,8}|[a-z]+(?:-[a-z]+)*)(?: (?:[-+]?[\d.]+(?:em|ex|px|pt|%)?|#[\da-f]{3,8}|[a-z]+(?:-[a-z]+)*))*$/i;

/** A KaTeX `style` value reduced to the declarations above, or '' when none is left. */
function mathStyle(value: string): string {
  const kept: string[] = [];
  for (const declaration of value.split(';')) {
    const colon = declaration.indexOf(':');
    if (colon === -1) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const val = declaration.slice(colon + 1).trim();
    if (!MATH_STYLE_PROPERTIES.has(property) || !MATH_STYLE_VALUE.test(val)) continue;
    if (property === 'position' && val !== 'relative' && val !== 'absolute') continue;
    kept.push(`${property}:${val};`);
  }
  return kept.join('');
}

interface NodeLike {
  readonly parentNode: NodeLike | null;
  getAttribute?(name: string): string | null;
}

/** Whether `node` is KaTeX's root element or inside one (ancestors are sanitized before it). */
function inMath(node: NodeLike | null): boolean {
  for (let current = node; current; current = current.parentNode) {
    const classes = current.getAttribute?.('class');
    if (classes && /(?:^|\s)katex(?:-error)?(?:\s|$)/.test(classes)) return true;
  }
  return false;
}

/** A probe the sanitizer must clean exactly as a browser does, or we refuse to render at all. */
const PROBE =
  '<p>a<img src=x onerror=alert(1)><a href="javascript:alert(1)">b</a></p><div><b>c</b></div><p>d</p>';
const PROBE_EXPECTED = '<p>ab</p><div>c</div><p>d</p>';

export type Sanitize = (html: string) => string;

/** The parts of the DOM used here, typed structurally so the module also type-checks without DOM lib. */
interface ElementLike {
  hasAttribute(name: string): boolean;
  replaceWith(...nodes: unknown[]): void;
  remove(): void;
  readonly childNodes: ArrayLike<unknown>;
  readonly parentNode: NodeLike | null;
}
interface BodyLike {
  querySelectorAll(selector: string): ArrayLike<ElementLike>;
  readonly innerHTML: string;
}

/**
 * Builds a sanitizer over `window`'s DOM. Throws when that DOM does not actually sanitize (DOMPurify
 * ≥ 3.4.8 is inert under happy-dom, cure53/DOMPurify#1457, capricorn86/happy-dom#2182): rendering
 * nothing is better than rendering unsanitized model output.
 */
export function createSanitizer(window: WindowLike): Sanitize {
  const purify = createDOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    if (MATH_ONLY_ATTR_SET.has(data.attrName)) {
      const value = data.attrName === 'style' ? mathStyle(data.attrValue) : data.attrValue;
      data.attrValue = value;
      if (!value || !inMath(node)) data.keepAttr = false;
      return;
    }
    if (data.attrName !== 'class') return;
    const allowed = inMath(node.parentNode) ? MATH_CLASS_TOKEN : CLASS_TOKEN;
    const kept = data.attrValue
      .split(/\s+/)
      .filter((token) => CLASS_TOKEN.test(token) || allowed.test(token))
      .join(' ');
    data.attrValue = kept;
    if (!kept) data.keepAttr = false;
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    node.removeAttribute('target');
    const href = safeHref(node.getAttribute('href'));
    if (href === null) {
      node.removeAttribute('href');
      return;
    }
    node.setAttribute('href', href);
    node.setAttribute('data-external', 'true');
    node.setAttribute('rel', 'noreferrer noopener');
  });

  // Parsed once: passing the config to every call re-parses it (its tag and attribute sets are
  // rebuilt), which a CPU profile of a streaming 1 MiB answer put at about a fifth of the
  // sanitizer's time, since finished list items and blocks are sanitized one by one.
  purify.setConfig(CONFIG);
  const sanitize: Sanitize = (html) => {
    const body = purify.sanitize(html) as unknown as BodyLike;
    // A link whose URL was refused is rendered as its text.
    for (const anchor of Array.from(body.querySelectorAll('a'))) {
      if (!anchor.hasAttribute('href')) anchor.replaceWith(...Array.from(anchor.childNodes));
    }
    // MathML and SVG outside KaTeX output (which our renderer never produces) go, contents and all.
    for (const stray of Array.from(body.querySelectorAll('math, svg'))) {
      if (!inMath(stray.parentNode)) stray.remove();
    }
    return body.innerHTML;
  };

  if (sanitize(PROBE) !== PROBE_EXPECTED) {
    throw new Error(
      'DOMPurify does not sanitize in this DOM (happy-dom is not supported); refusing to render markdown.',
    );
  }
  return sanitize;
}

let shared: Sanitize | undefined;

/** Sanitizes html with our DOMPurify configuration, over the page's own `window`. */
export function sanitize(html: string): string {
  if (!shared) {
    const { window } = globalThis as { window?: WindowLike };
    if (!window) throw new Error('sanitize() needs a DOM window');
    shared = createSanitizer(window);
  }
  return shared(html);
}
