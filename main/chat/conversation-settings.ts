import { z } from 'zod';
import {
  CONVERSATION_SETTINGS_LIMITS as LIMITS,
  DEFAULT_CONVERSATION_SETTINGS,
  REASONING_EFFORTS,
  type ConversationSettings,
  type ReasoningEffort,
} from '../../preload/api';
import { LatchkeyError } from '../errors';

/**
 * How far an IPC request's system prompt may go before it is refused as malformed
 * (`IPC_INVALID_ARGUMENT`). Above the real limit on purpose: a prompt between the two reaches
 * {@link checkConversationSettings} and is refused with `CHAT_SETTINGS_INVALID` and the field
 * named, so a long paste (1 MB) gets a message that says what to fix.
 */
export const SYSTEM_PROMPT_IPC_MAX_CHARS = 2_000_000;

/** The shape of settings in an IPC request: every field present, the string capped. */
export const settingsRequestSchema = z.strictObject({
  systemPrompt: z.string().max(SYSTEM_PROMPT_IPC_MAX_CHARS),
  temperature: z.number().nullable(),
  maxTokens: z.number().nullable(),
  reasoningEffort: z.enum(REASONING_EFFORTS).nullable(),
});

/** The settings within their bounds (what may be stored). */
const validSettingsSchema = z.object({
  systemPrompt: z.string().max(LIMITS.systemPromptMaxChars),
  temperature: z.number().min(LIMITS.temperatureMin).max(LIMITS.temperatureMax).nullable(),
  maxTokens: z.number().int().positive().max(LIMITS.maxTokens).nullable(),
  reasoningEffort: z.enum(REASONING_EFFORTS).nullable(),
}) satisfies z.ZodType<ConversationSettings>;

/**
 * Settings as read from a file: a field out of bounds (edited by hand, or a limit lowered since)
 * falls back to the model's default alone, so one odd value never makes a conversation
 * unreadable; files from before there were settings have none and read as the defaults.
 */
export const storedSettingsSchema = z
  .object({
    systemPrompt: validSettingsSchema.shape.systemPrompt.catch(''),
    temperature: validSettingsSchema.shape.temperature.catch(null),
    maxTokens: validSettingsSchema.shape.maxTokens.catch(null),
    reasoningEffort: validSettingsSchema.shape.reasoningEffort.catch(null),
  })
  .catch({ ...DEFAULT_CONVERSATION_SETTINGS })
  .default({ ...DEFAULT_CONVERSATION_SETTINGS });

/**
 * The settings if every field is within {@link LIMITS}; else `CHAT_SETTINGS_INVALID` naming the
 * first field out of bounds (`systemPrompt`, `temperature`, `maxTokens`, `reasoningEffort`).
 * @throws LatchkeyError `CHAT_SETTINGS_INVALID`.
 */
export function checkConversationSettings(settings: unknown): ConversationSettings {
  const parsed = validSettingsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const field = parsed.error.issues[0]?.path[0];
  throw new LatchkeyError('CHAT_SETTINGS_INVALID', typeof field === 'string' ? { field } : {}, {
    cause: parsed.error,
  });
}

/** The body fields {@link requestParameters} may add to a chat request (OpenRouter's names). */
export interface RequestParameters {
  temperature?: number;
  max_tokens?: number;
  reasoning?: { effort: ReasoningEffort };
}

/**
 * The parameters of a chat request: each one only when the conversation sets it and the model's
 * `supported_parameters` lists it (a model that does not take `temperature` is never sent one;
 * a model whose list is unknown is sent none). Reasoning is `reasoning: {effort}`, `none`
 * included: OpenRouter documents `effort: "none"` as turning reasoning off
 * (https://openrouter.ai/docs/use-cases/reasoning-tokens).
 */
export function requestParameters(
  settings: ConversationSettings,
  supported: readonly string[],
): RequestParameters {
  const takes = (name: string) => supported.includes(name);
  return {
    ...(settings.temperature !== null &&
      takes('temperature') && {
        temperature: settings.temperature,
      }),
    ...(settings.maxTokens !== null && takes('max_tokens') && { max_tokens: settings.maxTokens }),
    ...(settings.reasoningEffort !== null &&
      takes('reasoning') && {
        reasoning: { effort: settings.reasoningEffort },
      }),
  };
}

/** The conversation's system prompt as the first message, when it has one. */
export function withSystemPrompt<M extends { role: string }>(
  settings: ConversationSettings,
  messages: readonly M[],
): (M | { role: 'system'; content: string })[] {
  const prompt = settings.systemPrompt;
  return prompt.trim() === '' ? [...messages] : [{ role: 'system', content: prompt }, ...messages];
}
