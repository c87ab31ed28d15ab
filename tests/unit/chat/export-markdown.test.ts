import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONVERSATION_SETTINGS,
  type ChatMessage,
  type Conversation,
  type MessageStatus,
} from '../../../preload/api';
import {
  closeOpenFence,
  conversationMarkdown,
  exportFilename,
  MAX_FILENAME_BYTES,
  renderMarkdown,
} from '../../../main/chat/export-markdown';

const T0 = Date.UTC(2026, 11, 3, 13, 4, 30);

function message(
  role: 'user' | 'assistant',
  content: string,
  fields: Partial<ChatMessage> = {},
): ChatMessage {
  return {
    id: `m-${content.length}-${role}`,
    revision: 1,
    role,
    content,
    createdAt: T0,
    status: 'complete' as MessageStatus,
    model: role === 'assistant' ? 'openai/gpt-4o' : null,
    usage: null,
    finishReason: role === 'assistant' ? 'stop' : null,
    error: null,
    ...fields,
  };
}

function conversation(title: string, messages: ChatMessage[], draft = ''): Conversation {
  return {
    settings: DEFAULT_CONVERSATION_SETTINGS,
    id: '3b6f8a40-9d1e-4c55-8a5e-2f1f3c1d2e4f',
    revision: 7,
    provider: 'openrouter',
    title,
    createdAt: T0,
    updatedAt: T0,
    model: 'openai/gpt-4o',
    messageCount: messages.length,
    streaming: false,
    messages,
    draft,
  };
}

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('conversation as Markdown', () => {
  it('has the title as a heading, then each turn under its role and time, content as-is', () => {
    const markdown = renderMarkdown(
      conversation('Sorting in Rust', [
        message('user', 'How do I sort a `Vec`?'),
        message('assistant', 'Use **sort**:\n\n```rust\nv.sort();\n```\n\n- stable\n- in place'),
      ]),
    );
    expect(markdown).toBe(
      [
        '# Sorting in Rust',
        '---',
        '**You** · 2026-12-03 13:04 UTC\n\nHow do I sort a `Vec`?',
        '---',
        '**Assistant** (openai/gpt-4o) · 2026-12-03 13:04 UTC\n\n' +
          'Use **sort**:\n\n```rust\nv.sort();\n```\n\n- stable\n- in place',
      ].join('\n\n') + '\n',
    );
  });

  it('marks answers that are not complete: stopped, cut off, still streaming, failed', () => {
    const markdown = renderMarkdown(
      conversation('Statuses', [
        message('assistant', 'Half an', { status: 'stopped' }),
        message('assistant', 'Cut', { status: 'incomplete' }),
        message('assistant', 'Going', { status: 'streaming' }),
        message('assistant', '', {
          status: 'error',
          error: { code: 'CHAT_OUT_OF_CREDITS', status: 402 },
        }),
        message('assistant', 'Fine'),
      ]),
    );
    expect(markdown).toContain('Half an\n\n> _Stopped: this answer is incomplete._');
    expect(markdown).toContain('Cut\n\n> _Incomplete: the answer was cut off._');
    expect(markdown).toContain('Going\n\n> _Still being written when exported');
    expect(markdown).toContain(
      '· 2026-12-03 13:04 UTC\n\n> _Error (CHAT_OUT_OF_CREDITS, HTTP 402): this answer failed._',
    );
    expect(markdown.endsWith('Fine\n')).toBe(true);
    expect(markdown.match(/> _/g)).toHaveLength(4);
  });

  it('keeps Chinese text, emoji and code fences byte for byte', () => {
    const answer = '你好！这是代码：\n\n~~~python\nprint("你好 🌏")\n~~~\n\n数学 $a^2$';
    const markdown = renderMarkdown(
      conversation('中文对话 🌏', [message('user', '写一段代码'), message('assistant', answer)]),
    );
    expect(markdown.startsWith('# 中文对话 🌏\n')).toBe(true);
    expect(markdown).toContain('写一段代码');
    expect(markdown).toContain(answer);
  });

  it('names the files sent with a message (the files themselves stay on the device)', () => {
    const file = (name: string, kind: 'image' | 'pdf' | 'text') => ({
      id: 'a'.repeat(64),
      name,
      mediaType: kind === 'image' ? 'image/png' : kind === 'pdf' ? 'application/pdf' : 'text/plain',
      size: 1234,
      kind,
    });
    const markdown = renderMarkdown(
      conversation('Files', [
        message('user', 'What is in these?', {
          attachments: [file('chart.png', 'image'), file('a`b\nc.pdf', 'pdf')],
        }),
        message('assistant', 'A chart and a report.'),
      ]),
    );
    expect(markdown).toContain("What is in these?\n\n_Attached: `chart.png`, `a'b c.pdf`_");
    expect(markdown).not.toContain('a'.repeat(64));
  });

  it('closes a code fence an answer left open, so later turns are not swallowed', () => {
    expect(closeOpenFence('Here:\n```ts\nconst a = 1;')).toBe('Here:\n```ts\nconst a = 1;\n```');
    expect(closeOpenFence('````md\n```\ninner\n```')).toBe('````md\n```\ninner\n```\n````');
    expect(closeOpenFence('~~~\nx\n~~~')).toBe('~~~\nx\n~~~');
    expect(closeOpenFence('```\na\n```\n\n```js\nb\n```')).toBe('```\na\n```\n\n```js\nb\n```');
    expect(closeOpenFence('inline ``` not a fence ``` here')).toBe(
      'inline ``` not a fence ``` here',
    );
    const markdown = renderMarkdown(
      conversation('Open fence', [
        message('assistant', '```py\nwhile True:', { status: 'stopped' }),
        message('user', 'next'),
      ]),
    );
    expect(markdown).toContain('```py\nwhile True:\n```\n\n> _Stopped');
  });

  it('normalises line endings, and an untitled chat is "New chat"', () => {
    const markdown = renderMarkdown(conversation('', [message('user', 'a\r\nb\rc\n\n')]));
    expect(markdown).toBe('# New chat\n\n---\n\n**You** · 2026-12-03 13:04 UTC\n\na\nb\nc\n');
  });

  it('holds this one conversation only: no draft, no id, no provider, nothing but the turns', () => {
    const { filename, markdown } = conversationMarkdown(
      conversation('Mine', [message('user', 'hello')], 'secret draft sk-or-v1-canary'),
    );
    expect(filename).toBe('Mine.md');
    expect(markdown).not.toContain('secret draft');
    expect(markdown).not.toContain('sk-or-v1');
    expect(markdown).not.toContain('3b6f8a40');
    expect(markdown).not.toContain('openrouter');
  });
});

