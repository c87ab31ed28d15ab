import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../preload/api';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { readStoredConversation } from '../../../main/chat/store/conversation-log';
import { LatchkeyError } from '../../../main/errors';
import { nodeFsPort, type FsPort } from '../../../main/storage/fs-port';

/**
 * Disk faults on write, injected through the store's file-system port over the real file system
 * (a read-only folder cannot be made with chmod when the tests run as root, so EACCES comes
 * through the port too): each write fails with a clear `STORE_WRITE_FAILED` and its reason,
 * nothing stored is damaged, and the store works again once the fault clears.
 */

type Fault = { code: string; partial: boolean } | null;
let fault: Fault = null;

/** The real port; while `fault` is set every write throws it (a partial one writes half first). */
const port: FsPort = {
  appendFile(file, data) {
    if (fault?.partial) nodeFsPort.appendFile(file, data.slice(0, Math.floor(data.length / 2)));
    if (fault) throw Object.assign(new Error(fault.code), { code: fault.code });
    nodeFsPort.appendFile(file, data);
  },
  writeFileAtomic(file, data) {
    if (fault) throw Object.assign(new Error(fault.code), { code: fault.code });
    nodeFsPort.writeFileAtomic(file, data);
  },
  unlink(file) {
    if (fault) throw Object.assign(new Error(fault.code), { code: fault.code });
    nodeFsPort.unlink(file);
  },
  truncate(file, length) {
    if (fault && !fault.partial) throw Object.assign(new Error(fault.code), { code: fault.code });
    nodeFsPort.truncate(file, length);
  },
};

let tmp: string;
let seq = 0;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-faults-'));
  fault = null;
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open = () => ConversationStore.open({ dir: tmp, fs: port }).store;

function message(role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}) {
  seq += 1;
  return {
    id: randomUUID(),
    revision: 0,
    role,
    content,
    createdAt: 1_700_000_000_000 + seq,
    status: 'complete',
    model: null,
    usage: null,
    finishReason: null,
    error: null,
    ...extra,
  } satisfies ChatMessage;
}

/** Every file of the conversations directory with its bytes. */
function disk(): Record<string, string> {
  const dir = path.join(tmp, 'conversations');
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(dir, name), 'base64')]),
  );
}

function expectWriteFailed(fn: () => unknown, reason: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LatchkeyError);
  expect((caught as LatchkeyError).code).toBe('STORE_WRITE_FAILED');
  expect((caught as LatchkeyError).details.reason).toBe(reason);
}

const CASES = [
  { code: 'ENOSPC', reason: 'disk-full', partial: false },
  { code: 'ENOSPC', reason: 'disk-full', partial: true },
  { code: 'EACCES', reason: 'no-permission', partial: false },
  { code: 'EROFS', reason: 'no-permission', partial: false },
  { code: 'EIO', reason: 'disk-error', partial: false },
  { code: 'EIO', reason: 'disk-error', partial: true },
] as const;

describe('ConversationStore: faults on write', () => {
  for (const { code, reason, partial } of CASES) {
    it(`${code}${partial ? ' (half a line written)' : ''}: ${reason}, nothing damaged, recovers`, () => {
      const store = open();
      const { id } = store.create('openrouter', 'm/1');
      const user = message('user', 'Question');
      const answer = message('assistant', 'Half an ans', { status: 'streaming' });
      store.appendMessages(id, [user, answer]);
      store.checkpoint(id, answer.id, 'Half an answer', '');
      store.flush();
      const before = disk();
      const messagesBefore = open().load(id).messages;

      fault = { code, partial };
      expectWriteFailed(() => store.appendMessages(id, [message('user', 'lost')]), reason);
      expectWriteFailed(() => store.checkpoint(id, answer.id, 'Half an answer, more', ''), reason);
      expectWriteFailed(
        () => store.updateMessage(id, { ...answer, content: 'Done', status: 'complete' }),
        reason,
      );
      expectWriteFailed(() => store.rename(id, 'Renamed'), reason);
      expectWriteFailed(() => store.setDraft(id, 'typed'), reason);
      expectWriteFailed(() => store.create('openrouter', null), reason);
      expectWriteFailed(() => store.delete(id), reason);
      expectWriteFailed(() => store.compact(id), reason);
      // In memory, nothing changed either.
      expect(store.load(id).messages).toEqual(messagesBefore);
      expect(store.list()).toHaveLength(1);
      expect(store.load(id).draft).toBe('');

      // Nothing already stored is damaged: the files read as before, by a new process too.
      fault = null;
      const after = disk();
      if (!partial) expect(after).toEqual(before);
      // Read without repairing anything (a store would cut a half-written line off the log).
      const stored = readStoredConversation(path.join(tmp, 'conversations'), id);
      expect(stored?.messages).toEqual(messagesBefore);

      // The fault cleared: the same store works again, and all of it reaches the disk.
      store.checkpoint(id, answer.id, 'Half an answer, more', '');
      const done = {
        ...answer,
        content: 'Half an answer, more. Done.',
        status: 'complete' as const,
      };
      store.updateMessage(id, done);
      const next = message('user', 'And then?');
      store.appendMessages(id, [next]);
      store.setDraft(id, 'typed');
      const reopened = open();
      expect(reopened.load(id).messages).toEqual([user, done, next]);
      expect(reopened.load(id).draft).toBe('typed');
      expect(reopened.list()).toHaveLength(1);
    });
  }

  it('a compaction that fails is retried before the next change, which then succeeds', () => {
    const store = open();
    const { id } = store.create('openrouter', null);
    const first = message('user', 'x'.repeat(600_000));
    store.appendMessages(id, [first]);
    fault = { code: 'ENOSPC', partial: false };
    expectWriteFailed(
      () => store.appendMessages(id, [message('user', 'y'.repeat(600_000))]),
      'disk-full',
    );
    fault = null;
    const second = message('user', 'y'.repeat(600_000));
    store.appendMessages(id, [second]);
    expect(open().load(id).messages).toEqual([first, second]);
  });
});
