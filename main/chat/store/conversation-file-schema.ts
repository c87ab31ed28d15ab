import { z } from 'zod';
import {
  PROVIDER_IDS,
  REASONING_LIMITS,
  ATTACHMENT_LIMITS,
  type ChatMessage,
  type ConversationSettings,
  type ProviderId,
} from '../../../preload/api';
import { storedSettingsSchema } from '../conversation-settings';

/**
 * What the conversation store reads and writes, validated with zod (extra fields tolerated and
 * dropped, wrong shapes refused): the snapshot `<uuid>.json`, the index `index.json`; the log
 * records are in conversation-log.ts.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Conversation ids are lowercase UUIDs: they name files, so nothing else may reach the disk. */
export const ID_PATTERN = new RegExp(`^${UUID}$`);
/** `<uuid>.json`; anything else in the directory (moved-aside copies, notes…) is ignored. */
export const FILE_PATTERN = new RegExp(`^(${UUID})\\.json$`);
/** What `atomically` (directly, or through conf for the index) leaves behind when a write dies. */
export const STRAY_TEMP_PATTERN = new RegExp(`^(?:index|${UUID})\\.json\\.tmp-\\d{10}[0-9a-f]{6}$`);
/** `<uuid>.log`: the changes made since the snapshot `<uuid>.json` was written. */
export const LOG_PATTERN = new RegExp(`^(${UUID})\\.log$`);

export const idSchema = z.string().regex(ID_PATTERN);
export const timeSchema = z.number().nonnegative();
export const modelSchema = z.string().min(1).max(256).nullable();
export const providerSchema = z.enum(PROVIDER_IDS);
/** Files written before there was more than one provider have no `provider`: OpenRouter's. */
const storedProviderSchema = providerSchema.default('openrouter');

// Objects are `z.object`: unknown extra fields are tolerated (and dropped), wrong shapes refused.
const errorViewSchema = z.object({
  code: z.string().min(1),
  status: z.number().int().optional(),
  retryAfter: z.number().nonnegative().optional(),
  providerMessage: z.string().optional(),
});

const usageSchema = z.object({
  promptTokens: z.number().nonnegative(),
  completionTokens: z.number().nonnegative(),
  totalTokens: z.number().nonnegative(),
  cost: z.number().nullable(),
  reasoningTokens: z.number().nonnegative().optional().catch(undefined),
});

/**
 * Reasoning kept with an answer. Files written before it have none; a damaged or oversized
 * field is dropped on its own, and the message with its answer is kept.
 */
const reasoningSchema = z.string().max(REASONING_LIMITS.maxChars).optional().catch(undefined);
const reasoningDetailsSchema = z
  .array(z.json())
  .max(REASONING_LIMITS.maxDetails)
  .refine((details) => JSON.stringify(details).length <= REASONING_LIMITS.maxDetailsChars)
  .optional()
  .catch(undefined);
const reasoningMsSchema = z.number().nonnegative().finite().optional().catch(undefined);

/**
 * Files sent with a user message: references only (the bytes are in `attachments/<id>/`, never
 * in this file). A damaged list is dropped on its own; the message is kept.
 */
const attachmentsSchema = z
  .array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/),
      name: z.string().min(1).max(ATTACHMENT_LIMITS.maxNameChars),
      mediaType: z.string().max(100),
      size: z.number().int().nonnegative(),
      kind: z.enum(['image', 'pdf', 'text']),
      width: z.number().int().nonnegative().optional(),
      height: z.number().int().nonnegative().optional(),
    }),
  )
  .max(ATTACHMENT_LIMITS.maxFilesPerMessage)
  .optional()
  .catch(undefined);

export const messageSchema = z.object({
  id: z.string().min(1).max(256),
  /** Files written before revisions have none: 0, as a message created now. */
  revision: z.number().int().nonnegative().default(0),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: timeSchema,
  status: z.enum(['streaming', 'complete', 'stopped', 'incomplete', 'error']),
  model: modelSchema,
  usage: usageSchema.nullable(),
  finishReason: z.string().nullable(),
  error: errorViewSchema.nullable(),
  reasoning: reasoningSchema,
  reasoningDetails: reasoningDetailsSchema,
  reasoningMs: reasoningMsSchema,
  attachments: attachmentsSchema,
}) satisfies z.ZodType<ChatMessage>;

export const messagesSchema = z.array(messageSchema);

export const conversationFileSchema = z.object({
  version: z.literal(1),
  id: idSchema,
  provider: storedProviderSchema,
  title: z.string(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
  model: modelSchema,
  messages: z.array(messageSchema),
  /** Files from before there were settings have none: the defaults (model's own parameters). */
  settings: storedSettingsSchema,
  /**
   * Which log applies on top of this snapshot: the one whose first record names this number.
   * Each compaction writes the snapshot with the next number, so the log it folded in stops
   * applying at that very instant. Files from before there were logs have none: 0.
   */
  generation: z.number().int().nonnegative().default(0),
});

export const indexEntrySchema = z.object({
  id: idSchema,
  provider: storedProviderSchema,
  title: z.string(),
  createdAt: timeSchema,
  updatedAt: timeSchema,
  model: modelSchema,
  messageCount: z.number().int().nonnegative(),
});

export const indexFileSchema = z.object({
  version: z.literal(1),
  conversations: z.array(indexEntrySchema),
  drafts: z.record(idSchema, z.string()),
  /** What was typed into the new chat (no conversation yet); absent when empty. */
  newChatDraft: z.string().optional(),
});

/** `conversations/<uuid>.json`: one whole conversation as of its last compaction. */
export interface ConversationFile {
  readonly version: 1;
  readonly id: string;
  readonly provider: ProviderId;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly model: string | null;
  readonly messages: readonly ChatMessage[];
  readonly settings: ConversationSettings;
  readonly generation: number;
}

export type IndexEntry = z.infer<typeof indexEntrySchema>;
export type IndexFile = z.infer<typeof indexFileSchema>;

export const EMPTY_INDEX: IndexFile = { version: 1, conversations: [], drafts: {} };
