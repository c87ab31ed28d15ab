import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../preload/api';
import { ConversationStore, titleFromText } from '../../../main/chat/conversation-store';
import { LatchkeyError } from '../../../main/errors';
import { nodeFsPort, type FsPort } from '../../../main/storage/fs-port';

// Lets a test make every write of the store fail, through its file-system port.
const failWrites = { on: false };
const faultyPort: FsPort = Object.fromEntries(
  Object.entries(nodeFsPort).map(([name, write]) => [
    name,
    (...args: unknown[]) => {
      if (failWrites.on) throw Object.assign(new Error('EIO'), { code: 'EIO' });
      return (write as (...a: unknown[]) => unknown)(...args);
    },
  ]),
) as unknown as FsPort;

const POSIX = process.platform !== 'win32';
const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

let tmp: string;
let conversationsDir: string;
let clock: number;
const now = () => clock;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-chat-'));
  conversationsDir = path.join(tmp, 'data', 'conversations');
  clock = T0;
});

afterEach(() => {
  vi.restoreAllMocks();
  failWrites.on = false;
  fs.rmSync(tmp, { recursive: true, force: true });
});

function open(
  options: { newId?: () => string; onProblem?: (p: { movedTo: string }) => void } = {},
) {
  return ConversationStore.open({ dir: path.join(tmp, 'data'), now, fs: faultyPort, ...options });
}

let seq = 0;
function message(role: ChatMessage['role'], content: string, extra: Partial<ChatMessage> = {}) {
  seq += 1;
  return {
    id: `m-${seq}`,
    revision: 0,
    role,
    content,
    createdAt: clock,
    status: 'complete',
    model: role === 'assistant' ? 'openai/gpt-4o-mini' : null,
    usage: null,
    finishReason: role === 'assistant' ? 'stop' : null,
    error: null,
    ...extra,
  } satisfies ChatMessage;
}

function fileOf(id: string): string {
  return path.join(conversationsDir, `${id}.json`);
}

function logOf(id: string): string {
  return path.join(conversationsDir, `${id}.log`);
}

/**
 * Dates every log before the index. File times are coarse (a clock tick), so a log appended
 * just before the index was written can carry the same time; the store then reads it at open
 * to be safe, which these tests about not reading must rule out.
 */
function logsBeforeIndex(): void {
  for (const name of fs.readdirSync(conversationsDir)) {
    if (name.endsWith('.log'))
      fs.utimesSync(path.join(conversationsDir, name), T0 / 1000, T0 / 1000);
  }
}

const indexPath = () => path.join(conversationsDir, 'index.json');

function expectCode(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LatchkeyError);
  expect((caught as LatchkeyError).code).toBe(code);
}

/** Every entry of the conversations directory, sorted. */
function entries(): string[] {
  return fs.readdirSync(conversationsDir).sort();
}

