/**
 * What the markdown renderer emits before DOMPurify sees it: raw HTML is text, refused URLs are not
 * links, images are links. (The sanitizer is the second layer, tested in Chromium: browser.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdownWith } from '../../../../renderer/lib/markdown/incremental';
import {
  codeBlockHtml,
  emptyLinks,
  escapeText,
  lexSection,
  normalizeLang,
  parseTokens,
  renderToken,
} from '../../../../renderer/lib/markdown/render';
import { generateDocument } from './generate';
import { safeHref } from '../../../../renderer/lib/markdown/urls';

const render = (text: string) => renderMarkdownWith(text, (html) => html);

describe('safeHref', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['HTTP://EXAMPLE.COM/a b', 'http://example.com/a%20b'],
    ['mailto:a@b.c', 'mailto:a@b.c'],
    ['  https://padded.example  ', 'https://padded.example/'],
  ])('keeps %j as %j', (href, expected) => {
    expect(safeHref(href)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\nscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    '//evil.com',
    '/relative',
    'relative/path',
    '#fragment',
    'app://latchkey/index.html',
    'ftp://x',
    '',
    null,
    undefined,
  ])('refuses %j', (href) => {
    expect(safeHref(href)).toBeNull();
  });
});

describe('the renderer', () => {
  it('escapes raw HTML instead of passing it through', () => {
    const html = render(
      '<img src=x onerror=alert(1)>\n\n<script>alert(1)</script>\n\ntext <b onclick="x()">b</b> <iframe src="https://x">\n\n<div>\n<svg onload=alert(1)>\n</div>\n',
    );
    expect(html).not.toMatch(/<(img|script|b|iframe|div|svg)\b/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('renders refused link URLs as plain text and marks the others external', () => {
    const html = render(
      '[a](javascript:alert(1)) [b](file:///etc/passwd) [c](data:text/html,x) [d](//evil.com) [e](/rel) [f](https://ok.example "T")',
    );
    expect(html).toBe(
      '<p>a b c d e <a href="https://ok.example/" title="T" data-external="true" rel="noreferrer noopener">f</a></p>\n',
    );
  });

  it('links autolinks, bare URLs and emails', () => {
    const html = render('<https://a.example> www.b.example https://c.example/x me@d.example');
    expect(html.match(/<a /g)).toHaveLength(4);
    expect(html).toContain('href="http://www.b.example/"');
    expect(html).toContain('href="mailto:me@d.example"');
  });

  it('never emits <img>: an image becomes a link with its alt text, or just the text', () => {
    expect(render('![a chart](https://x.example/y.png)')).toBe(
      '<p><a href="https://x.example/y.png" data-external="true" rel="noreferrer noopener">a chart</a></p>\n',
    );
    expect(render('![](https://x.example/y.png)')).toContain('>https://x.example/y.png</a>');
    expect(render('![alt <b>](javascript:alert(1))')).toBe('<p>alt &lt;b&gt;</p>\n');
  });

  it('renders task checkboxes as text, not <input>', () => {
    expect(render('- [x] done\n- [ ] todo')).toBe(
      '<ul>\n<li>☑ done</li>\n<li>☐ todo</li>\n</ul>\n',
    );
  });

  it('wraps code blocks in a container with a header slot; nested ones have no block id', () => {
    expect(render('```ts\nconst a = "<b>" && 1;\n```')).toBe(
      '<div class="code-block" data-block-id="0"><div class="code-header" data-lang="ts"></div>' +
        '<pre><code class="language-ts">const a = "&lt;b&gt;" &amp;&amp; 1;\n</code></pre></div>\n',
    );
    expect(render('- item\n\n  ```\n  x\n  ```')).toContain(
      '<div class="code-block"><div class="code-header"></div><pre><code>x\n</code></pre></div>',
    );
  });

  it('only puts safe language names in attributes', () => {
    expect(normalizeLang('c++ extra')).toBe('c++');
    expect(normalizeLang('js"onmouseover="x')).toBeNull();
    expect(normalizeLang('<script>')).toBeNull();
    expect(normalizeLang('')).toBeNull();
    expect(render('```"><script>\nx\n```')).toContain('<pre><code>x\n</code>');
  });

  it('escapes code text exactly as the HTML serializer does', () => {
    expect(escapeText('a & b < c > d "e" \'f\' \u00a0')).toBe(
      'a &amp; b &lt; c &gt; d "e" \'f\' &nbsp;',
    );
    expect(codeBlockHtml(null, '', null)).toBe(
      '<div class="code-block"><div class="code-header"></div><pre><code></code></pre></div>\n',
    );
  });
});

describe('lists and tables in parts', () => {
  it('the parts of a list or table are exactly marked’s html for it', () => {
    let checked = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { tokens } = lexSection(
        generateDocument(seed, 20).replace(/\r\n?/g, '\n'),
        emptyLinks(),
      );
      for (const token of tokens) {
        const rendered = renderToken(token, 0);
        const parts = rendered?.parts;
        if (!parts) continue;
        const items = parts.keys.map((_, index) => parts.item(index));
        const html = [...parts.open, ...items.map((item) => ({ html: item })), ...parts.close];
        expect(html.map((piece) => piece.html).join('')).toBe(parseTokens([token]));
        expect(rendered?.html).toBe(parseTokens([token]));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
