import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../../../preload/api';
import { ConversationStore } from '../../../main/chat/conversation-store';
import { createMemoryLogger } from '../../../main/log';
import { InvertedIndex } from '../../../main/search/inverted-index';
import { SEARCH_INDEX_FILE, SearchService } from '../../../main/search/search-service';

let tmp: string;
let dataDir: string;
let seq = 0;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-search-'));
  dataDir = path.join(tmp, 'data');
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function message(
  role: ChatMessage['role'],
  content: string,
  extra: Partial<ChatMessage> = {},
): ChatMessage {
  seq += 1;
  return {
    id: `m-${seq}`,
    revision: 0,
    role,
    content,
    createdAt: 1,
    status: 'complete',
    model: null,
    usage: null,
    finishReason: null,
    error: null,
    ...extra,
  };
}

/** The app's wiring: a store, and a search service told about its changes. */
function open() {
  const { store } = ConversationStore.open({ dir: dataDir });
  const log = createMemoryLogger();
  const problems: string[] = [];
  const search = new SearchService({
    dir: dataDir,
    source: store,
    log,
    saveDelayMs: 10,
    onProblem: (p) => problems.push(p.movedTo),
  });
  store.observe((change) => search.changed(change));
  return { store, search, log, problems };
}

async function ids(search: SearchService, query: string) {
  return (await search.query(query, 20)).map((r) => [r.conversationId, r.messageId]);
}