describe('ConversationStore: lifecycle across restarts', () => {
  it('creates, lists by recency, renames, keeps drafts and deletes, all surviving a re-open', () => {
    const { store, problems } = open();
    expect(problems).toEqual([]);
    expect(store.list()).toEqual([]);

    const a = store.create('openrouter', 'openai/gpt-4o-mini');
    expect(a).toMatchObject({
      title: '',
      model: 'openai/gpt-4o-mini',
      messages: [],
      draft: '',
      messageCount: 0,
      streaming: false,
      createdAt: T0,
      updatedAt: T0,
    });
    clock += 1000;
    const b = store.create('openrouter', null);
    clock += 1000;
    const c = store.create('openrouter', 'anthropic/claude-3.5-sonnet');
    expect(store.list().map((s) => s.id)).toEqual([c.id, b.id, a.id]);

    clock += 1000;
    store.appendMessages(a.id, [message('user', 'Hello there')]);
    expect(store.list().map((s) => s.id)).toEqual([a.id, c.id, b.id]);

    // Renaming and drafting do not reorder.
    clock += 1000;
    expect(store.rename(b.id, '  Trip plans  ')).toMatchObject({ id: b.id, title: 'Trip plans' });
    store.setDraft(c.id, 'half a thought');
    store.setDraft(b.id, 'to delete');
    expect(store.list().map((s) => s.id)).toEqual([a.id, c.id, b.id]);

    const reopened = open().store;
    expect(reopened.list()).toEqual(store.list());
    expect(reopened.list().every((s) => s.streaming === false)).toBe(true);
    expect(reopened.load(c.id).draft).toBe('half a thought');
    expect(reopened.load(b.id)).toMatchObject({ title: 'Trip plans', draft: 'to delete' });
    expect(reopened.load(a.id)).toMatchObject({ title: 'Hello there', messageCount: 1 });

    reopened.setDraft(c.id, '');
    reopened.delete(b.id);
    expect(fs.existsSync(fileOf(b.id))).toBe(false);
    expectCode(() => reopened.load(b.id), 'CHAT_NOT_FOUND');

    const third = open().store;
    expect(third.list().map((s) => s.id)).toEqual([a.id, c.id]);
    expect(third.load(c.id).draft).toBe('');
    const index = JSON.parse(fs.readFileSync(indexPath(), 'utf8'));
    expect(index.drafts).toEqual({});
    expect(index.conversations.map((e: { id: string }) => e.id).sort()).toEqual(
      [a.id, c.id].sort(),
    );
  });

  it('lists the newest few alone, in the order kept through changes, deletes and a re-open', () => {
    const { store } = open();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      clock += 1000;
      ids.push(store.create('openrouter', null).id);
    }
    const newest = (list: { id: string }[]) => list.map((s) => s.id);
    expect(newest(store.list(2))).toEqual([ids[5], ids[4]]);
    expect(store.count()).toBe(6);
    // The oldest gets a message: it moves to the top; the title alone moves nothing.
    clock += 1000;
    store.appendMessages(ids[0]!, [message('user', 'back again')]);
    store.rename(ids[1]!, 'renamed');
    expect(newest(store.list(3))).toEqual([ids[0], ids[5], ids[4]]);
    store.delete(ids[5]!);
    expect(newest(store.list(3))).toEqual([ids[0], ids[4], ids[3]]);
    expect(newest(store.list(99))).toEqual(newest(store.list()));
    store.flush();
    const reopened = open().store;
    expect(reopened.list()).toEqual(store.list());
    expect(reopened.count()).toBe(5);
    // Written newest first, so the next open finds the order as it was.
    const index = JSON.parse(fs.readFileSync(indexPath(), 'utf8'));
    expect(index.conversations.map((e: { id: string }) => e.id)).toEqual(newest(store.list()));
  });

  it("keeps the new chat's draft across restarts and moves it to the conversation it creates", () => {
    const { store } = open();
    expect(store.newChatDraft()).toBe('');
    store.setDraft('', 'started before any conversation');
    expect(open().store.newChatDraft()).toBe('started before any conversation');
    expect(JSON.parse(fs.readFileSync(indexPath(), 'utf8')).newChatDraft).toBe(
      'started before any conversation',
    );

    // The first send creates the conversation: the draft moves with it, in one index write.
    const created = store.create('openrouter', 'm/1');
    expect(created.draft).toBe('started before any conversation');
    const reopened = open().store;
    expect(reopened.newChatDraft()).toBe('');
    expect(reopened.load(created.id).draft).toBe('started before any conversation');
    expect(JSON.parse(fs.readFileSync(indexPath(), 'utf8'))).not.toHaveProperty('newChatDraft');

    // A create that cannot be written moves nothing: the draft stays the new chat's.
    reopened.setDraft('', 'second thought');
    failWrites.on = true;
    expectCode(() => reopened.create('openrouter', 'm/1'), 'STORE_WRITE_FAILED');
    failWrites.on = false;
    expect(reopened.newChatDraft()).toBe('second thought');
    expect(reopened.list()).toHaveLength(1);
    expect(open().store.newChatDraft()).toBe('second thought');
  });

  it('writes the documented layout', () => {
    const { store } = open();
    const conversation = store.create('oidc', 'm/1');
    store.appendMessages(conversation.id, [message('user', 'Hi')]);
    store.setDraft(conversation.id, 'draft');
    expect(JSON.parse(fs.readFileSync(indexPath(), 'utf8'))).toEqual({
      version: 1,
      conversations: [
        {
          id: conversation.id,
          provider: 'oidc',
          title: 'Hi',
          createdAt: T0,
          updatedAt: T0,
          model: 'm/1',
          messageCount: 1,
        },
      ],
      drafts: { [conversation.id]: 'draft' },
    });
    const settings = {
      systemPrompt: '',
      temperature: null,
      maxTokens: null,
      reasoningEffort: null,
    };
    // The snapshot as created, and the change since in the log, one JSON line per change.
    expect(JSON.parse(fs.readFileSync(fileOf(conversation.id), 'utf8'))).toEqual({
      version: 1,
      id: conversation.id,
      provider: 'oidc',
      title: '',
      createdAt: T0,
      updatedAt: T0,
      model: 'm/1',
      messages: [],
      settings,
      generation: 0,
    });
    const log = fs.readFileSync(logOf(conversation.id), 'utf8');
    expect(log.endsWith('\n')).toBe(true);
    expect(
      log
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { op: 'base', generation: 0 },
      {
        op: 'put',
        messages: [expect.objectContaining({ role: 'user', content: 'Hi' })],
        meta: { updatedAt: T0, title: 'Hi' },
      },
    ]);
    // Compacted: the snapshot of the next generation holds everything; the log is gone.
    store.compact(conversation.id);
    expect(JSON.parse(fs.readFileSync(fileOf(conversation.id), 'utf8'))).toEqual({
      version: 1,
      id: conversation.id,
      provider: 'oidc',
      title: 'Hi',
      createdAt: T0,
      updatedAt: T0,
      model: 'm/1',
      messages: [expect.objectContaining({ role: 'user', content: 'Hi' })],
      settings,
      generation: 1,
    });
    expect(fs.existsSync(logOf(conversation.id))).toBe(false);
  });

  it('keeps the provider of each conversation across restarts', () => {
    const { store } = open();
    const a = store.create('openrouter', 'openai/gpt-4o-mini');
    clock += 1;
    const b = store.create('oidc', 'gpt-4o');
    clock += 1;
    const c = store.create('yooai', null);
    expect([a.provider, b.provider, c.provider]).toEqual(['openrouter', 'oidc', 'yooai']);
    clock += 1;
    store.appendMessages(b.id, [message('user', 'through the gateway')]);
    const reopened = open().store;
    expect(reopened.list().map((s) => [s.id, s.provider])).toEqual([
      [b.id, 'oidc'],
      [c.id, 'yooai'],
      [a.id, 'openrouter'],
    ]);
    expect(reopened.load(b.id).provider).toBe('oidc');
    expectCode(() => store.create('nope' as never, null), 'STORE_WRITE_FAILED');
    expect(store.list()).toHaveLength(3);
  });

  it("loads files and an index from before providers (no provider) as OpenRouter's", () => {
    const ids = [randomUUID(), randomUUID()];
    fs.mkdirSync(conversationsDir, { recursive: true, mode: 0o700 });
    ids.forEach((id, i) =>
      fs.writeFileSync(
        fileOf(id),
        JSON.stringify({
          version: 1,
          id,
          title: `Old ${i}`,
          createdAt: T0 + i,
          updatedAt: T0 + i,
          model: 'openai/gpt-4o-mini',
          messages: [message('user', `Old ${i}`)],
        }),
      ),
    );
    // The first is in the old index; the second only on disk (the index is repaired at open).
    fs.writeFileSync(
      indexPath(),
      JSON.stringify({
        version: 1,
        conversations: [
          {
            id: ids[0],
            title: 'Old 0',
            createdAt: T0,
            updatedAt: T0,
            model: 'openai/gpt-4o-mini',
            messageCount: 1,
          },
        ],
        drafts: { [ids[0]!]: 'an old draft' },
      }),
    );

    const { store, problems } = open();
    expect(problems).toEqual([]);
    expect(store.list().map((s) => [s.id, s.provider, s.title])).toEqual([
      [ids[1], 'openrouter', 'Old 1'],
      [ids[0], 'openrouter', 'Old 0'],
    ]);
    expect(store.load(ids[0]!)).toMatchObject({ provider: 'openrouter', draft: 'an old draft' });
    expect(store.load(ids[1]!).messages.map((m) => m.content)).toEqual(['Old 1']);

    // The next compaction records the provider.
    store.appendMessages(ids[0]!, [message('assistant', 'new answer')]);
    store.compact(ids[0]!);
    expect(JSON.parse(fs.readFileSync(fileOf(ids[0]!), 'utf8')).provider).toBe('openrouter');
    expect(open().store.load(ids[0]!).messages).toHaveLength(2);
  });

  it('appends, updates and removes messages, persisted', () => {
    const { store } = open();
    const { id } = store.create('openrouter', 'm/1');
    const user = message('user', 'Question?');
    const assistant = message('assistant', '', { status: 'streaming', finishReason: null });
    clock += 10;
    expect(store.appendMessages(id, [user, assistant])).toMatchObject({
      messageCount: 2,
      updatedAt: T0 + 10,
    });
    clock += 10;
    const finished: ChatMessage = {
      ...assistant,
      content: 'Answer.',
      status: 'complete',
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, cost: 0.0001 },
    };
    expect(store.updateMessage(id, finished)).toMatchObject({ updatedAt: T0 + 20 });
    expect(open().store.load(id).messages).toEqual([user, finished]);

    expectCode(() => store.updateMessage(id, message('assistant', 'nope')), 'CHAT_NOT_FOUND');
    expectCode(() => store.removeMessage(id, 'no-such-message'), 'CHAT_NOT_FOUND');

    clock += 10;
    expect(store.removeMessage(id, finished.id)).toMatchObject({ messageCount: 1 });
    expect(open().store.load(id).messages).toEqual([user]);
  });

  it('what load() and create() hand out stays as it was: appends and checkpoints change the store in place', () => {
    const { store } = open();
    const created = store.create('openrouter', 'm/1');
    const user = message('user', 'Question?');
    const answer = message('assistant', '', { status: 'streaming', finishReason: null });
    store.appendMessages(created.id, [user, answer]);
    expect(created.messages).toEqual([]);
    const loaded = store.load(created.id);
    store.checkpoint(created.id, answer.id, 'Partial', '');
    store.appendMessages(created.id, [message('user', 'More?')]);
    expect(loaded.messages).toEqual([user, answer]);
    const now = store.load(created.id).messages;
    expect(now.map((m) => m.content)).toEqual(['Question?', 'Partial', 'More?']);
    expect(open().store.load(created.id).messages).toEqual(now);
  });

  it('sets the model of a conversation', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    expect(store.setModel(id, 'x/y')).toMatchObject({ model: 'x/y' });
    expect(open().store.list()[0]?.model).toBe('x/y');
    expect(open().store.load(id).model).toBe('x/y');
  });

  it('titles a conversation from its first user message only while the title is empty', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    store.appendMessages(id, [message('user', '\n\n   What is the tallest mountain?  \nDetails')]);
    expect(store.load(id).title).toBe('What is the tallest mountain?');
    store.appendMessages(id, [message('user', 'Another one')]);
    expect(store.load(id).title).toBe('What is the tallest mountain?');

    const renamed = store.create('openrouter', null);
    store.rename(renamed.id, 'Mine');
    store.appendMessages(renamed.id, [message('user', 'Ignored for the title')]);
    expect(store.load(renamed.id).title).toBe('Mine');

    // Files without text: titled after the first file.
    const files = store.create('openrouter', null);
    const ref = { id: 'b'.repeat(64), mediaType: 'image/png', size: 10, kind: 'image' as const };
    store.appendMessages(files.id, [
      message('user', '', { attachments: [{ ...ref, name: 'holiday.png' }] }),
    ]);
    expect(store.load(files.id).title).toBe('holiday.png');

    const long = 'a'.repeat(80);
    expect(titleFromText(long)).toBe(`${'a'.repeat(59)}…`);
    expect(Array.from(titleFromText('😀'.repeat(70)))).toHaveLength(60);
    expect(titleFromText('😀'.repeat(60))).toBe('😀'.repeat(60));
    expect(titleFromText('   ')).toBe('');
  });

  it('refuses invalid or duplicate messages and writes nothing', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    const first = message('user', 'one');
    store.appendMessages(id, [first]);
    const before = fs.readFileSync(fileOf(id));
    expectCode(() => store.appendMessages(id, [first]), 'STORE_WRITE_FAILED');
    expectCode(
      () => store.appendMessages(id, [{ ...message('user', 'x'), role: 'system' as never }]),
      'STORE_WRITE_FAILED',
    );
    expectCode(
      () => store.appendMessages(id, [{ ...message('user', 'x'), createdAt: Number.NaN }]),
      'STORE_WRITE_FAILED',
    );
    expect(fs.readFileSync(fileOf(id))).toEqual(before);
    expect(store.load(id).messages).toEqual([first]);
  });

  it('keeps large messages (1 MB) intact', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    const big = message('assistant', `${'x'.repeat(1024 * 1024 - 3)}é\u{1F600}`);
    store.appendMessages(id, [big]);
    expect(open().store.load(id).messages[0]?.content).toBe(big.content);
  });
});

