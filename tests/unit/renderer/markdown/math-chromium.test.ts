/**
 * KaTeX's output through the real DOMPurify in Chromium: everything KaTeX needs to draw and to be
 * read (classes, layout styles, MathML, SVG, aria-hidden) survives; the same things outside KaTeX's
 * output, and anything unsafe inside it, do not.
 */
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdownWith } from '../../../../renderer/lib/markdown/incremental';
import { chromiumAvailable, openMarkdownPage, type PageGlobals } from './browser';

const FORMULAS = [
  'Inline $x^2 + y_1$ and \\(\\alpha \\le \\beta\\).',
  '$$\\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}$$',
  '$$\n\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}\n$$',
  '\\[\n\\sum_{n=1}^{\\infty} \\frac{1}{n^2} = \\frac{\\pi^2}{6}\n\\]',
  '$\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}$',
  '$\\begin{aligned} f(x) &= x^2 \\\\ &= x \\cdot x \\end{aligned}$',
  '$\\overrightarrow{AB} + \\widehat{xyz} + \\cancel{5} + \\xrightarrow{f} + \\sqrt[3]{8}$',
  '$\\color{red}{r} \\textcolor{#0a0}{g} \\colorbox{yellow}{b} \\boxed{x} \\mathbb{R} \\mathcal{L}$',
  '$$\\left( \\frac{a}{b} \\right) \\Bigg| \\overbrace{a+b}^{n} \\underbrace{c}_{m} \\tag{1}$$',
  '$\\text{naïve café} \\; \\mathrm{d}x \\quad \\hat{a} \\vec{v} \\dot{x} \\not= \\neq$',
  '$\\frac{$ broken, $\\href{javascript:alert(1)}{x}$, $\\url{https://evil.example}$',
];

/**
 * What sanitizing may change in KaTeX's output: the TeX annotation and `xmlns` go, the HTML
 * serializer writes `<path/>` as `<path></path>` NBSP as `&nbsp;` and `&#x27;` as `'`, a style ends with `;`;
 * nothing else.
 */
const expectedAfterSanitizing = (html: string) =>
  html
    .replace(/<annotation [^]*?<\/annotation>/g, '')
    .replace(/ xmlns="[^"]*"/g, '')
    .replace(/<(\w+)([^>]*?)\/>/g, '<$1$2></$1>')
    .replace(/ style="([^"]*[^;"])"/g, ' style="$1;"')
    .replaceAll('\u00a0', '&nbsp;')
    .replaceAll('&#x27;', "'");

const HTML_CORPUS = [
  '<p style="color:red" aria-hidden="true">outside</p>',
  '<math><mi>x</mi></math><svg><path d="M0 0"></path></svg><p>after</p>',
  '<span class="katex" style="position:fixed;top:0;background:url(https://evil.example/x)">k</span>',
  '<span class="katex"><span class="mord svelte-abc123 Evil_" style="height:1em;z-index:9;color:#cc0000;width:calc(100vw)">m</span></span>',
  '<span class="katex"><svg onload="alert(1)" width="1em"><path d="M0 0" onclick="alert(1)"></path><image href="https://evil.example/x.png"></image></svg></span>',
  '<span class="katex"><math><mtext><a href="javascript:alert(1)">j</a><img src=x onerror=alert(1)></mtext><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml><mglyph src="x"></mglyph></math></span>',
  '<span class="katex"><math><mi><mglyph><style><img src=x onerror=alert(1)></style></mglyph></mi></math></span>',
  '<span class="katex"><span style="position:absolute;top:-1em;left:expression(alert(1))">e</span></span>',
];

describe.skipIf(!chromiumAvailable)('math in Chromium', () => {
  let page: Page;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ page, close } = await openMarkdownPage());
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('KaTeX output keeps every class, style and attribute it needs, and gets no more', async () => {
    const raw = FORMULAS.map((text) => renderMarkdownWith(text, (html) => html));
    const results = await page.evaluate((list) => {
      const { LatchkeyMarkdown: md } = globalThis as unknown as PageGlobals;
      return list.map((text) => {
        const html = md.renderMarkdown(text);
        return { html, again: md.sanitize(html) };
      });
    }, FORMULAS);
    for (const [index, { html, again }] of results.entries()) {
      const text = FORMULAS[index] ?? '';
      expect(html, text).toBe(expectedAfterSanitizing(raw[index] ?? ''));
      expect(again, `${text}: sanitizing is idempotent`).toBe(html);
      expect(html, text).toContain('<math');
      expect(html, text).not.toMatch(/<(?:a|img|script|annotation|mglyph)\b|javascript:|href=/);
    }
    const joined = results.map((result) => result.html).join('');
    expect(joined).toContain('<svg'); // \sqrt[3], \widehat, \cancel, arrows
    expect(joined).toContain('class="katex-error"');
    expect(joined).toMatch(/style="height:[\d.]+em;vertical-align:-[\d.]+em;"/);
  });

  it('MathML, SVG, styles and aria-hidden exist only inside KaTeX output, and only safe ones', async () => {
    const results = await page.evaluate((corpus) => {
      const { LatchkeyMarkdown: md } = globalThis as unknown as PageGlobals;
      return corpus.map((html) => ({ html, clean: md.sanitize(html) }));
    }, HTML_CORPUS);
    const clean = new Map(results.map((result) => [result.html, result.clean]));
    expect(clean.get(HTML_CORPUS[0] ?? '')).toBe('<p>outside</p>');
    expect(clean.get(HTML_CORPUS[1] ?? '')).toBe('<p>after</p>');
    // Only KaTeX's own properties, with plain values: `top` stays, `fixed` and `url(` go.
    expect(clean.get(HTML_CORPUS[2] ?? '')).toBe('<span class="katex" style="top:0;">k</span>');
    expect(clean.get(HTML_CORPUS[3] ?? '')).toBe(
      '<span class="katex"><span class="mord" style="height:1em;color:#cc0000;">m</span></span>',
    );
    expect(clean.get(HTML_CORPUS[4] ?? '')).toBe(
      '<span class="katex"><svg width="1em"><path d="M0 0"></path></svg></span>',
    );
    expect(clean.get(HTML_CORPUS[7] ?? '')).toBe(
      '<span class="katex"><span style="position:absolute;top:-1em;">e</span></span>',
    );
    for (const { html, clean: out } of results) {
      expect(out, html).not.toMatch(
        /<(?:img|script|style|image|a|mglyph|annotation-xml)\b|\son\w+=|javascript:|url\(|expression/i,
      );
    }
  });
});