describe('SearchService', () => {
  it('is not loaded until the first search, then finds what the store holds', async () => {
    const { store, search } = open();
    const a = store.create('openrouter', null);
    const question = message('user', 'How do I configure the 搜索引擎 for Lisbon?');
    store.appendMessages(a.id, [question]);
    expect(search.loaded).toBe(false);
    expect(await ids(search, '搜索')).toEqual([[a.id, question.id]]);
    expect(search.loaded).toBe(true);
    const [result] = await search.query('lisb', 5);
    expect(result?.title).toBe('How do I configure the 搜索引擎 for Lisbon?');
    expect(result?.snippet.ranges.map(([s, e]) => result.snippet.text.slice(s, e))).toEqual([
      'Lisbon',
    ]);
  });

  it('never loads by itself: an empty query (the search opening) loads it', async () => {
    const { store, search } = open();
    store.create('openrouter', null);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(search.loaded).toBe(false);
    expect(await search.query('', 1)).toEqual([]);
    expect(search.loaded).toBe(true);
    search.dispose();
  });

  it('indexes a message when it ends, a rename, and forgets a deleted conversation', async () => {
    const { store, search } = open();
    const a = store.create('openrouter', null);
    await search.ready();
    const answer = message('assistant', '', { status: 'streaming' });
    store.appendMessages(a.id, [message('user', 'hello'), answer]);
    // Not while it streams (a crash leaves it `streaming` on disk): when it ends.
    store.updateMessage(a.id, { ...answer, content: 'partial', revision: 1 });
    expect(await ids(search, 'partial')).toEqual([]);
    store.updateMessage(a.id, {
      ...answer,
      content: 'The answer is photosynthesis',
      reasoning: '思考光合作用的过程',
      revision: 2,
      status: 'complete',
    });
    expect(await ids(search, 'photosynth')).toEqual([[a.id, answer.id]]);
    expect(await ids(search, '光合作用')).toEqual([[a.id, answer.id]]);
    expect(await ids(search, 'partial')).toEqual([]);
    store.rename(a.id, 'Biology homework');
    expect(await ids(search, 'biology')).toEqual([[a.id, null]]);
    store.delete(a.id);
    expect(await ids(search, 'photosynthesis')).toEqual([]);
    expect(await ids(search, 'biology')).toEqual([]);
  });

  it('follows a long conversation message by message, looking only at what each change touched', async () => {
    const { store, search } = open();
    const a = store.create('openrouter', null);
    const history = Array.from({ length: 500 }, (_, n) =>
      message(n % 2 ? 'assistant' : 'user', `filler ${n}`),
    );
    store.appendMessages(a.id, [message('user', 'alpha question'), ...history]);
    const answer = message('assistant', 'bravo answer');
    store.appendMessages(a.id, [answer]);
    await search.ready();
    const upsert = vi.spyOn(InvertedIndex.prototype, 'upsert');

    // An append: the new message is found, and every earlier one still is.
    const charlie = message('user', 'charlie follows');
    store.appendMessages(a.id, [charlie]);
    expect(upsert.mock.lastCall?.[0].messages.map((m) => m.id)).toEqual([charlie.id]);
    expect(await ids(search, 'charlie')).toEqual([[a.id, charlie.id]]);
    expect(await ids(search, 'alpha')).toHaveLength(1);
    expect(await ids(search, 'bravo')).toEqual([[a.id, answer.id]]);

    // An answer streaming again (a put of it, now `streaming`): its old text is no longer found.
    store.updateMessage(a.id, { ...answer, content: 'delta', revision: 1, status: 'streaming' });
    expect(upsert.mock.lastCall?.[0].messages).toEqual([]);
    expect(await ids(search, 'bravo')).toEqual([]);
    expect(await ids(search, 'delta')).toEqual([]);
    expect(await ids(search, 'alpha')).toHaveLength(1);

    // Edit and resend (a cut): the whole conversation is looked at, the cut messages are gone.
    const echo = message('user', 'echo instead');
    store.replaceFrom(a.id, charlie.id, [echo]);
    expect(upsert.mock.lastCall?.[0].messages.length).toBeGreaterThan(500);
    expect(await ids(search, 'charlie')).toEqual([]);
    expect(await ids(search, 'echo')).toEqual([[a.id, echo.id]]);
    expect(await ids(search, 'alpha')).toHaveLength(1);
    upsert.mockRestore();
  });

  it('persists the index, and catches up with changes made while it was not loaded', async () => {
    const first = open();
    const a = first.store.create('openrouter', null);
    first.store.appendMessages(a.id, [message('user', 'persisted words')]);
    await first.search.ready();
    await first.search.flush();
    expect(fs.existsSync(path.join(dataDir, SEARCH_INDEX_FILE))).toBe(true);
    // Changes the index did not see (never loaded, or a crash before it was written).
    const b = first.store.create('openrouter', null);
    first.store.appendMessages(b.id, [message('user', 'written later')]);
    first.store.rename(a.id, 'Renamed meanwhile');
    first.search.dispose();

    const second = open();
    expect(await ids(second.search, 'persisted')).toEqual([[a.id, expect.any(String)]]);
    expect(await ids(second.search, 'later')).toEqual([[b.id, expect.any(String)]]);
    expect(await ids(second.search, 'meanwhile')).toEqual([[a.id, null]]);
    second.store.delete(b.id);
    second.search.dispose();
    const third = open();
    expect(await ids(third.search, 'later')).toEqual([]);
  });

  it('rebuilds a missing index, and moves a damaged one aside (never deleted)', async () => {
    const first = open();
    const a = first.store.create('openrouter', null);
    first.store.appendMessages(a.id, [message('user', 'still findable 仍然可以找到')]);
    expect(await ids(first.search, 'findable')).toHaveLength(1);
    await first.search.flush();
    const file = path.join(dataDir, SEARCH_INDEX_FILE);
    const damaged = fs.readFileSync(file);
    damaged[damaged.length - 10] = (damaged[damaged.length - 10] ?? 0) ^ 0xff;
    fs.writeFileSync(file, damaged);

    const second = open();
    expect(await ids(second.search, '可以找')).toEqual([[a.id, expect.any(String)]]);
    expect(second.problems).toHaveLength(1);
    expect(fs.readFileSync(second.problems[0] ?? '')).toEqual(damaged);
    await second.search.flush();
    expect(fs.readFileSync(file)).not.toEqual(damaged);

    fs.rmSync(file);
    const third = open();
    expect(await ids(third.search, 'findable')).toEqual([[a.id, expect.any(String)]]);
    expect(third.problems).toEqual([]);
    expect(third.store.load(a.id).messages).toHaveLength(1);
  });

  it('answers `*`, `"`, blank and 10 KB queries with nothing, without failing', async () => {
    const { store, search } = open();
    const a = store.create('openrouter', null);
    store.appendMessages(a.id, [message('user', 'some * "quoted" text')]);
    expect(await search.query('*', 20)).toEqual([]);
    expect(await search.query('"', 20)).toEqual([]);
    expect(await search.query('', 20)).toEqual([]);
    expect(await search.query('x'.repeat(10_240), 20)).toEqual([]);
    expect(await search.query('中'.repeat(3500), 20)).toEqual([]);
    expect(await ids(search, '"quoted"')).toEqual([[a.id, expect.any(String)]]);
  });
});
