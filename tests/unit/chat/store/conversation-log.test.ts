import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../preload/api';
import {
  conversationFileSchema,
  type ConversationFile,
} from '../../../../main/chat/store/conversation-file-schema';
import { encodeRecord, replay, type LogRecord } from '../../../../main/chat/store/conversation-log';
import { mulberry32 } from '../../../fixtures/seeded-random';

let seq = 0;

function message(id: string, content: string, status: ChatMessage['status'] = 'complete') {
  return {
    id,
    revision: seq++,
    role: 'assistant',
    content,
    createdAt: 1,
    status,
    model: null,
    usage: null,
    finishReason: null,
    error: null,
  } satisfies ChatMessage;
}

function snapshot(count: number): ConversationFile {
  return conversationFileSchema.parse({
    version: 1,
    id: '0b8f5f0e-5d3c-4c4e-9a51-2f1f2b0c9d11',
    provider: 'openrouter',
    title: '',
    createdAt: 1,
    updatedAt: 1,
    model: null,
    messages: Array.from({ length: count }, (_, n) => message(`m${n}`, `text ${n}`)),
    settings: { systemPrompt: '', temperature: null, maxTokens: null, reasoningEffort: null },
    generation: 3,
  });
}

/** Random records of every kind, over ids that exist, existed, or are new. */
function records(seed: number, count: number): LogRecord[] {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const id = () => `m${pick(60)}`;
  const out: LogRecord[] = [];
  for (let n = 0; n < count; n++) {
    const kind = pick(10);
    if (kind < 4) {
      // New, known and repeated ids in one record.
      const messages = Array.from({ length: 1 + pick(3) }, () => message(id(), `put ${n}`));
      out.push({ op: 'put', messages, meta: { updatedAt: 10 + n } });
    } else if (kind < 7) {
      out.push({ op: 'grow', id: id(), content: ` +${n}`, ...(pick(2) && { reasoning: `r${n}` }) });
    } else if (kind < 8) {
      out.push({ op: 'cut', fromId: id(), messages: [message(id(), `cut ${n}`)] });
    } else if (kind < 9) {
      out.push({ op: 'remove', id: id() });
    } else {
      out.push({ op: 'meta', meta: { title: `title ${n}` } });
    }
  }
  return out;
}

/** The log format as conversation-log.ts describes it, applied the plain way: copies, no ids. */
function reference(file: ConversationFile, record: LogRecord): ConversationFile {
  let messages = [...file.messages];
  switch (record.op) {
    case 'put':
      for (const m of record.messages) {
        const at = messages.findLastIndex((known) => known.id === m.id);
        if (at < 0) messages.push(m);
        else messages[at] = m;
      }
      break;
    case 'grow': {
      const at = messages.findLastIndex((known) => known.id === record.id);
      const m = messages[at];
      if (!m) break;
      const reasoning = (m.reasoning ?? '') + (record.reasoning ?? '');
      messages[at] = { ...m, content: m.content + record.content, ...(reasoning && { reasoning }) };
      break;
    }
    case 'cut': {
      const at = messages.findIndex((known) => known.id === record.fromId);
      messages = [...(at < 0 ? messages : messages.slice(0, at)), ...record.messages];
      break;
    }
    case 'remove':
      messages = messages.filter((known) => known.id !== record.id);
      break;
    default:
      break;
  }
  const meta = 'meta' in record && record.meta ? record.meta : {};
  return { ...file, ...meta, messages } as ConversationFile;
}

describe('replaying a conversation log', () => {
  it('gives what applying each record to a fresh copy gives, and leaves the snapshot as it was', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const base = snapshot(40);
      const before = structuredClone(base);
      const log = records(seed, 300);
      const text = [{ op: 'base', generation: 3 } as const, ...log].map(encodeRecord).join('');
      let expected = base;
      for (const record of log) expected = reference(expected, record);
      expect(replay(base, text)).toEqual(expected);
      expect(base).toEqual(before);
    }
  });

  it('applies a record with the same new id twice as one message, replaced', () => {
    const base = snapshot(2);
    const log = [
      { op: 'base', generation: 3 },
      { op: 'put', messages: [message('x', 'first'), message('x', 'second')] },
    ] as const;
    const replayed = replay(base, log.map(encodeRecord).join(''));
    if (typeof replayed !== 'object' || replayed instanceof Error) throw new Error('not replayed');
    expect(replayed.messages.map((m) => [m.id, m.content])).toEqual([
      ['m0', 'text 0'],
      ['m1', 'text 1'],
      ['x', 'second'],
    ]);
  });
});
