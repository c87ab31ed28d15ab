import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_HIGHLIGHT_CHARS,
  createHighlighter,
  grammarFor,
} from '../../../../renderer/lib/markdown/highlight';

const MARKDOWN_DIR = join(import.meta.dirname, '../../../../renderer/lib/markdown');

describe('highlightCode', () => {
  it('loads highlight.js and each grammar only when a block needs it', async () => {
    const sanitized: string[] = [];
    const highlighter = createHighlighter((html) => {
      sanitized.push(html);
      return html;
    });
    expect([...highlighter.loaded]).toEqual([]);

    const html = await highlighter.highlight('const a: number = 1; // <b>', 'ts');
    expect([...highlighter.loaded]).toEqual(['typescript']);
    expect(html).toMatch(/^<span class="hljs-keyword">const<\/span> /);
    expect(html).toContain('<span class="hljs-built_in">number</span>');
    expect(html).toContain('<span class="hljs-comment">// &lt;b&gt;</span>');
    expect(sanitized).toEqual([html]);

    await highlighter.highlight('x = 1', 'python');
    await highlighter.highlight('y = 2', 'py');
    expect([...highlighter.loaded].sort()).toEqual(['python', 'typescript']);
  });

  it('returns escaped plain text for unknown languages, no language, and huge blocks', async () => {
    const highlighter = createHighlighter(() => {
      throw new Error('plain text needs no sanitizing');
    });
    expect(await highlighter.highlight('<script>alert(1)</script> & co', 'brainfuck')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; co\n',
    );
    expect(await highlighter.highlight('a < b', null)).toBe('a &lt; b\n');
    const huge = 'x'.repeat(MAX_HIGHLIGHT_CHARS + 1);
    expect(await highlighter.highlight(huge, 'js')).toBe(`${huge}\n`);
    expect([...highlighter.loaded]).toEqual([]);
  });

  it('knows the common languages and their usual names', () => {
    const names = ['ts', 'js', 'python', 'json', 'bash', 'sh', 'html', 'css', 'go', 'rust'];
    const more = ['java', 'c', 'cpp', 'c++', 'sql', 'yaml', 'yml', 'markdown', 'md', 'diff', 'TS'];
    for (const name of [...names, ...more]) expect(grammarFor(name), name).not.toBeNull();
    expect(grammarFor('constructor')).toBeNull();
    expect(grammarFor('toString')).toBeNull();
  });

  it('highlights every shipped grammar', async () => {
    const highlighter = createHighlighter((html) => html);
    for (const name of ['typescript', 'javascript', 'python', 'json', 'bash', 'xml', 'css', 'go']) {
      expect(await highlighter.highlight('x', name)).toBeTypeOf('string');
    }
    for (const name of ['rust', 'java', 'c', 'cpp', 'sql', 'yaml', 'markdown', 'diff']) {
      expect(await highlighter.highlight('x', name)).toBeTypeOf('string');
    }
    expect(highlighter.loaded.size).toBe(16);
  });

  it('is not imported statically by the markdown modules', () => {
    for (const file of readdirSync(MARKDOWN_DIR)) {
      const source = readFileSync(join(MARKDOWN_DIR, file), 'utf8');
      // Type-only imports are erased; a value import would put highlight.js in the startup bundle.
      expect(source, file).not.toMatch(/^import (?!type )[^(]*['"]highlight\.js(?:\/[^'"]*)?['"]/m);
    }
  });
});
