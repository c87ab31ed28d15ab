import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../../preload/api';
import { ChatEvents } from '../../../../renderer/lib/state/chat-events';
import { ConversationView } from '../../../../renderer/lib/state/conversation-view.svelte';

function answer(revision: number, content: string, status: ChatMessage['status']): ChatMessage {
  return {
    id: 'a1',
    revision,
    role: 'assistant',
    content,
    createdAt: 1,
    status,
    model: 'm',
    usage: null,
    finishReason: status === 'complete' ? 'stop' : null,
    error: null,
  };
}

const shown = (view: ConversationView) =>
  view.entries.map((entry) => [entry.content, entry.message.status, entry.revision]);

describe('a conversation view applies copies of a message by revision', () => {
  it('an older copy never replaces a newer one; an equal one only replaces a placeholder', () => {
    const view = new ConversationView('c1');
    view.applyPieces('a1', [{ seq: 1, text: 'Hel' }]);
    expect(shown(view)).toEqual([['Hel', 'streaming', 1]]);
    view.apply(answer(3, 'Hello!', 'complete'));
    view.apply(answer(0, '', 'streaming')); // the send response, late
    view.apply(answer(2, 'Hello', 'streaming')); // a snapshot, late
    expect(shown(view)).toEqual([['Hello!', 'complete', 3]]);

    const placeholder = new ConversationView('c2');
    placeholder.applyPieces('a1', [{ seq: 1, text: 'x' }]);
    placeholder.apply(answer(1, 'x', 'streaming'));
    expect(placeholder.get('a1')?.message.model).toBe('m');
  });

  it('a page that starts mid-stream: pieces after a gap wait for the snapshot that fills it', () => {
    const view = new ConversationView('c1');
    // Pieces 5 and 6 arrive before main's copy (the page opened while the answer streamed).
    view.applyPieces('a1', [
      { seq: 5, text: 'e' },
      { seq: 6, text: 'f' },
    ]);
    expect(shown(view)).toEqual([['', 'streaming', 0]]);
    // The snapshot holds pieces 1–5: piece 6 applies on top, piece 5 is not doubled.
    view.apply(answer(5, 'abcde', 'streaming'));
    expect(shown(view)).toEqual([['abcdef', 'streaming', 6]]);
    view.applyPieces('a1', [{ seq: 6, text: 'f' }]);
    view.applyPieces('a1', [{ seq: 7, text: 'g' }]);
    expect(shown(view)).toEqual([['abcdefg', 'streaming', 7]]);
  });

  it('a regenerated answer replaces every answer after the last user message', () => {
    const user: ChatMessage = { ...answer(0, 'Hi', 'complete'), id: 'u1', role: 'user' };
    const view = new ConversationView('c1', [user, answer(2, 'old', 'complete')]);
    // The new answer's final state came before the regenerate response.
    view.apply({ ...answer(4, 'new', 'complete'), id: 'a2' });
    view.replaceAnswers({ ...answer(0, '', 'streaming'), id: 'a2' });
    expect(view.entries.map((entry) => [entry.id, entry.content])).toEqual([
      ['u1', 'Hi'],
      ['a2', 'new'],
    ]);
  });
});

describe('chat events are kept for views that do not exist yet', () => {
  it('the final state and later pieces wait, and apply over an older snapshot', () => {
    const views = new Map<string, ConversationView>();
    const onFinal = vi.fn();
    const events = new ChatEvents((id) => views.get(id), onFinal);
    events.delta({ conversationId: 'c1', messageId: 'a1', seq: 1, text: 'Hel' });
    events.flush();
    events.message('c1', answer(3, 'Hello!', 'complete'));
    // The snapshot was taken before the answer ended.
    const view = new ConversationView('c1', [answer(1, 'Hel', 'streaming')]);
    views.set('c1', view);
    events.deliver(view);
    expect(shown(view)).toEqual([['Hello!', 'complete', 3]]);

    events.forget('c1');
    events.message('c1', answer(9, 'late', 'complete'));
    expect(shown(view)).toEqual([['Hello!', 'complete', 3]]);
  });
});
