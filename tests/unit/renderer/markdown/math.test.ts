/**
 * TeX math (math.ts) as the renderer emits it, before DOMPurify: which text is a formula, what KaTeX
 * makes of it, and how formulas stream. Sanitizing KaTeX's output is tested in Chromium
 * (math-chromium.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { MarkdownStream, renderMarkdownWith } from '../../../../renderer/lib/markdown/incremental';
import { MAX_TEX_CHARS } from '../../../../renderer/lib/markdown/math';
import { mark, oneShot, streamed } from './harness';

const render = (text: string) => renderMarkdownWith(text, (html) => html);
const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('delimiters', () => {
  it.each([
    ['$x^2$', false],
    ['a $x^2$ b', false],
    ['($x^2$)', false],
    ["$x^2$'s value", false],
    ['a \\(x^2\\) b', false],
    ['a $$x^2$$ b', true],
    ['a \\[x^2\\] b', true],
    ['$$\nx^2\n$$', true],
    ['\\[\nx^2\n\\]', true],
    ['$$x^2$$', true],
  ])('%j is typeset (display: %s)', (text, display) => {
    const html = render(text);
    expect(count(html, /<math /g)).toBe(1);
    expect(html.includes('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')).toBe(
      display,
    );
    expect(html).toContain('<msup><mi>x</mi><mn>2</mn></msup>');
    expect(html).toContain('class="katex-html" aria-hidden="true"');
  });

  it('a display block on its own lines is a block, not a paragraph', () => {
    const html = render('Before.\n\n$$\n\\frac{a}{b}\n$$\n\nAfter.');
    expect(html).toMatch(
      /^<p>Before\.<\/p>\n<span class="katex-display">.*<mfrac>.*<\/span>\n<p>After\.<\/p>\n$/,
    );
  });

  it('a formula in a list item, a heading and a table cell', () => {
    const html = render(
      '# Area $\\pi r^2$\n\n- item $a$\n\n| f | g |\n|---|---|\n| $b$ | \\(c\\) |',
    );
    expect(count(html, /<math /g)).toBe(4);
  });

  it.each([
    'costs $5 and $10',
    'from $3.50 to $4',
    'between $ 5 and $ 6',
    'it is $5, maybe $6 or $7.',
    'a lone $ sign',
    '$x $',
    '$ x$',
    '$20,000 and $30,000',
    'just $$',
    '$$$$',
    'escaped \\$x\\$ dollars',
    '`$x$` in code',
    '```\n$x$\n```',
  ])('%j has no formula', (text) => {
    const html = render(text);
    expect(html).not.toContain('katex');
  });

  it('currency keeps its text exactly', () => {
    expect(render('costs $5 and $10')).toBe('<p>costs $5 and $10</p>\n');
    expect(render('It was $5, and $x$ is not money.')).toMatch(
      /^<p>It was \$5, and <span class="katex">.*<\/span> is not money\.<\/p>\n$/,
    );
  });

  it('the closing $ must not be followed by a digit', () => {
    expect(render('$x$5')).not.toContain('katex');
    expect(render('$x$ 5')).toContain('<math');
  });
});

describe('untrusted TeX', () => {
  it('\\href, \\url and \\includegraphics make no link, image or javascript: URL', () => {
    for (const tex of [
      '$\\href{javascript:alert(1)}{x}$',
      '$\\url{javascript:alert(1)}$',
      '$$\\href{https://evil.example}{click}$$',
      '$\\includegraphics{https://evil.example/x.png}$',
      '$\\htmlStyle{position:fixed}{x}$',
      '$\\htmlClass{evil}{x}$',
      '$\\htmlData{x=1}{y}$',
    ]) {
      // The source may only appear as the MathML annotation's text (sanitizing drops it).
      const html = render(tex).replace(/<annotation[^]*?<\/annotation>/g, '');
      expect(html, tex).not.toMatch(
        /<(?:a|img|mglyph)\b|href=|src=|javascript:|position:fixed|class="evil"/,
      );
    }
  });

  it('a malformed formula shows its source as an error, and the rest still renders', () => {
    const html = render('Bad $\\frac{$ then **bold** and $y$.\n\nNext $\\sqrt{$ paragraph.');
    expect(count(html, /class="katex-error"/g)).toBe(2);
    expect(html).toContain('>\\frac{</span>');
    expect(html).toContain('<strong>bold</strong>');
    expect(count(html, /<math /g)).toBe(1);
    expect(html).toContain('<p>Next <span class="katex-error"');
  });

  it('raw HTML in a formula stays text', () => {
    const html = render('$\\text{<img src=x onerror=alert(1)>}$');
    expect(html).not.toMatch(/<img/);
  });

  it('an over-long formula is shown as escaped source, not typeset', () => {
    const tex = `$${'x+'.repeat(MAX_TEX_CHARS)}y<b>$`;
    const html = render(tex);
    expect(html).not.toContain('katex');
    expect(html).toContain('y&lt;b&gt;$');
  });
});

describe('streaming', () => {
  const html = (stream: MarkdownStream) => stream.blocks.map((block) => block.html).join('');

  it('an unclosed $$ at the open tail is text until it closes', () => {
    const stream = new MarkdownStream(mark);
    stream.append('Euler says $$e^{i\\pi}');
    expect(html(stream)).not.toContain('katex');
    expect(html(stream)).toContain('$$e^{i\\pi}');
    stream.append(' + 1 = 0');
    expect(html(stream)).not.toContain('katex');
    stream.append('$$ indeed.');
    expect(count(html(stream), /<math /g)).toBe(1);
    stream.finish();
    expect(html(stream)).toBe(oneShot('Euler says $$e^{i\\pi} + 1 = 0$$ indeed.').join(''));
  });

  it('an unclosed display block is text until its closing line', () => {
    const stream = new MarkdownStream(mark);
    stream.append('Intro.\n\n$$\n\\int_0^1 x\\,dx\n');
    expect(html(stream)).not.toContain('katex');
    stream.append('$');
    expect(html(stream)).not.toContain('katex');
    stream.append('$\n\nMore text $x');
    expect(count(html(stream), /<math /g)).toBe(1);
    stream.append('$.');
    expect(count(html(stream), /<math /g)).toBe(2);
  });

  it('an unclosed formula at the end of the answer stays text', () => {
    expect(oneShot('Total: $$\\sum_i x_i').join('')).not.toContain('katex');
    expect(oneShot('Total: \\(x').join('')).not.toContain('katex');
  });

  it('streamed == one-shot for math at every split point', () => {
    const docs = [
      'a $x$ b $$y$$ c \\(z\\) d \\[w\\] e costs $5 and $10.',
      'P:\n\n$$\n\\frac{1}{2}\n$$\n\n\\[\n\\sqrt{2}\n\\]\n\n- $a_1$\n- $b$5\n\n$\\frac{$ err **b**',
      '$$\nx\n\ny\n$$\n\n| $a$ | b |\n|---|---|\n| \\(c\\) | $d$ |\n\n> quote $q$\n\n```\n$no$\n```\n',
    ];
    for (const doc of docs) {
      const expected = oneShot(doc);
      for (let at = 0; at <= doc.length; at++) {
        expect(
          streamed([doc.slice(0, at), doc.slice(at)]),
          `${JSON.stringify(doc)} @${at}`,
        ).toEqual(expected);
      }
      expect(streamed(Array.from(doc))).toEqual(expected);
    }
  });
});