describe('ConversationStore: lazy loading', () => {
  it('lists from the index without reading any conversation file', () => {
    const { store } = open();
    const ids = [store.create('openrouter', null).id, store.create('openrouter', null).id];
    for (const id of ids) store.appendMessages(id, [message('user', `hello ${id}`)]);
    // The index is written a second after the last change, or now by flush (the app on quit).
    store.flush();
    logsBeforeIndex();

    const readSpy = vi.spyOn(fs, 'readFileSync');
    const openSpy = vi.spyOn(fs, 'openSync');
    const reopened = open().store;
    reopened.list();
    const touched = [...readSpy.mock.calls, ...openSpy.mock.calls].map((call) => String(call[0]));
    expect(touched.filter((p) => ids.some((id) => p.includes(id)))).toEqual([]);

    readSpy.mockClear();
    reopened.load(ids[0]!);
    expect(readSpy.mock.calls.map((call) => String(call[0]))).toContain(fileOf(ids[0]!));

    // Cached: a second load and an append do not read the file again.
    readSpy.mockClear();
    reopened.load(ids[0]!);
    reopened.appendMessages(ids[0]!, [message('assistant', 'hi')]);
    expect(readSpy.mock.calls.map((call) => String(call[0]))).not.toContain(fileOf(ids[0]!));
  });

  it('lists a conversation whose file is corrupt until it is opened; then moves it aside', () => {
    const { store } = open();
    const good = store.create('openrouter', null);
    const bad = store.create('openrouter', null);
    store.appendMessages(bad.id, [message('user', 'soon broken')]);
    store.flush();
    logsBeforeIndex();
    const garbage = Buffer.from('{"version":1,"id":"not-what-it-was",\u0000 garbage');
    fs.writeFileSync(fileOf(bad.id), garbage);

    const reported: { movedTo: string }[] = [];
    const { store: reopened, problems } = open({ onProblem: (p) => reported.push(p) });
    expect(problems).toEqual([]);
    expect(reopened.list().map((s) => s.id)).toContain(bad.id);
    expect(reopened.list().find((s) => s.id === bad.id)?.title).toBe('soon broken');

    expectCode(() => reopened.load(bad.id), 'STORE_CORRUPT');
    expect(reported).toHaveLength(1);
    const movedTo = reported[0]!.movedTo;
    expect(path.dirname(movedTo)).toBe(conversationsDir);
    expect(path.basename(movedTo)).toMatch(new RegExp(`^${bad.id}\\.corrupt-.*\\.json$`));
    expect(fs.readFileSync(movedTo)).toEqual(garbage);
    expect(fs.existsSync(fileOf(bad.id))).toBe(false);

    expect(reopened.list().map((s) => s.id)).toEqual([good.id]);
    expectCode(() => reopened.load(bad.id), 'CHAT_NOT_FOUND');
    expect(
      open()
        .store.list()
        .map((s) => s.id),
    ).toEqual([good.id]);
  });

  it('refuses a conversation file of the wrong shape, tolerates unknown extra fields', () => {
    const { store } = open();
    const extra = store.create('openrouter', null);
    const wrong = store.create('openrouter', null);
    store.appendMessages(extra.id, [message('user', 'keep me')]);
    store.appendMessages(wrong.id, [message('user', 'break me')]);
    store.compact(extra.id);
    store.compact(wrong.id);

    const withExtra = JSON.parse(fs.readFileSync(fileOf(extra.id), 'utf8'));
    withExtra.futureField = { anything: true };
    withExtra.messages[0].reactions = ['👍'];
    fs.writeFileSync(fileOf(extra.id), JSON.stringify(withExtra));
    const index = JSON.parse(fs.readFileSync(indexPath(), 'utf8'));
    index.pinned = [extra.id];
    fs.writeFileSync(indexPath(), JSON.stringify(index));

    const wrongShape = JSON.parse(fs.readFileSync(fileOf(wrong.id), 'utf8'));
    wrongShape.messages[0].role = 'system';
    fs.writeFileSync(fileOf(wrong.id), JSON.stringify(wrongShape));
    const unknownProvider = store.create('openrouter', null);
    const withProvider = JSON.parse(fs.readFileSync(fileOf(unknownProvider.id), 'utf8'));
    withProvider.provider = 'someday';
    fs.writeFileSync(fileOf(unknownProvider.id), JSON.stringify(withProvider));

    const { store: reopened, problems } = open();
    expect(problems).toEqual([]);
    expect(reopened.load(extra.id).messages[0]?.content).toBe('keep me');
    expectCode(() => reopened.load(wrong.id), 'STORE_CORRUPT');
    expectCode(() => reopened.load(unknownProvider.id), 'STORE_CORRUPT');
  });

  it('corrects a summary that disagrees with its file when the file is loaded', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    const staleIndex = fs.readFileSync(indexPath());
    clock += 500;
    store.appendMessages(id, [message('user', 'after the index')]);
    // A crash between the conversation write and the index write, with the log older than the
    // index (else the open itself reads the conversation to correct it).
    fs.writeFileSync(indexPath(), staleIndex);
    fs.utimesSync(logOf(id), new Date(T0), new Date(T0));

    const reopened = open().store;
    expect(reopened.list()[0]).toMatchObject({ messageCount: 0, title: '' });
    reopened.load(id);
    expect(reopened.list()[0]).toMatchObject({
      messageCount: 1,
      title: 'after the index',
      updatedAt: T0 + 500,
    });
    expect(open().store.list()[0]).toMatchObject({ messageCount: 1 });
  });
});

