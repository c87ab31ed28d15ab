/**
 * DOMPurify configured for rendered model output (security.md item 21): the tags markdown produces
 * and nothing else, no inline styles or event handlers, no images or embeds, and links only to
 * absolute http/https/mailto URLs, each marked `data-external` for the UI's openExternal handler.
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

/** Attributes whose values are not URLs; DOMPurify checks every other value as a URL. */
const PLAIN_ATTR = ['align', 'start', 'data-block-id', 'data-external', 'data-lang'];
const ALLOWED_ATTR = ['href', 'title', 'class', ...PLAIN_ATTR];

const CONFIG: Config & { RETURN_DOM: true } = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
  ADD_URI_SAFE_ATTR: PLAIN_ATTR,
  KEEP_CONTENT: true,
  RETURN_DOM: true,
};

/** Class names our renderer and highlight.js emit (`hljs-title function_` included). */
const CLASS_TOKEN =
  /^(?:hljs(?:-[\w-]+)?|[a-z]+_+|language-[\w+#.-]{1,40}|code-block|code-header)$/;

/** A probe the sanitizer must clean exactly as a browser does, or we refuse to render at all. */
const PROBE =
  '<p>a<img src=x onerror=alert(1)><a href="javascript:alert(1)">b</a></p><div><b>c</b></div><p>d</p>';
const PROBE_EXPECTED = '<p>ab</p><div>c</div><p>d</p>';

export type Sanitize = (html: string) => string;

/** The parts of the DOM used here, typed structurally so the module also type-checks without DOM lib. */
interface ElementLike {
  hasAttribute(name: string): boolean;
  replaceWith(...nodes: unknown[]): void;
  readonly childNodes: ArrayLike<unknown>;
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
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName !== 'class') return;
    const kept = data.attrValue
      .split(/\s+/)
      .filter((token) => CLASS_TOKEN.test(token))
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

  const sanitize: Sanitize = (html) => {
    const body = purify.sanitize(html, CONFIG) as unknown as BodyLike;
    // A link whose URL was refused is rendered as its text.
    for (const anchor of Array.from(body.querySelectorAll('a'))) {
      if (!anchor.hasAttribute('href')) anchor.replaceWith(...Array.from(anchor.childNodes));
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
