import { describe, expect, it } from 'vitest';
import { answer, tokenize } from '../../../../bench/markdown.bench';
import {
  MarkdownStream,
  renderMarkdownWith,
  type RenderedBlock,
} from '../../../../renderer/lib/markdown/incremental';
import { generateDocument, randomChunks } from './generate';
import { mark, oneShot } from './harness';

describe('changedFrom and block identity', () => {
  it('blocks before changedFrom are the same objects, and closed blocks never change', () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const doc = generateDocument(seed, 25);
      const stream = new MarkdownStream(mark);
      const closed: RenderedBlock[] = [];
      for (const [step, chunk] of randomChunks(doc, seed, 6).entries()) {
        const before = [...stream.blocks];
        const { changedFrom } = stream.append(chunk);
        const after = stream.blocks;
        const fail = (what: string) => failures.push(`seed ${seed} step ${step}: ${what}`);
        if (changedFrom < 0 || changedFrom > Math.max(before.length, after.length)) {
          fail(`changedFrom ${changedFrom} out of range`);
        }
        for (let i = 0; i < changedFrom; i++) {
          if (after[i] !== before[i]) fail(`block ${i} < changedFrom ${changedFrom} replaced`);
        }
        if (
          changedFrom < Math.min(before.length, after.length) &&
          after[changedFrom] === before[changedFrom]
        ) {
          fail(`changedFrom ${changedFrom} reported but block unchanged`);
        }
        closed.forEach((block, i) => {
          if (after[i] !== block) fail(`closed block ${i} replaced`);
        });
        let open = false;
        after.forEach((block, i) => {
          if (block.id !== i) fail(`block ${i} has id ${block.id}`);
          if (!block.closed) open = true;
          else if (open) fail(`closed block ${i} after an open one`);
          else if (i >= closed.length) closed.push(block);
        });
      }
      stream.finish();
      if (!stream.blocks.every((block) => block.closed))
        failures.push(`seed ${seed}: open after finish`);
    }
    expect(failures).toEqual([]);
  });

  it('appending inside a paragraph changes only that paragraph', () => {
    const stream = new MarkdownStream(mark);
    stream.append('# Title\n\nFirst paragraph.\n\nSecond\nline');
    const [title, first] = stream.blocks;
    expect(title?.closed).toBe(true);
    expect(first?.closed).toBe(true);
    const { changedFrom } = stream.append(' paragraph grows');
    expect(changedFrom).toBe(2);
    expect(stream.blocks[0]).toBe(title);
    expect(stream.blocks[1]).toBe(first);
    expect(stream.blocks[2]?.html).toBe('⟦<p>Second\nline paragraph grows</p>\n⟧');
    expect(stream.blocks[2]?.closed).toBe(false);
  });

  it('an empty chunk changes nothing', () => {
    const stream = new MarkdownStream(mark);
    stream.append('text');
    const before = stream.blocks[0];
    expect(stream.append('')).toEqual({ changedFrom: 1 });
    expect(stream.blocks[0]).toBe(before);
  });
});

describe('when a block closes', () => {
  it('a paragraph closes once a blank line and the next block’s first line have arrived', () => {
    const stream = new MarkdownStream(mark);
    stream.append('para\n\n');
    expect(stream.blocks.map((b) => b.closed)).toEqual([false]);
    stream.append('next');
    expect(stream.blocks.map((b) => b.closed)).toEqual([false, false]);
    stream.append(' line\n');
    expect(stream.blocks.map((b) => b.closed)).toEqual([true, false]);
  });

  it('a list stays open across a blank line until a non-item line follows it', () => {
    const stream = new MarkdownStream(mark);
    stream.append('- a\n- b\n\n- c\n');
    expect(stream.blocks).toHaveLength(1);
    expect(stream.blocks[0]?.closed).toBe(false);
    stream.append('\nafter\n');
    expect(stream.blocks.map((b) => b.closed)).toEqual([true, false]);
    expect(stream.blocks[0]?.html).toContain('<li><p>c</p>');
  });

  it('"12" after an ordered list could still become "12. item": no cut until the line ends', () => {
    const stream = new MarkdownStream(mark);
    stream.append('1. a\n\n12');
    expect(stream.blocks.every((b) => !b.closed)).toBe(true);
    stream.append('. b\n');
    expect(stream.blocks).toHaveLength(1);
    expect(stream.blocks[0]?.html).toContain('<li><p>b</p>');
  });

  it('a setext underline reinterprets the paragraph above it', () => {
    const stream = new MarkdownStream(mark);
    stream.append('Title\n');
    expect(stream.blocks[0]?.html).toBe('⟦<p>Title</p>\n⟧');
    stream.append('===\n');
    expect(stream.blocks[0]?.html).toBe('⟦<h1>Title</h1>\n⟧');
  });

  it('a table header becomes a table when its delimiter row arrives', () => {
    const stream = new MarkdownStream(mark);
    stream.append('| a | b |\n');
    expect(stream.blocks[0]?.html).toContain('<p>');
    stream.append('|---|---|\n| 1 | 2 |\n');
    expect(stream.blocks[0]?.html).toContain('<table>');
  });

  it('a fence closes only on its closing line, and only once that line has ended', () => {
    const closed: RenderedBlock[] = [];
    const stream = new MarkdownStream(mark, { onCodeBlockClosed: (block) => closed.push(block) });
    stream.append('Intro:\n```ts\nconst a = 1;\n\n``');
    expect(stream.blocks.map((b) => b.closed)).toEqual([true, false]);
    expect(stream.blocks[1]?.code).toEqual({ lang: 'ts', text: 'const a = 1;\n\n``' });
    stream.append('`');
    expect(closed).toEqual([]);
    stream.append('\nafter');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toBe(stream.blocks[1]);
    expect(closed[0]).toMatchObject({
      id: 1,
      closed: true,
      code: { lang: 'ts', text: 'const a = 1;\n\n' },
    });
    expect(closed[0]?.html).toBe(
      '<div class="code-block" data-block-id="1"><div class="code-header" data-lang="ts"></div>' +
        '<pre><code class="language-ts">const a = 1;\n\n</code></pre></div>\n',
    );
  });

  it('finish() closes an unterminated fence and reports it', () => {
    const closed: RenderedBlock[] = [];
    const stream = new MarkdownStream(mark, { onCodeBlockClosed: (block) => closed.push(block) });
    stream.append('~~~\nopen <b>');
    expect(closed).toEqual([]);
    stream.finish();
    expect(closed).toHaveLength(1);
    expect(closed[0]?.html).toContain('<code>open &lt;b&gt;\n</code>');
  });
});