describe('ConversationStore: crash recovery', () => {
  it('ignores and removes a stray temp file; the conversation keeps its last complete content', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    store.appendMessages(id, [message('user', 'committed')]);
    const stray = `${fileOf(id)}.tmp-1735787045abc123`;
    fs.writeFileSync(stray, '{"version":1,"id":"' + id + '","messages":[{"id":"half');
    const strayIndex = `${indexPath()}.tmp-1735787045def456`;
    fs.writeFileSync(strayIndex, '{"vers');

    const { store: reopened, problems } = open();
    expect(problems).toEqual([]);
    expect(reopened.load(id).messages.map((m) => m.content)).toEqual(['committed']);
    expect(fs.existsSync(stray)).toBe(false);
    expect(fs.existsSync(strayIndex)).toBe(false);
  });

  it('rebuilds a garbage index from the files; a truncated file is moved aside, the rest intact', () => {
    const { store } = open();
    clock += 1;
    const a = store.create('openrouter', 'm/a');
    clock += 1;
    const b = store.create('openrouter', 'm/b');
    clock += 1;
    const broken = store.create('openrouter', 'm/c');
    store.appendMessages(a.id, [message('user', 'Alpha'), message('assistant', 'A!')]);
    store.appendMessages(b.id, [message('user', 'Beta')]);
    store.appendMessages(broken.id, [message('user', 'Gamma')]);
    store.setDraft(a.id, 'lost with the index');

    const truncated = fs.readFileSync(fileOf(broken.id)).subarray(0, 40);
    fs.writeFileSync(fileOf(broken.id), truncated);
    const garbageIndex = Buffer.from('\u0000\u0001not json at all');
    fs.writeFileSync(indexPath(), garbageIndex);
    fs.writeFileSync(path.join(conversationsDir, 'notes.txt'), 'not a conversation');
    fs.writeFileSync(path.join(conversationsDir, `${a.id.toUpperCase()}.json`), 'not ours');
    fs.writeFileSync(path.join(conversationsDir, 'abc.json'), '{}');

    const { store: reopened, problems } = open();
    expect(problems).toHaveLength(2);
    const [indexReport, fileReport] = [
      problems.find((p) => path.basename(p.movedTo).startsWith('index.corrupt-')),
      problems.find((p) => path.basename(p.movedTo).startsWith(`${broken.id}.corrupt-`)),
    ];
    expect(fs.readFileSync(indexReport!.movedTo)).toEqual(garbageIndex);
    expect(fs.readFileSync(fileReport!.movedTo)).toEqual(truncated);

    expect(
      reopened
        .list()
        .map((s) => [s.id, s.title, s.messageCount])
        .sort(),
    ).toEqual(
      [
        [a.id, 'Alpha', 2],
        [b.id, 'Beta', 1],
      ].sort(),
    );
    expect(reopened.load(a.id).messages.map((m) => m.content)).toEqual(['Alpha', 'A!']);
    expect(reopened.load(a.id).draft).toBe('');
    expect(reopened.load(b.id).model).toBe('m/b');
    expectCode(() => reopened.load(broken.id), 'CHAT_NOT_FOUND');

    // The rebuilt index is on disk: the next open reads no conversation file.
    const readSpy = vi.spyOn(fs, 'readFileSync');
    const third = open();
    expect(third.problems).toEqual([]);
    expect(third.store.list()).toEqual(reopened.list());
    expect(readSpy.mock.calls.map((call) => String(call[0]))).not.toContain(fileOf(a.id));
    // Files that are not `<uuid>.json` were left alone.
    expect(entries()).toEqual(
      expect.arrayContaining(['notes.txt', 'abc.json', `${a.id.toUpperCase()}.json`]),
    );
  });

  it('rebuilds a missing index without reporting a problem', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    store.appendMessages(id, [message('user', 'still here')]);
    fs.rmSync(indexPath());
    const { store: reopened, problems } = open();
    expect(problems).toEqual([]);
    expect(reopened.list()).toMatchObject([{ id, title: 'still here', messageCount: 1 }]);
    expect(fs.existsSync(indexPath())).toBe(true);
  });

  it('adds a conversation whose file landed but whose index entry did not, drops the reverse', () => {
    const { store } = open();
    const kept = store.create('openrouter', null);
    const gone = store.create('openrouter', null);
    const indexBefore = fs.readFileSync(indexPath());
    const orphan = store.create('openrouter', null);
    store.appendMessages(orphan.id, [message('user', 'orphan')]);
    fs.writeFileSync(indexPath(), indexBefore);
    fs.rmSync(fileOf(gone.id));

    const { store: reopened, problems } = open();
    expect(problems).toEqual([]);
    expect(
      reopened
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual([kept.id, orphan.id].sort());
    expect(reopened.load(orphan.id).title).toBe('orphan');
  });

  it('forgets a conversation whose file vanished while the store was open', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    const reopened = open().store;
    fs.rmSync(fileOf(id));
    expectCode(() => reopened.load(id), 'CHAT_NOT_FOUND');
    expect(reopened.list()).toEqual([]);
  });

  it('keeps memory in line with the disk when a conversation write fails', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    store.appendMessages(id, [message('user', 'one')]);
    failWrites.on = true;
    expectCode(() => store.appendMessages(id, [message('user', 'two')]), 'STORE_WRITE_FAILED');
    expectCode(() => store.create('openrouter', null), 'STORE_WRITE_FAILED');
    failWrites.on = false;
    expect(store.list()).toHaveLength(1);
    expect(store.load(id).messages.map((m) => m.content)).toEqual(['one']);
    expect(
      open()
        .store.load(id)
        .messages.map((m) => m.content),
    ).toEqual(['one']);
  });
});

