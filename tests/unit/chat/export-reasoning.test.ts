import { describe, expect, it } from 'vitest';
import type { ChatMessage, Conversation } from '../../../preload/api';
import { renderMarkdown } from '../../../main/chat/export-markdown';

const T0 = Date.UTC(2026, 11, 3, 13, 4, 30);

function answer(fields: Partial<ChatMessage>): ChatMessage {
  return {
    id: 'a1',
    revision: 3,
    role: 'assistant',
    content: 'The answer is **42**.',
    createdAt: T0,
    status: 'complete',
    model: 'anthropic/claude-sonnet-4',
    usage: null,
    finishReason: 'stop',
    error: null,
    ...fields,
  };
}

/** renderMarkdown reads the title and the messages only. */
const doc = (messages: ChatMessage[]) =>
  renderMarkdown({ title: 'Sums', messages } as unknown as Conversation);

describe('export: reasoning', () => {
  it('goes above the answer in a collapsed <details> block, with how long it took', () => {
    const markdown = doc([answer({ reasoning: 'First **add**.\n\n- 6 × 7', reasoningMs: 4_400 })]);
    expect(markdown).toContain(
      '**Assistant** (anthropic/claude-sonnet-4) · 2026-12-03 13:04 UTC\n\n' +
        '<details>\n<summary>Reasoning (4 s)</summary>\n\nFirst **add**.\n\n- 6 × 7\n\n</details>\n\n' +
        'The answer is **42**.',
    );
  });

  it('cannot close the block early or swallow the answer', () => {
    const markdown = doc([answer({ reasoning: 'a </details> b\n\n```ts\nopen fence' })]);
    expect(markdown).toContain('a &lt;/details> b');
    expect(markdown).toContain('```ts\nopen fence\n```\n\n</details>\n\nThe answer is **42**.');
    expect(markdown.match(/<\/details>/g)).toHaveLength(1);
  });

  it('an answer without reasoning has no block; reasoning_details are never exported', () => {
    const markdown = doc([
      answer({ reasoningDetails: [{ type: 'reasoning.encrypted', data: 'zzz' }] }),
    ]);
    expect(markdown).not.toContain('<details>');
    expect(markdown).not.toContain('zzz');
  });
});