describe('open fences are extended, not re-lexed', () => {
  const lines = Array.from({ length: 3000 }, (_, i) => `  let v${i} = "<${i}>" & ${i};`);

  it('per line, the open block equals the one-shot render of the same prefix', () => {
    const stream = new MarkdownStream(mark);
    stream.append('```js\n');
    let text = '```js\n';
    for (const [i, line] of lines.entries()) {
      stream.append(`${line}\n`);
      text += `${line}\n`;
      if (i % 250 === 0) expect(stream.blocks.map((b) => b.html)).toEqual(oneShot(text));
    }
    const lexed = stream.lexedChars;
    for (const line of lines) stream.append(`${line}\n`);
    expect(stream.lexedChars).toBe(lexed);
    stream.append('```\n');
    expect(stream.blocks[0]?.closed).toBe(true);
    stream.finish();
    expect(stream.blocks.map((b) => b.html)).toEqual(oneShot(stream.text));
  });

  it('an indented fence strips its indentation from content lines, as marked does', () => {
    const doc = '  ```\n    four\n  two\n one\nnone\n';
    const stream = new MarkdownStream(mark);
    for (const char of doc) stream.append(char);
    expect(stream.blocks.map((b) => b.html)).toEqual(oneShot(doc));
    stream.finish();
    expect(stream.blocks[0]?.code?.text).toBe('  four\ntwo\none\nnone');
  });
});

describe('work per update is bounded by the open tail', () => {
  it('streaming a 40k-token answer token by token lexes a bounded tail per token', () => {
    const text = answer(40_000, 5);
    const tokens = tokenize(text);
    const stream = new MarkdownStream((html) => html);
    let worst = 0;
    for (const token of tokens) {
      const before = stream.lexedChars;
      stream.append(token);
      worst = Math.max(worst, stream.lexedChars - before);
    }
    stream.finish();
    // Each update lexes the open tail (the current section) a small constant number of times.
    // (Measured: ≈ 2,800 and ≈ 60; re-lexing the whole answer per token would be ≈ 50,000×.)
    expect(worst).toBeLessThan(6_000);
    expect(stream.lexedChars / text.length).toBeLessThan(150);
    expect(stream.blocks.map((b) => b.html).join('')).toBe(renderMarkdownWith(text, (h) => h));
  });
});

describe('text and line endings', () => {
  it('keeps the appended text, with \\r\\n split across chunks normalized once', () => {
    const stream = new MarkdownStream(mark);
    for (const chunk of ['a\r', '\nb\r', '\r\n', '\r']) stream.append(chunk);
    stream.finish();
    expect(stream.text).toBe('a\nb\n\n\n');
    expect(stream.blocks.map((b) => b.html)).toEqual(oneShot('a\r\nb\r\r\n\r'));
  });

  it('refuses appends after finish(); finish() is idempotent', () => {
    const stream = new MarkdownStream(mark);
    stream.append('x');
    stream.finish();
    const blocks = [...stream.blocks];
    expect(stream.finish()).toEqual({ changedFrom: 1 });
    expect(stream.blocks).toEqual(blocks);
    expect(() => stream.append('y')).toThrow(/after finish/);
  });
});

describe('link reference definitions', () => {
  it('apply to their own section and later ones, never to closed blocks before them', () => {
    const doc =
      'before [x]\n\n[x]: https://example.com/x\n\nafter [x] and [y]\n\n[y]: https://y.example\n';
    const html = oneShot(doc).join('');
    expect(html).toContain('<p>before [x]</p>');
    expect(html).toContain('<a href="https://example.com/x"');
    expect(html).toContain('and [y]</p>');
    for (let split = 1; split < doc.length; split++) {
      const stream = new MarkdownStream(mark);
      stream.append(doc.slice(0, split));
      stream.append(doc.slice(split));
      stream.finish();
      expect(stream.blocks.map((b) => b.html).join('')).toBe(html);
    }
  });
});