describe('ConversationStore: ids and files', () => {
  it.skipIf(!POSIX)('writes files 0600 and creates its directory 0700', () => {
    const { store } = open();
    const { id } = store.create('openrouter', null);
    store.setDraft(id, 'x');
    expect(fs.statSync(conversationsDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(fileOf(id)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(indexPath()).mode & 0o777).toBe(0o600);
    store.appendMessages(id, [message('user', 'again')]);
    expect(fs.statSync(logOf(id)).mode & 0o777).toBe(0o600);
    fs.chmodSync(fileOf(id), 0o644);
    store.compact(id);
    expect(fs.statSync(fileOf(id)).mode & 0o777).toBe(0o600);
  });

  it('throws CHAT_NOT_FOUND for an unknown id everywhere', () => {
    const { store } = open();
    const unknown = randomUUID();
    expectCode(() => store.load(unknown), 'CHAT_NOT_FOUND');
    expectCode(() => store.rename(unknown, 'x'), 'CHAT_NOT_FOUND');
    expectCode(() => store.delete(unknown), 'CHAT_NOT_FOUND');
    expectCode(() => store.setDraft(unknown, 'x'), 'CHAT_NOT_FOUND');
    expectCode(() => store.appendMessages(unknown, [message('user', 'x')]), 'CHAT_NOT_FOUND');
    expectCode(() => store.updateMessage(unknown, message('user', 'x')), 'CHAT_NOT_FOUND');
    expectCode(() => store.removeMessage(unknown, 'm'), 'CHAT_NOT_FOUND');
    expectCode(() => store.setModel(unknown, 'x'), 'CHAT_NOT_FOUND');
  });

  it('refuses ids that are not lowercase UUIDs without touching the filesystem', () => {
    const { store } = open();
    const real = store.create('openrouter', null);
    const outside = path.join(tmp, 'data', 'secret.json');
    const outsideContent = JSON.stringify({
      version: 1,
      id: real.id,
      title: 'outside',
      createdAt: 0,
      updatedAt: 0,
      model: null,
      messages: [],
    });
    fs.writeFileSync(outside, outsideContent);

    const spies = (
      [
        'readFileSync',
        'writeFileSync',
        'openSync',
        'rmSync',
        'unlinkSync',
        'renameSync',
        'existsSync',
        'statSync',
        'readdirSync',
      ] as const
    ).map((name) => vi.spyOn(fs, name));
    const hostile = [
      '../secret',
      '..',
      `${real.id}/../../secret`,
      `../conversations/${real.id}`,
      real.id.toUpperCase(),
      `${real.id}.json`,
      ` ${real.id}`,
      '',
      '__proto__',
      'constructor',
    ];
    for (const id of hostile) {
      expectCode(() => store.load(id), 'CHAT_NOT_FOUND');
      expectCode(() => store.delete(id), 'CHAT_NOT_FOUND');
      expectCode(() => store.rename(id, 'x'), 'CHAT_NOT_FOUND');
      // `''` is the new chat's draft (tested above); every other hostile id is refused.
      if (id !== '') expectCode(() => store.setDraft(id, 'x'), 'CHAT_NOT_FOUND');
      expectCode(() => store.appendMessages(id, [message('user', 'x')]), 'CHAT_NOT_FOUND');
      expectCode(() => store.removeMessage(id, 'm'), 'CHAT_NOT_FOUND');
    }
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect(fs.readFileSync(outside, 'utf8')).toBe(outsideContent);
    expect(store.list().map((s) => s.id)).toEqual([real.id]);
  });

  it('refuses a file whose inner id does not match its name', () => {
    const { store } = open();
    const a = store.create('openrouter', null);
    const b = store.create('openrouter', null);
    fs.copyFileSync(fileOf(a.id), fileOf(b.id));
    const reported: { movedTo: string }[] = [];
    expectCode(
      () => open({ onProblem: (p) => reported.push(p) }).store.load(b.id),
      'STORE_CORRUPT',
    );
    expect(reported).toHaveLength(1);
  });

  it('refuses an id from newId that is not a UUID', () => {
    const { store } = open({ newId: () => '../escape' });
    expectCode(() => store.create('openrouter', null), 'INTERNAL');
    expect(fs.existsSync(path.join(tmp, 'data', 'escape.json'))).toBe(false);
  });
});

describe('ConversationStore: a 2,000-message conversation', () => {
  it('writes and loads fast', () => {
    const { store } = open();
    const { id } = store.create('openrouter', 'm/1');
    const messages = Array.from({ length: 2000 }, (_, i) =>
      message(
        i % 2 === 0 ? 'user' : 'assistant',
        `${i} `.padEnd(500, 'lorem ipsum dolor sit amet '),
      ),
    );

    let start = performance.now();
    store.appendMessages(id, messages);
    const writeMs = performance.now() - start;
    const bytes = fs.statSync(fileOf(id)).size;

    start = performance.now();
    const reopened = open().store;
    const openMs = performance.now() - start;

    start = performance.now();
    const loaded = reopened.load(id);
    const coldLoadMs = performance.now() - start;
    expect(loaded.messages).toHaveLength(2000);
    expect(loaded.messages[1999]?.content).toBe(messages[1999]?.content);

    start = performance.now();
    reopened.load(id);
    const cachedLoadMs = performance.now() - start;

    start = performance.now();
    reopened.appendMessages(id, [message('user', 'one more')]);
    const appendMs = performance.now() - start;

    start = performance.now();
    reopened.updateMessage(id, { ...messages[1999]!, content: 'edited' });
    const updateMs = performance.now() - start;

    console.log(
      `[conversation-store] 2,000 messages, ${(bytes / 1024 / 1024).toFixed(2)} MB: ` +
        `write ${writeMs.toFixed(1)} ms, open ${openMs.toFixed(1)} ms, ` +
        `cold load ${coldLoadMs.toFixed(1)} ms, cached load ${cachedLoadMs.toFixed(2)} ms, ` +
        `append ${appendMs.toFixed(1)} ms, update ${updateMs.toFixed(1)} ms`,
    );
    // The 100 ms budget is not asserted here (the log above prints the figure): on a loaded
    // 2-core machine a timed assertion fails for reasons that have nothing to do with the store.
    // Its place is `npm run bench`, which does not measure the store yet.
  });
});
