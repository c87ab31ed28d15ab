/**
 * The markdown module in Chromium with the real DOMPurify: the sanitization corpus (security.md
 * item 21), highlighted code, and the streamed == one-shot property with real sanitizing.
 */
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, openMarkdownPage, type PageGlobals } from './browser';
import { generateDocument, randomChunks } from './generate';

/** Markdown a model might emit to get script, a remote load or a dangerous link into the chat. */
const MARKDOWN_CORPUS = [
  '<img src=x onerror=alert(1)>',
  'text <img src=x onerror=alert(1)> inline',
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](&#106;avascript:alert(1))',
  '[x](java&#115;cript:alert(1))',
  '[x](java\\script:alert(1))',
  '[x][r]\n\n[r]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '[x](file:///etc/passwd)',
  '[x](data:text/html,<script>alert(1)</script>)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](vbscript:msgbox(1))',
  '[x](//evil.com)',
  '[x](/relative)',
  '[x](https://ok.example" onmouseover="alert(1))',
  '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
  '[<img src=x onerror=alert(1)>](https://ok.example)',
  '<a href="https://ok">ok</a>',
  '<a href="javascript:alert(1)">bad</a>',
  '<https://auto.example/path?q=<script>>',
  'www.example.com/<script>',
  'mail me: me@example.com',
  '<iframe src="https://evil.example"></iframe>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<style>body{display:none}</style>',
  '<p style="position:fixed">x</p>',
  '<details open ontoggle=alert(1)>',
  '<form action="https://evil"><input name=x><button>go</button></form>',
  '<object data="x"></object><embed src="x">',
  '<base href="https://evil/"><meta http-equiv="refresh" content="0;url=https://evil"><link rel=stylesheet href=x>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '![a](https://x.example/y.png)',
  '![a](javascript:alert(1))',
  '![<img src=x onerror=1>](https://x.example/y.png "title")',
  '- [x] done <img src=x onerror=1>\n- [ ] <script>alert(1)</script>',
  '| a | <img src=x onerror=1> |\n|---|---|\n| [x](javascript:1) | <b onclick=1>b</b> |',
  '| left | center | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |',
  '3. third\n4. fourth',
  '> <script>alert(1)</script>\n> [x](javascript:alert(1))',
  '# <img src=x onerror=alert(1)>',
  '`<img src=x onerror=alert(1)>`',
  '```html\n<img src=x onerror=alert(1)>\n```',
  '```"><img src=x onerror=alert(1)>\ncode\n```',
  '    <script>alert(1)</script>',
  '<!-- <img src=x onerror=alert(1)> -->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;',
];

/** Raw HTML handed straight to sanitize(): the second layer on its own. */
const HTML_CORPUS = [
  '<img src=x onerror=alert(1)>',
  '<p>a<script>alert(1)</script>b</p>',
  '<a href="javascript:alert(1)">j</a>',
  '<a href="https://ok.example" target="_blank" onclick="alert(1)" style="color:red">ok</a>',
  '<a href="//evil.com">p</a><a href="/rel">r</a><a href="file:///etc/passwd">f</a>',
  '<a href="data:text/html,x">d</a><a href=" javascript:alert(1)">s</a><a>none</a>',
  '<a href="mailto:a@b.c">m</a>',
  '<svg onload=alert(1)><circle></circle></svg>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<style>*{}</style><link rel=stylesheet href=x>',
  '<span class="hljs-keyword evil-class">k</span><code class="language-js x">c</code>',
  '<div data-block-id="1" data-evil="x" id="clobber" name="body">d</div>',
  '<form><input><textarea></textarea><select></select><button>b</button></form>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<math><mi><mglyph><style><img src=x onerror=alert(1)>',
  '<table><tr><td style="x" onclick="y">c</td></tr></table>',
  '<object data=x></object><embed src=x><video src=x></video><audio src=x></audio>',
];

describe.skipIf(!chromiumAvailable)('in Chromium', () => {
  let page: Page;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ page, close } = await openMarkdownPage());
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  it('renders the markdown corpus with nothing executable, loadable or off-policy', async () => {
    const results = await page.evaluate((corpus) => {
      const { LatchkeyMarkdown: md, audit } = globalThis as unknown as PageGlobals;
      return corpus.map((text) => {
        const html = md.renderMarkdown(text);
        return { text, html, problems: audit(html) };
      });
    }, MARKDOWN_CORPUS);
    for (const { text, html, problems } of results) {
      expect(problems, `${text}\n→ ${html}`).toEqual([]);
      expect(html).not.toMatch(/<(?:img|script|iframe|svg|style|form|input|object|embed)\b/i);
    }
    const byInput = new Map(results.map((r) => [r.text, r.html]));
    expect(byInput.get('[x](javascript:alert(1))')).toBe('<p>x</p>\n');
    expect(byInput.get('[x](//evil.com)')).toBe('<p>x</p>\n');
    expect(byInput.get('<img src=x onerror=alert(1)>')).toBe(
      '<p>&lt;img src=x onerror=alert(1)&gt;</p>\n',
    );
    expect(byInput.get('![a](https://x.example/y.png)')).toBe(
      '<p><a href="https://x.example/y.png" data-external="true" rel="noreferrer noopener">a</a></p>\n',
    );
    expect(byInput.get('mail me: me@example.com')).toContain('href="mailto:me@example.com"');
    expect(byInput.get('3. third\n4. fourth')).toBe(
      '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>\n',
    );
    expect(byInput.get('| left | center | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |')).toContain(
      '<td align="left">1</td>\n<td align="center">2</td>\n<td align="right">3</td>',
    );
  });

  it('sanitizes raw HTML to the allow-list, unwrapping links it refuses', async () => {
    const results = await page.evaluate((corpus) => {
      const { LatchkeyMarkdown: md, audit } = globalThis as unknown as PageGlobals;
      return corpus.map((html) => {
        const clean = md.sanitize(html);
        return { html, clean, problems: audit(clean), again: md.sanitize(clean) };
      });
    }, HTML_CORPUS);
    for (const { html, clean, problems, again } of results) {
      expect(problems, `${html}\n→ ${clean}`).toEqual([]);
      expect(again, 'sanitizing is idempotent').toBe(clean);
    }
    const byInput = new Map(results.map((r) => [r.html, r.clean]));
    expect(byInput.get('<a href="javascript:alert(1)">j</a>')).toBe('j');
    expect(
      byInput.get(
        '<a href="https://ok.example" target="_blank" onclick="alert(1)" style="color:red">ok</a>',
      ),
    ).toBe('<a href="https://ok.example/" data-external="true" rel="noreferrer noopener">ok</a>');
    expect(
      byInput.get(
        '<a href="//evil.com">p</a><a href="/rel">r</a><a href="file:///etc/passwd">f</a>',
      ),
    ).toBe('prf');
    expect(
      byInput.get(
        '<span class="hljs-keyword evil-class">k</span><code class="language-js x">c</code>',
      ),
    ).toBe('<span class="hljs-keyword">k</span><code class="language-js">c</code>');
    expect(
      byInput.get('<div data-block-id="1" data-evil="x" id="clobber" name="body">d</div>'),
    ).toBe('<div data-block-id="1">d</div>');
  });

  it('code blocks are built so that sanitizing them changes nothing', async () => {
    const codes = [
      'const a = "<b>" && \'x\';',
      '</code></pre><img src=x onerror=alert(1)>',
      '&amp; &lt; \u00a0 \t tabs',
      '',
      '\n\n',
      '<!-- x --> <![CDATA[ y ]]> <?php ?>',
      '漢字 😀 \u2028 \u200b',
    ];
    const results = await page.evaluate((list) => {
      const { LatchkeyMarkdown: md } = globalThis as unknown as PageGlobals;
      return list.map((code) => {
        const html = md.renderMarkdown(`\`\`\`js\n${code}\n\`\`\`\n\n    ${code}`);
        return { html, sanitized: md.sanitize(html) };
      });
    }, codes);
    for (const { html, sanitized } of results) expect(sanitized).toBe(html);
  });

  it('every rendered block (lists and tables are sanitized in parts) is what sanitize() gives', async () => {
    const docs = Array.from({ length: 300 }, (_, index) => generateDocument(800_000 + index, 12));
    const failures = await page.evaluate((list) => {
      const { LatchkeyMarkdown: md, audit } = globalThis as unknown as PageGlobals;
      const out: { block: string; again: string; problems: string[] }[] = [];
      for (const doc of list) {
        const stream = new md.IncrementalMarkdown();
        stream.append(doc);
        stream.finish();
        for (const { html } of stream.blocks) {
          const again = md.sanitize(html);
          const problems = audit(html);
          if (again !== html || problems.length) out.push({ block: html, again, problems });
        }
      }
      return out;
    }, docs);
    expect(failures.slice(0, 3)).toEqual([]);
  });

  it('highlightCode returns sanitized hljs spans, or escaped text for unknown languages', async () => {
    const results = await page.evaluate(async () => {
      const { LatchkeyMarkdown: md, audit } = globalThis as unknown as PageGlobals;
      const ts = await md.highlightCode('const a: string = "</code><img src=x onerror=1>";', 'ts');
      const html = await md.highlightCode(
        '<div onclick="x()"><script>alert(1)</script></div>',
        'html',
      );
      const unknown = await md.highlightCode('<img src=x onerror=1> & co', 'cobol-9000');
      return { ts, html, unknown, problems: [...audit(ts), ...audit(html), ...audit(unknown)] };
    });
    expect(results.problems).toEqual([]);
    expect(results.ts).toContain('<span class="hljs-keyword">const</span>');
    expect(results.ts).toContain('&lt;img src=x onerror=1&gt;');
    expect(results.html).toContain('hljs-tag');
    expect(results.html).not.toMatch(/<(?:div|script)\b/);
    expect(results.unknown).toBe('&lt;img src=x onerror=1&gt; &amp; co\n');
  });

  it('streamed == one-shot with real sanitizing, over 400 documents', async () => {
    const cases = Array.from({ length: 400 }, (_, index) => {
      const doc = generateDocument(700_000 + index, index % 4 === 0 ? 20 : 3);
      const splits =
        index % 4 === 0
          ? [randomChunks(doc, index, 40), randomChunks(doc, index + 1, 200)]
          : Array.from({ length: 6 }, (_, k) => {
              const at = Math.floor(((k + 1) / 7) * doc.length);
              return [doc.slice(0, at), doc.slice(at)];
            });
      return { doc, splits };
    });
    const failures = await page.evaluate((list) => {
      const { LatchkeyMarkdown: md } = globalThis as unknown as PageGlobals;
      const out: { doc: string; chunks: string[]; got: string; expected: string }[] = [];
      for (const { doc, splits } of list) {
        const expected = md.renderMarkdown(doc);
        for (const chunks of splits) {
          const stream = new md.IncrementalMarkdown();
          for (const chunk of chunks) stream.append(chunk);
          stream.finish();
          const got = stream.blocks.map((block) => block.html).join('');
          if (got !== expected) out.push({ doc, chunks, got, expected });
        }
      }
      return out;
    }, cases);
    expect(failures.slice(0, 3)).toEqual([]);
  }, 120_000);
});
