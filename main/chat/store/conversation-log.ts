import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ChatMessage, ConversationSettings } from '../../../preload/api';
import { storedSettingsSchema } from '../conversation-settings';
import {
  conversationFileSchema,
  messageSchema,
  modelSchema,
  timeSchema,
  type ConversationFile,
} from './conversation-file-schema';

/**
 * `<uuid>.log`: the changes made to a conversation since its snapshot `<uuid>.json` was written,
 * one JSON object per line, each line one whole change, appended with one write and an
 * `fdatasync`. The first line names the snapshot it applies to; every other line is a record:
 *
 * - `{"op":"base","generation":n}` — applies on top of the snapshot whose `generation` is n (a
 *   log left behind by a compaction that died before removing it names an older one, and is
 *   ignored).
 * - `{"op":"put","messages":[…],"meta"?}` — each message replaces the one with its id, in place,
 *   or is appended.
 * - `{"op":"grow","id","content","reasoning"?}` — text appended to a message's content (and
 *   reasoning): a checkpoint of a streaming answer, which carries only the new text.
 * - `{"op":"cut","fromId","messages":[…],"meta"?}` — removes `fromId` and everything after it,
 *   then appends `messages` (edit and resend).
 * - `{"op":"remove","id","meta"?}` — removes one message.
 * - `{"op":"meta","meta"}` — header fields only.
 *
 * `meta` holds the header fields the change set (`title`, `updatedAt`, `model`, `settings`).
 * A last line without its newline is a write that died half-way: ignored, as if never begun. A
 * complete line that does not parse makes the conversation corrupt.
 */

const metaSchema = z
  .object({
    title: z.string().optional(),
    updatedAt: timeSchema.optional(),
    model: modelSchema.optional(),
    // Not `storedSettingsSchema.optional()`: its default would fill in settings a change did
    // not set, and a replay would reset them.
    settings: z.unknown().optional(),
  })
  .transform(({ settings, ...rest }) =>
    settings === undefined ? rest : { ...rest, settings: storedSettingsSchema.parse(settings) },
  );

const recordSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('base'), generation: z.number().int().nonnegative() }),
  z.object({ op: z.literal('put'), messages: z.array(messageSchema), meta: metaSchema.optional() }),
  z.object({
    op: z.literal('grow'),
    id: z.string().min(1),
    content: z.string(),
    reasoning: z.string().optional(),
  }),
  z.object({
    op: z.literal('cut'),
    fromId: z.string().min(1),
    messages: z.array(messageSchema),
    meta: metaSchema.optional(),
  }),
  z.object({ op: z.literal('remove'), id: z.string().min(1), meta: metaSchema.optional() }),
  z.object({ op: z.literal('meta'), meta: metaSchema }),
]);

/** Header fields a change sets. */
export interface LogMeta {
  readonly title?: string;
  readonly updatedAt?: number;
  readonly model?: string | null;
  readonly settings?: ConversationSettings;
}

/** One line of the log, as written. */
export type LogRecord =
  | { readonly op: 'base'; readonly generation: number }
  | { readonly op: 'put'; readonly messages: readonly ChatMessage[]; readonly meta?: LogMeta }
  | {
      readonly op: 'grow';
      readonly id: string;
      readonly content: string;
      readonly reasoning?: string;
    }
  | {
      readonly op: 'cut';
      readonly fromId: string;
      readonly messages: readonly ChatMessage[];
      readonly meta?: LogMeta;
    }
  | { readonly op: 'remove'; readonly id: string; readonly meta?: LogMeta }
  | { readonly op: 'meta'; readonly meta: LogMeta };
type ParsedRecord = z.output<typeof recordSchema>;

