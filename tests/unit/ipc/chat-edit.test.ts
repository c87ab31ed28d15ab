import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS, type SendResult } from '../../../preload/api';
import { dispatch, type Handlers } from '../../../main/ipc/dispatch';
import { MAX_MESSAGE_CHARS } from '../../../main/ipc/schemas';
import { createMemoryLogger } from '../../../main/log';

const ID = '9c0d2a55-1111-4c55-8a5e-2f1f3c1d2e4f';
const MODEL = 'openai/gpt-4o-mini';

function handlers(edit: Handlers['chat:edit']): Handlers {
  const fail = () => {
    throw new Error('not expected');
  };
  const all = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [channel, fail]),
  ) as unknown as Handlers;
  return { ...all, 'chat:edit': edit };
}

describe('chat:edit', () => {
  const log = createMemoryLogger();
  const result = { removedMessageIds: ['m1', 'm2'] } as unknown as SendResult;

  it('hands the validated request to the chat service', async () => {
    const edit = vi.fn(() => result);
    const request = { conversationId: ID, messageId: 'm1', text: 'better', model: MODEL };
    expect(await dispatch(handlers(edit), 'chat:edit', request, log)).toEqual({
      ok: true,
      value: result,
    });
    expect(edit).toHaveBeenCalledWith(request);
  });

  it.each([
    ['an empty text', { messageId: 'm1', text: '  \n' }],
    ['a text over the cap', { messageId: 'm1', text: 'x'.repeat(MAX_MESSAGE_CHARS + 1) }],
    ['an empty message id', { messageId: '', text: 'ok' }],
    ['a message id over 256 characters', { messageId: 'm'.repeat(257), text: 'ok' }],
    ['an extra field', { messageId: 'm1', text: 'ok', draft: 'x' }],
  ])('refuses %s before main acts', async (_name, fields) => {
    const edit = vi.fn(() => result);
    const outcome = await dispatch(
      handlers(edit),
      'chat:edit',
      { conversationId: ID, model: MODEL, ...fields },
      log,
    );
    expect(outcome.ok).toBe(false);
    expect(edit).not.toHaveBeenCalled();
  });
});
