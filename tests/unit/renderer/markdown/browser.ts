/**
 * Runs the markdown module in real Chromium (the system build playwright.config.ts uses): DOMPurify
 * needs a browser DOM to sanitize correctly, and happy-dom is not one (happy-dom.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { build } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../../playwright.config';
import type * as MarkdownModule from '../../../../renderer/lib/markdown';

export type MarkdownApi = typeof MarkdownModule;

export const chromiumAvailable = existsSync(CHROMIUM_PATH);

const ROOT = join(import.meta.dirname, '../../../..');
const GLOBAL = 'LatchkeyMarkdown';

/** The markdown module as one script (highlight.js chunks inlined) that sets `LatchkeyMarkdown`. */
async function bundle(): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      write: false,
      minify: false,
      lib: {
        entry: join(ROOT, 'renderer/lib/markdown/index.ts'),
        formats: ['iife'],
        name: GLOBAL,
        fileName: 'markdown',
      },
    },
  });
  for (const output of Array.isArray(result) ? result : [result]) {
    if (!('output' in output)) continue;
    for (const chunk of output.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('vite produced no chunk');
}

/** A blank page with the markdown module loaded. */
export async function openMarkdownPage(): Promise<{ page: Page; close: () => Promise<void> }> {
  const [code, browser] = await Promise.all([
    bundle(),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }),
  ]);
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body></body></html>');
  await page.addScriptTag({ content: code });
  await page.addScriptTag({ content: `globalThis.audit = ${audit.toString()};` });
  return { page, close: () => browser.close() };
}

/** What `page.evaluate` callbacks find on the page's global object. */
export interface PageGlobals {
  readonly LatchkeyMarkdown: MarkdownApi;
  readonly audit: typeof audit;
}

interface AuditedElement {
  readonly tagName: string;
  getAttributeNames(): string[];
  getAttribute(name: string): string | null;
}
interface PageDocument {
  createElement(tag: 'template'): {
    innerHTML: string;
    content: { querySelectorAll(selector: string): ArrayLike<AuditedElement> };
  };
}

/**
 * Parses html and lists every rule it breaks (security.md item 21). Installed in the page as
 * `audit`, so it must not refer to anything outside its own body.
 */
export function audit(html: string): string[] {
  const allowed = new Set(
    'a p br hr h1 h2 h3 h4 h5 h6 strong em del code pre blockquote ul ol li table thead tbody tr th td span div'.split(
      ' ',
    ),
  );
  const document = (globalThis as unknown as { document: PageDocument }).document;
  const template = document.createElement('template');
  template.innerHTML = html;
  const problems: string[] = [];
  for (const element of Array.from(template.content.querySelectorAll('*'))) {
    const tag = element.tagName.toLowerCase();
    if (!allowed.has(tag)) problems.push(`<${tag}>`);
    for (const name of element.getAttributeNames()) {
      const value = element.getAttribute(name) ?? '';
      if (name.startsWith('on')) problems.push(`${tag}[${name}]`);
      if (
        ['style', 'src', 'srcset', 'action', 'formaction', 'target', 'xlink:href'].includes(name)
      ) {
        problems.push(`${tag}[${name}]`);
      }
      if (name === 'href' && tag !== 'a') problems.push(`${tag}[href]`);
      if (name === 'class' && !/^(?:[\w+#.-]+)(?: [\w+#.-]+)*$/.test(value)) {
        problems.push(`${tag}[class=${value}]`);
      }
    }
    if (tag === 'a') {
      const href = element.getAttribute('href');
      if (href === null || !/^(?:https?:\/\/|mailto:)/i.test(href))
        problems.push(`a[href=${href}]`);
      if (element.getAttribute('data-external') !== 'true')
        problems.push('a without data-external');
      if (element.getAttribute('rel') !== 'noreferrer noopener') problems.push('a without rel');
    }
  }
  return problems;
}