/** The line of a record, newline included. */
export function encodeRecord(record: LogRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * The messages a record adds or replaces (as they are after it), when that is all it does to
 * them; undefined when it may remove or change others (a cut, a removal, a grown answer).
 */
export function touchedBy(record: LogRecord): readonly ChatMessage[] | undefined {
  switch (record.op) {
    case 'put':
      return record.messages;
    case 'base':
    case 'meta':
      return [];
    default:
      return undefined;
  }
}

/**
 * A change applied to a conversation, as a replay (and the store, in memory) applies it. The
 * caller owns `file.messages` (no one else holds it) and passes their ids: new messages are
 * pushed onto it and a replaced or grown one set in it, in place, so a change costs the same in a
 * conversation of 10 or 10,000 messages. A cut or a removal makes a new array.
 */
export function applyRecord(
  file: ConversationFile,
  record: ParsedRecord,
  ids: ReadonlySet<string>,
): ConversationFile {
  let messages = file.messages as ChatMessage[];
  switch (record.op) {
    case 'base':
      return file;
    case 'put':
      putInPlace(messages, record.messages, ids);
      break;
    case 'grow': {
      // The message that grows is the answer streaming at the end.
      const at = messages.findLastIndex((m) => m.id === record.id);
      const message = messages[at];
      if (!message) break;
      const reasoning = (message.reasoning ?? '') + (record.reasoning ?? '');
      messages[at] = {
        ...message,
        content: message.content + record.content,
        ...(reasoning && { reasoning }),
      };
      break;
    }
    case 'cut': {
      const at = messages.findIndex((m) => m.id === record.fromId);
      messages = [...(at < 0 ? messages : messages.slice(0, at)), ...record.messages];
      break;
    }
    case 'remove':
      messages = messages.filter((m) => m.id !== record.id);
      break;
    case 'meta':
      break;
  }
  const meta = record.op === 'grow' ? undefined : record.meta;
  return { ...file, ...stripUndefined(meta ?? {}), messages };
}

/** Each message replaces the one with its id, or is pushed: a new id is not searched for. */
function putInPlace(
  messages: ChatMessage[],
  added: readonly ChatMessage[],
  ids: ReadonlySet<string>,
): void {
  const pushed = new Set<string>();
  for (const message of added) {
    const known = ids.has(message.id) || pushed.has(message.id);
    // The last messages are the ones changed most (an answer ending): search from the end.
    const at = known ? messages.findLastIndex((m) => m.id === message.id) : -1;
    if (at >= 0) messages[at] = message;
    else {
      messages.push(message);
      pushed.add(message.id);
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What was found on disk for one conversation. */
export type ConversationRead =
  | {
      readonly kind: 'ok';
      /** The snapshot with the log applied. */
      readonly file: ConversationFile;
      /** Bytes of the snapshot. */
      readonly snapshotBytes: number;
      /**
       * The log: absent (`null`), one of an older snapshot (`stale`), or this snapshot's with
       * `bytes` of complete lines, and `torn` when a half-written line follows them.
       */
      readonly log: null | 'stale' | { readonly bytes: number; readonly torn: boolean };
    }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly cause: unknown }
  | { readonly kind: 'unreadable'; readonly cause: unknown };

function readText(filePath: string): string | { missing: true } | { error: unknown } {
  try {
    return fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { missing: true } : { error };
  }
}

/**
 * Reads `<id>.json` and replays `<id>.log` on it. Files written before there were logs read as
 * a snapshot of generation 0 with no log.
 */
export function readConversation(
  snapshotPath: string,
  logPath: string,
  id: string,
): ConversationRead {
  const text = readText(snapshotPath);
  if (typeof text !== 'string') {
    return 'missing' in text ? { kind: 'missing' } : { kind: 'unreadable', cause: text.error };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', cause: error };
  }
  const parsed = conversationFileSchema.safeParse(json);
  if (!parsed.success) return { kind: 'corrupt', cause: parsed.error };
  if (parsed.data.id !== id) {
    return { kind: 'corrupt', cause: new Error('The id inside does not match the file name') };
  }
  const snapshotBytes = Buffer.byteLength(text);
  const log = readText(logPath);
  if (typeof log !== 'string') {
    if ('missing' in log) return { kind: 'ok', file: parsed.data, snapshotBytes, log: null };
    return { kind: 'unreadable', cause: log.error };
  }
  const replayed = replay(parsed.data, log);
  if (replayed instanceof Error) return { kind: 'corrupt', cause: replayed };
  if (replayed === 'stale') return { kind: 'ok', file: parsed.data, snapshotBytes, log: 'stale' };
  const complete = log.lastIndexOf('\n') + 1;
  return {
    kind: 'ok',
    file: replayed,
    snapshotBytes,
    log: { bytes: Buffer.byteLength(log.slice(0, complete)), torn: complete < log.length },
  };
}

/**
 * The snapshot with the log's records applied; `stale` for a log of an older snapshot; or why
 * the log is damaged.
 */
export function replay(
  snapshot: ConversationFile,
  log: string,
): ConversationFile | 'stale' | Error {
  const lines = log.split('\n');
  // The text after the last newline: empty, or a write that died half-way (ignored).
  lines.pop();
  // Applied in place to a copy of the messages, with their ids at hand: a record costs the same
  // at the end of a long conversation as in a short one (a copy per record made replaying a
  // 10,000-message conversation's log quadratic: half a second for 7,000 records).
  let file: ConversationFile = { ...snapshot, messages: [...snapshot.messages] };
  let ids: ReadonlySet<string> = new Set(file.messages.map((m) => m.id));
  for (const [n, line] of lines.entries()) {
    let record: ParsedRecord;
    try {
      const parsed = recordSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        return new Error(`Log line ${n + 1} is damaged`, { cause: parsed.error });
      record = parsed.data;
    } catch (error) {
      return new Error(`Log line ${n + 1} is damaged`, { cause: error });
    }
    if (n === 0) {
      if (record.op !== 'base') return new Error('The log does not name its snapshot');
      // A log of an older snapshot was folded into this one by a compaction.
      if (record.generation !== snapshot.generation) return 'stale';
      continue;
    }
    file = applyRecord(file, record, ids);
    ids = nextIds(ids, record, file);
  }
  return file;
}

/**
 * The ids of a conversation's messages after `record` was applied to it (giving `file`): added to
 * in place for a `put` (the set before it is not used again), listed anew after a cut or a
 * removal.
 */
export function nextIds(
  ids: ReadonlySet<string>,
  record: LogRecord,
  file: ConversationFile,
): ReadonlySet<string> {
  if (record.op === 'put') {
    const all = ids as Set<string>;
    for (const message of record.messages) all.add(message.id);
    return all;
  }
  if (record.op === 'cut' || record.op === 'remove') return new Set(file.messages.map((m) => m.id));
  return ids;
}

/** Validates a record as a replay would read it (what the store applies in memory). */
export function parseRecord(record: LogRecord): ParsedRecord {
  return recordSchema.parse(record);
}

/**
 * A conversation as stored (snapshot with its log applied), for readers outside the store (the
 * search index); `null` when it is missing, unreadable or corrupt. `dir` is the conversations
 * directory; `id` must already be known to be a UUID.
 */
export function readStoredConversation(dir: string, id: string): ConversationFile | null {
  const read = readConversation(path.join(dir, `${id}.json`), path.join(dir, `${id}.log`), id);
  return read.kind === 'ok' ? read.file : null;
}