describe('export file name', () => {
  it.each([
    ['Sorting in Rust', 'Sorting in Rust.md'],
    ['../../etc/passwd', 'etc passwd.md'],
    ['..\\..\\Windows\\System32', 'Windows System32.md'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a b c d e f g h i j.md'],
    ['tab\there\nnew\u0000line\u007f\u0085', 'tab here new line.md'],
    ['.hidden', 'hidden.md'],
    ['trailing dots...', 'trailing dots.md'],
    ['  spaces  ', 'spaces.md'],
    ['CON', 'CON_.md'],
    ['con', 'con_.md'],
    ['nul.txt', 'nul_.txt.md'],
    ['COM1', 'COM1_.md'],
    ['lpt9', 'lpt9_.md'],
    ['CONSOLE', 'CONSOLE.md'],
    ['', 'New chat.md'],
    ['...', 'New chat.md'],
    ['???', 'New chat.md'],
    ['中文对话', '中文对话.md'],
    ['Party 🎉 time', 'Party 🎉 time.md'],
    ['evil\u202Edm.exe', 'evildm.exe.md'],
  ])('%j → %j', (title, expected) => {
    expect(exportFilename(title)).toBe(expected);
  });

  it('caps a 300-character title at a whole character, within the byte limit', () => {
    const ascii = exportFilename('a'.repeat(300));
    expect(ascii).toBe(`${'a'.repeat(MAX_FILENAME_BYTES - 3)}.md`);
    expect(bytes(ascii)).toBe(MAX_FILENAME_BYTES);

    const chinese = exportFilename('长'.repeat(300));
    expect(bytes(chinese)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(chinese).toMatch(/^长+\.md$/);

    // A family emoji is one grapheme of 7 code points (25 bytes): never cut in half.
    const family = '👨‍👩‍👧‍👦';
    const emoji = exportFilename(family.repeat(300));
    expect(bytes(emoji)).toBeLessThanOrEqual(MAX_FILENAME_BYTES);
    expect(
      emoji
        .slice(0, -3)
        .split(family)
        .every((part) => part === ''),
    ).toBe(true);

    expect(exportFilename(`${'word '.repeat(39)}x...`)).not.toMatch(/[ .]\.md$/);
  });
});
