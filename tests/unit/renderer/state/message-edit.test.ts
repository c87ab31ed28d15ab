import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage, ErrorView } from '../../../../preload/api';
import { ConversationView } from '../../../../renderer/lib/state/conversation-view.svelte';
import { MessageEdit, type EditTarget } from '../../../../renderer/lib/state/message-edit.svelte';

function message(id: string, role: ChatMessage['role'], content: string): ChatMessage {
  return {
    id,
    revision: 0,
    role,
    content,
    createdAt: 1,
    status: 'complete',
    model: null,
    usage: null,
    finishReason: null,
    error: null,
  };
}

function target(answer: ErrorView | null = null) {
  const view = new ConversationView('c1', [
    message('u1', 'user', 'first'),
    message('a1', 'assistant', 'one'),
    message('u2', 'user', 'second'),
    message('a2', 'assistant', 'two'),
  ]);
  const edit = vi.fn(async (_id: string, _text: string) => answer);
  const chat: EditTarget & { streaming: boolean } = {
    view,
    streaming: false,
    lastUserMessageId: 'u2',
    edit,
  };
  return { chat, edit, editor: new MessageEdit(() => chat), view };
}

describe('MessageEdit', () => {
  it('Up-arrow edits the last message of the user; editing it sends without asking', async () => {
    const { editor, edit } = target();
    expect(editor.startLast()).toBe(true);
    expect(editor.messageId).toBe('u2');
    expect(editor.text).toBe('second');
    editor.text = 'second, better';
    expect(await editor.save()).toBe(true);
    expect(edit).toHaveBeenCalledWith('u2', 'second, better');
    expect(editor.messageId).toBeNull();
  });

  it('asks before later turns are replaced; Cancel keeps the edit box and sends nothing', async () => {
    const { editor, edit } = target();
    editor.start('u1');
    editor.text = 'first, better';
    expect(await editor.save()).toBe(false);
    expect(editor.confirming).toBe(3);
    editor.keepEditing();
    expect(editor.confirming).toBeNull();
    expect(editor.messageId).toBe('u1');
    expect(edit).not.toHaveBeenCalled();
    await editor.save();
    expect(await editor.send()).toBe(true);
    expect(edit).toHaveBeenCalledWith('u1', 'first, better');
  });

  it('a failed send keeps the text in the edit box and shows why', async () => {
    const { editor } = target({ code: 'CHAT_OUT_OF_CREDITS', status: 402 });
    editor.start('u2');
    editor.text = 'kept';
    expect(await editor.save()).toBe(false);
    expect(editor.messageId).toBe('u2');
    expect(editor.text).toBe('kept');
    expect(editor.error?.code).toBe('CHAT_OUT_OF_CREDITS');
    expect(editor.pending).toBe(false);
  });

  it('cannot start while an answer streams; answers and unknown ids are not editable', () => {
    const { editor, chat } = target();
    expect(editor.start('a1')).toBe(false);
    expect(editor.start('nope')).toBe(false);
    chat.streaming = true;
    expect(editor.available).toBe(false);
    expect(editor.start('u1')).toBe(false);
  });
});

describe('ConversationView.edited', () => {
  it('drops the removed messages for good and shows the new one before its answer', () => {
    const { view } = target();
    // The answer's first piece arrived before the edit's response.
    view.applyPieces('a3', [{ seq: 1, text: 'hi' }]);
    view.edited(['u2', 'a2'], message('u3', 'user', 'second, better'), {
      ...message('a3', 'assistant', ''),
      status: 'streaming',
    });
    expect(view.entries.map((e) => e.id)).toEqual(['u1', 'a1', 'u3', 'a3']);
    // A late copy of a removed message (an event sent before the edit, a snapshot) stays out.
    view.apply({ ...message('a2', 'assistant', 'two'), revision: 9 });
    view.merge([message('u2', 'user', 'second')]);
    view.applyPieces('a2', [{ seq: 10, text: 'x' }]);
    expect(view.entries.map((e) => e.id)).toEqual(['u1', 'a1', 'u3', 'a3']);
  });
});
