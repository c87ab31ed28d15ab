import { describe, expect, it, vi } from 'vitest';
import {
  CONVERSATION_SETTINGS_LIMITS,
  DEFAULT_CONVERSATION_SETTINGS,
  LatchkeyApiError,
  type Conversation,
  type ConversationSettings,
} from '../../../../preload/api';
import {
  ConversationSettingsState,
  invalidField,
} from '../../../../renderer/lib/state/conversation-settings.svelte';
import { NEW_CHAT } from '../../../../renderer/lib/state/drafts.svelte';

const SET: ConversationSettings = {
  systemPrompt: 'Be brief.',
  temperature: 0.5,
  maxTokens: 100,
  reasoningEffort: 'none',
};

function fakeApi(defaults: ConversationSettings = DEFAULT_CONVERSATION_SETTINGS) {
  return {
    openConversation: vi.fn(
      async (id: string) => ({ id, settings: SET }) as unknown as Conversation,
    ),
    setConversationSettings: vi.fn(async (_id: string, s: ConversationSettings) => s),
    getDefaultConversationSettings: vi.fn(async () => defaults),
    setDefaultConversationSettings: vi.fn(async (s: ConversationSettings) => s),
  };
}

describe('conversation settings state', () => {
  it('checks the bounds main enforces before sending anything', () => {
    expect(invalidField(SET)).toBeNull();
    expect(invalidField(DEFAULT_CONVERSATION_SETTINGS)).toBeNull();
    expect(invalidField({ ...SET, systemPrompt: 'x'.repeat(1024 * 1024) })).toBe('systemPrompt');
    expect(invalidField({ ...SET, temperature: 2.5 })).toBe('temperature');
    expect(invalidField({ ...SET, temperature: -1 })).toBe('temperature');
    expect(invalidField({ ...SET, maxTokens: 0 })).toBe('maxTokens');
    expect(invalidField({ ...SET, maxTokens: 2.5 })).toBe('maxTokens');
    expect(invalidField({ ...SET, maxTokens: CONVERSATION_SETTINGS_LIMITS.maxTokens + 1 })).toBe(
      'maxTokens',
    );
  });

  it('a 1 MB prompt is refused without a call to main; what was known stays', async () => {
    const api = fakeApi();
    const state = new ConversationSettingsState(api);
    state.know('c1', SET);
    const refused = await state.save('c1', { ...SET, systemPrompt: 'x'.repeat(1 << 20) }, true);
    expect(refused).toEqual({ code: 'CHAT_SETTINGS_INVALID', field: 'systemPrompt' });
    expect(api.setConversationSettings).not.toHaveBeenCalled();
    expect(api.setDefaultConversationSettings).not.toHaveBeenCalled();
    expect(await state.of('c1')).toEqual(SET);
  });

  it("main's refusal is returned and nothing known changes", async () => {
    const api = fakeApi();
    api.setConversationSettings.mockRejectedValueOnce(
      new LatchkeyApiError({ code: 'CHAT_SETTINGS_INVALID', field: 'temperature' }),
    );
    const state = new ConversationSettingsState(api);
    state.know('c1', SET);
    expect(await state.save('c1', { ...SET, temperature: 1 }, false)).toEqual({
      code: 'CHAT_SETTINGS_INVALID',
      field: 'temperature',
    });
    expect(await state.of('c1')).toEqual(SET);
  });

  it('the new chat holds its settings until its conversation is created; defaults otherwise', async () => {
    const defaults = { ...DEFAULT_CONVERSATION_SETTINGS, systemPrompt: 'Default.' };
    const api = fakeApi(defaults);
    const state = new ConversationSettingsState(api);
    expect(await state.of(NEW_CHAT)).toEqual(defaults);
    expect(state.held).toBeNull();

    expect(await state.save(NEW_CHAT, SET, false)).toBeNull();
    expect(api.setConversationSettings).not.toHaveBeenCalled();
    expect(state.held).toEqual(SET);
    expect(await state.of(NEW_CHAT)).toEqual(SET);

    state.adopt('c2', SET);
    expect(state.held).toBeNull();
    expect(await state.of('c2')).toEqual(SET);
    expect(await state.of(NEW_CHAT)).toEqual(defaults);
  });

  it('saves on the conversation, and as the default for new chats when asked', async () => {
    const api = fakeApi();
    const state = new ConversationSettingsState(api);
    expect(await state.save('c3', SET, true)).toBeNull();
    expect(api.setConversationSettings).toHaveBeenCalledWith('c3', SET);
    expect(api.setDefaultConversationSettings).toHaveBeenCalledWith(SET);
    expect(await state.of(NEW_CHAT)).toEqual(SET);
    expect(await state.of('c3')).toEqual(SET);
    // A conversation never seen is read from main once.
    expect(await state.of('c4')).toEqual(SET);
    expect(api.openConversation).toHaveBeenCalledTimes(1);
  });
});
