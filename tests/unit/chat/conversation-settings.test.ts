import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_SETTINGS_LIMITS,
  DEFAULT_CONVERSATION_SETTINGS,
  type ConversationSettings,
} from '../../../preload/api';
import {
  checkConversationSettings,
  requestParameters,
  settingsRequestSchema,
  storedSettingsSchema,
  withSystemPrompt,
} from '../../../main/chat/conversation-settings';
import { buildChatRequest, processModelsResponse } from '../../../main/chat/openrouter-chat';
import { LatchkeyError } from '../../../main/errors';
import { requestSchemas } from '../../../main/ipc/schemas';

const SET: ConversationSettings = {
  systemPrompt: 'You are terse.',
  temperature: 0.3,
  maxTokens: 512,
  reasoningEffort: 'low',
};

function refusal(settings: unknown): LatchkeyError {
  try {
    checkConversationSettings(settings);
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('conversation settings: validation', () => {
  it('accepts settings within bounds, and every parameter left to the model', () => {
    expect(checkConversationSettings(SET)).toEqual(SET);
    expect(checkConversationSettings(DEFAULT_CONVERSATION_SETTINGS)).toEqual(
      DEFAULT_CONVERSATION_SETTINGS,
    );
    const edges = { ...SET, temperature: 2, maxTokens: CONVERSATION_SETTINGS_LIMITS.maxTokens };
    expect(checkConversationSettings(edges)).toEqual(edges);
    expect(checkConversationSettings({ ...SET, temperature: 0 }).temperature).toBe(0);
  });

  it('refuses a 1 MB system prompt with CHAT_SETTINGS_INVALID naming the field', () => {
    const error = refusal({ ...SET, systemPrompt: 'x'.repeat(1024 * 1024) });
    expect(error.code).toBe('CHAT_SETTINGS_INVALID');
    expect(error.details.field).toBe('systemPrompt');
    const limit = CONVERSATION_SETTINGS_LIMITS.systemPromptMaxChars;
    expect(checkConversationSettings({ ...SET, systemPrompt: 'x'.repeat(limit) })).toBeTruthy();
    expect(refusal({ ...SET, systemPrompt: 'x'.repeat(limit + 1) }).details.field).toBe(
      'systemPrompt',
    );
  });

  it.each([
    ['temperature', { temperature: -0.1 }],
    ['temperature', { temperature: 2.01 }],
    ['temperature', { temperature: Number.NaN }],
    ['maxTokens', { maxTokens: 0 }],
    ['maxTokens', { maxTokens: 1.5 }],
    ['maxTokens', { maxTokens: CONVERSATION_SETTINGS_LIMITS.maxTokens + 1 }],
    ['reasoningEffort', { reasoningEffort: 'extreme' }],
  ])('refuses %s out of bounds (%o)', (field, change) => {
    const error = refusal({ ...SET, ...change });
    expect(error.code).toBe('CHAT_SETTINGS_INVALID');
    expect(error.details.field).toBe(field);
  });

  it('IPC: a 1 MB prompt passes the shape check so main can name the field; 2 MB+ does not', () => {
    const request = (systemPrompt: string) =>
      requestSchemas['chat:set-settings'].safeParse({
        id: '3b6f8a40-9d1e-4c55-8a5e-2f1f3c1d2e4f',
        settings: { ...SET, systemPrompt },
      }).success;
    expect(request('x'.repeat(1024 * 1024))).toBe(true);
    expect(request('x'.repeat(2_000_001))).toBe(false);
    expect(settingsRequestSchema.safeParse({ ...SET, extra: 1 }).success).toBe(false);
    expect(settingsRequestSchema.safeParse({ systemPrompt: '' }).success).toBe(false);
    expect(
      requestSchemas['chat:create'].safeParse({ provider: 'openrouter', model: null }).success,
    ).toBe(true);
  });

  it('stored settings: missing reads as the defaults, an odd field falls back alone', () => {
    expect(storedSettingsSchema.parse(undefined)).toEqual(DEFAULT_CONVERSATION_SETTINGS);
    expect(storedSettingsSchema.parse('nonsense')).toEqual(DEFAULT_CONVERSATION_SETTINGS);
    expect(storedSettingsSchema.parse({ ...SET, temperature: 9 })).toEqual({
      ...SET,
      temperature: null,
    });
  });
});

describe('conversation settings: request building', () => {
  it('sends each parameter only when set and listed in supported_parameters', () => {
    expect(requestParameters(SET, ['temperature', 'max_tokens', 'reasoning'])).toEqual({
      temperature: 0.3,
      max_tokens: 512,
      reasoning: { effort: 'low' },
    });
    expect(requestParameters(SET, ['max_tokens', 'top_p'])).toEqual({ max_tokens: 512 });
    expect(requestParameters(SET, [])).toEqual({});
    expect(
      requestParameters(DEFAULT_CONVERSATION_SETTINGS, ['temperature', 'max_tokens', 'reasoning']),
    ).toEqual({});
    expect(requestParameters({ ...SET, temperature: 0 }, ['temperature'])).toEqual({
      temperature: 0,
    });
  });

  it("effort 'none' asks OpenRouter to turn reasoning off", () => {
    expect(requestParameters({ ...SET, reasoningEffort: 'none' }, ['reasoning'])).toEqual({
      reasoning: { effort: 'none' },
    });
  });

  it('puts a non-blank system prompt first, as a system message', () => {
    const history = [{ role: 'user' as const, content: 'Hi' }];
    expect(withSystemPrompt(SET, history)).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(withSystemPrompt({ ...SET, systemPrompt: '  \n' }, history)).toEqual(history);
  });

  it('buildChatRequest carries the parameters in the body', () => {
    const request = buildChatRequest(
      { baseUrl: new URL('https://openrouter.ai/api/v1'), attribution: true },
      'sk-or-v1-test',
      {
        model: 'openai/gpt-4o',
        messages: withSystemPrompt(SET, [{ role: 'user', content: 'Hi' }]),
        parameters: requestParameters(SET, ['temperature']),
      },
    );
    const body = JSON.parse(String(request.init.body)) as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'openai/gpt-4o',
      temperature: 0.3,
      stream: true,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(body).not.toHaveProperty('max_tokens');
    expect(body).not.toHaveProperty('reasoning');
  });
});

describe('models: supported_parameters', () => {
  it('are read from the list; absent or malformed → none', () => {
    const models = processModelsResponse({
      status: 200,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({
        data: [
          { id: 'a/thinker', supported_parameters: ['reasoning', 'temperature', 'max_tokens'] },
          { id: 'b/plain' },
          { id: 'c/odd', supported_parameters: 'temperature' },
        ],
      }),
    });
    expect(models.map((m) => [m.id, m.supportedParameters])).toEqual([
      ['a/thinker', ['reasoning', 'temperature', 'max_tokens']],
      ['b/plain', []],
      ['c/odd', []],
    ]);
  });
});
