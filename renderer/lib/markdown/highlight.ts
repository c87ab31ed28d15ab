/**
 * Syntax highlighting for closed code blocks. highlight.js and each grammar are loaded on first use
 * (dynamic imports become separate chunks), so none of it is in the startup bundle (performance.md).
 */
import type { HLJSApi, LanguageFn } from 'highlight.js';
import { codeBody, escapeText } from './render';
import { sanitize as sanitizeWithDompurify, type Sanitize } from './sanitize';

type Loader = () => Promise<{ default: LanguageFn }>;

/** The grammars we ship, as static import() calls so the bundler can split them. */
const GRAMMARS: Record<string, Loader> = {
  typescript: () => import('highlight.js/lib/languages/typescript'),
  javascript: () => import('highlight.js/lib/languages/javascript'),
  python: () => import('highlight.js/lib/languages/python'),
  json: () => import('highlight.js/lib/languages/json'),
  bash: () => import('highlight.js/lib/languages/bash'),
  xml: () => import('highlight.js/lib/languages/xml'),
  css: () => import('highlight.js/lib/languages/css'),
  go: () => import('highlight.js/lib/languages/go'),
  rust: () => import('highlight.js/lib/languages/rust'),
  java: () => import('highlight.js/lib/languages/java'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  sql: () => import('highlight.js/lib/languages/sql'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
  markdown: () => import('highlight.js/lib/languages/markdown'),
  diff: () => import('highlight.js/lib/languages/diff'),
};

const ALIASES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  py: 'python',
  python3: 'python',
  jsonc: 'json',
  json5: 'json',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  html: 'xml',
  htm: 'xml',
  svg: 'xml',
  xhtml: 'xml',
  golang: 'go',
  rs: 'rust',
  h: 'c',
  'c++': 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  yml: 'yaml',
  md: 'markdown',
  patch: 'diff',
};

/** Beyond this a block is shown plain: highlighting it would be a long task on the UI thread. */
export const MAX_HIGHLIGHT_CHARS = 100_000;

/** The grammar name for a fence's language, or null when we do not ship one. */
export function grammarFor(lang: string | null): string | null {
  if (!lang) return null;
  const key = lang.toLowerCase();
  const name = ALIASES[key] ?? key;
  return Object.hasOwn(GRAMMARS, name) ? name : null;
}

export interface Highlighter {
  highlight(text: string, lang: string | null): Promise<string>;
  /** Grammars registered so far (for tests: proves loading is lazy and per language). */
  readonly loaded: ReadonlySet<string>;
}

/** A highlighter whose output goes through `sanitize`. */
export function createHighlighter(sanitize: Sanitize): Highlighter {
  let core: Promise<HLJSApi> | undefined;
  const grammars = new Map<string, Promise<void>>();
  const loaded = new Set<string>();

  const load = (hljs: HLJSApi, name: string): Promise<void> => {
    let pending = grammars.get(name);
    const grammar = GRAMMARS[name];
    if (!pending && grammar) {
      pending = grammar().then((module) => {
        hljs.registerLanguage(name, module.default);
        loaded.add(name);
      });
      grammars.set(name, pending);
    }
    return pending ?? Promise.resolve();
  };

  return {
    loaded,
    async highlight(text, lang) {
      const body = codeBody(text);
      const name = grammarFor(lang);
      if (name === null || body.length > MAX_HIGHLIGHT_CHARS) return escapeText(body);
      core ??= import('highlight.js/lib/core').then((module) => module.default.newInstance());
      const hljs = await core;
      await load(hljs, name);
      return sanitize(hljs.highlight(body, { language: name, ignoreIllegals: true }).value);
    },
  };
}

let shared: Highlighter | undefined;

/**
 * Highlighted, sanitized html for a closed code block: the new contents of its `<code>` element
 * (`<span class="hljs-…">` runs over the same text the block shows). Unknown languages, and blocks over `MAX_HIGHLIGHT_CHARS`, come back
 * as escaped plain text. Loads highlight.js and the block's grammar on first use.
 */
export async function highlightCode(text: string, lang: string | null): Promise<string> {
  shared ??= createHighlighter(sanitizeWithDompurify);
  return shared.highlight(text, lang);
}
