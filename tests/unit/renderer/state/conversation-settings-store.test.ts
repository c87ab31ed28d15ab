import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationSettings } from '../../../../preload/api';
import { NEW_CHAT } from '../../../../renderer/lib/state/chat.svelte';
import { Run } from './schedules';

const SET: ConversationSettings = {
  systemPrompt: 'Be brief.',
  temperature: 0.2,
  maxTokens: null,
  reasoningEffort: null,
};

describe('chat store: model and settings reach main without a send', () => {
  let run: Run;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    run = new Run();
  });
  afterEach(() => {
    run.dispose();
    vi.useRealTimers();
  });

  it('the model picked for a conversation is stored by main at once', async () => {
    await run.chat(1);
    const [conversation] = run.main.list();
    expect(conversation?.model).not.toBe('other/model');
    const sends = run.main.list()[0]?.messageCount;

    void run.store.chooseModel('other/model');
    await run.settle();
    expect(run.main.list()[0]?.model).toBe('other/model');
    expect(run.main.list()[0]?.messageCount).toBe(sends);
    expect(run.store.model).toBe('other/model');
    expect(run.store.active?.model).toBe('other/model');
  });

  it("a new chat's settings are held, then created with its conversation", async () => {
    expect(run.store.activeKey).toBe(NEW_CHAT);
    expect(await run.store.settings.save(NEW_CHAT, SET, false)).toBeNull();
    expect(run.main.list()).toHaveLength(0);
    await run.step({ do: 'type' });
    await run.step({ do: 'send' });
    await run.settle();
    const [created] = run.main.list();
    expect(run.main.conversation(created!.id)?.settings).toEqual(SET);
    expect(run.store.settings.held).toBeNull();
    expect(await run.store.settings.of(created!.id)).toEqual(SET);
  });
});
