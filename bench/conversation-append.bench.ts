/**
 * Appending a message to a long conversation (issue 12): p95 ≤ 5 ms for a 10,000-message
 * conversation, independent of its length. Two conversations are generated in a temporary
 * directory in the app's own format (a snapshot `<uuid>.json` as the app writes it, and the
 * index), one of 10,000 messages and one of 100; the real ConversationStore opens them, and 600
 * messages are appended to each, interleaved so the disk's noise falls on both alike. Each
 * append is one durable (fdatasync'd) write to the conversation's log. The ratio
 * p95(10,000)/p95(100) is from the same run. The compaction that folds a log into its snapshot
 * (once the log outgrows 1 MiB and the snapshot, so amortized over at least that many bytes of
 * appends) is reported too, without a budget.
 *
 * The store is wired to the search service as in the app, with the index loaded (as after a
 * first search): an append also updates the index, which looks only at the appended message.
 *
 * Reported beside it: opening a 10,000-message conversation whose log holds 600 exchanges (7,200
 * records: the two messages of each send, ten checkpoints of its answer, the answer's end), as a
 * log grows before it is folded into a snapshot this size. The replay applies each record in
 * place, so it costs what the records hold, not records × messages.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatMessage } from '../preload/api';
import { ConversationStore } from '../main/chat/conversation-store';
import { encodeRecord, type LogRecord } from '../main/chat/store/conversation-log';
import { createMemoryLogger } from '../main/log';
import { SearchService } from '../main/search/search-service';
import { summarize, type Row } from './stats';

// 600: a p95 of 200 samples is their 10th slowest, which the disk's noise sets (ratio 1.0–1.4
// run to run at 200, 0.9–1.05 at 600).
const APPENDS = Number(process.env['BENCH_APPENDS'] ?? 600);
const P95_BUDGET_MS = 5;
const RATIO_BUDGET = 1.5;

function message(n: number, role: ChatMessage['role'], at: number): ChatMessage {
  const text =
    role === 'user'
      ? `Question ${n}: how does the append-only log keep this conversation safe? 中文 🎉`
      : `Answer ${n}. ${'The log is appended with one write and an fdatasync; '.repeat(8)}`;
  return {
    id: randomUUID(),
    revision: 0,
    role,
    content: text,
    createdAt: at,
    status: 'complete',
    model: role === 'assistant' ? 'openai/gpt-4o-mini' : null,
    usage: null,
    finishReason: role === 'assistant' ? 'stop' : null,
    error: null,
  };
}

/** Writes a conversation of `count` messages in the app's format; returns its id. */
function writeConversation(dir: string, count: number, at: number) {
  const id = randomUUID();
  const messages = Array.from({ length: count }, (_, n) =>
    message(n, n % 2 === 0 ? 'user' : 'assistant', at + n),
  );
  const file = {
    version: 1,
    id,
    provider: 'openrouter',
    title: `${count} messages`,
    createdAt: at,
    updatedAt: at + count,
    model: 'openai/gpt-4o-mini',
    messages,
    settings: { systemPrompt: '', temperature: null, maxTokens: null, reasoningEffort: null },
  };
  fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(file), { mode: 0o600 });
  return {
    id,
    provider: 'openrouter',
    title: file.title,
    createdAt: at,
    updatedAt: file.updatedAt,
    model: file.model,
    messageCount: count,
  };
}

/** Writes a log of `exchanges` sends onto conversation `id`'s snapshot (generation 0). */
function writeLog(dir: string, id: string, exchanges: number, at: number): number {
  const records: LogRecord[] = [{ op: 'base', generation: 0 }];
  for (let n = 0; n < exchanges; n++) {
    const question = message(200_000 + n, 'user', at + n);
    const answer = { ...message(200_000 + n, 'assistant', at + n), content: '' };
    records.push({ op: 'put', messages: [question, { ...answer, status: 'streaming' }] });
    let content = '';
    for (let checkpoint = 0; checkpoint < 10; checkpoint++) {
      const more = `Checkpoint ${checkpoint} of answer ${n}. `.repeat(4);
      content += more;
      records.push({ op: 'grow', id: answer.id, content: more });
    }
    records.push({ op: 'put', messages: [{ ...answer, content, revision: 1 }] });
  }
  fs.writeFileSync(path.join(dir, `${id}.log`), records.map(encodeRecord).join(''), {
    mode: 0o600,
  });
  return records.length - 1;
}

export async function benchConversationAppend(): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-append-bench-'));
  try {
    const dir = path.join(root, 'conversations');
    fs.mkdirSync(dir, { mode: 0o700 });
    const at = Date.UTC(2026, 0, 1);
    const long = writeConversation(dir, 10_000, at);
    const short = writeConversation(dir, 100, at);
    const logged = writeConversation(dir, 10_000, at);
    const records = writeLog(dir, logged.id, 600, at + 20_000);
    fs.writeFileSync(
      path.join(dir, 'index.json'),
      JSON.stringify({ version: 1, conversations: [long, short, logged], drafts: {} }),
      { mode: 0o600 },
    );
    // Opening the conversation with the long log: a fresh store each time (nothing cached).
    const opens: number[] = [];
    for (let n = 0; n < 6; n++) {
      const start = performance.now();
      const shown = ConversationStore.open({ dir: root }).store.load(logged.id);
      if (n > 0) opens.push(performance.now() - start);
      if (shown.messages.length !== 10_000 + 1_200) throw new Error('the log was not replayed');
    }
    const { store } = ConversationStore.open({ dir: root });
    const search = new SearchService({ dir: root, source: store, log: createMemoryLogger() });
    const stopObserving = store.observe((change) => search.changed(change));
    await search.ready();
    store.load(long.id);
    store.load(short.id);
    const times = { long: [] as number[], short: [] as number[] };
    const appendTo = (id: string, into: number[], n: number) => {
      const next = message(100_000 + n, n % 2 === 0 ? 'user' : 'assistant', Date.now());
      const start = performance.now();
      store.appendMessages(id, [next]);
      into.push(performance.now() - start);
    };
    // Warm-up (first log line, JIT), not measured.
    for (let n = 0; n < 5; n++) {
      appendTo(long.id, [], n);
      appendTo(short.id, [], n);
    }
    for (let n = 0; n < APPENDS; n++) {
      appendTo(long.id, times.long, n);
      appendTo(short.id, times.short, n);
    }
    const compactions: number[] = [];
    for (let n = 0; n < 3; n++) {
      appendTo(long.id, [], n);
      const start = performance.now();
      store.compact(long.id);
      compactions.push(performance.now() - start);
    }
    store.flush();
    stopObserving();
    // The index followed: the last append to the long conversation is found.
    const found = await search.query('Question 100002', 5);
    search.dispose();
    if (!found.some((hit) => hit.conversationId === long.id)) {
      throw new Error('the search index did not follow the appends');
    }
    // Every append reached the disk: a fresh store reads them all.
    const reread = ConversationStore.open({ dir: root }).store.load(long.id).messages.length;
    const expected = 10_000 + 5 + APPENDS + 3;
    if (reread !== expected) throw new Error(`read ${reread} messages, expected ${expected}`);

    const longRow = summarize('conversation append, 10,000 messages (ms)', times.long, {
      p95: P95_BUDGET_MS,
    });
    const shortRow = summarize('conversation append, 100 messages (ms)', times.short, {
      p95: P95_BUDGET_MS,
    });
    const ratio = longRow.p95 / shortRow.p95;
    return [
      longRow,
      shortRow,
      {
        metric: 'conversation append p95(10,000) / p95(100)',
        runs: APPENDS,
        median: ratio,
        p95: ratio,
        budget: `≤ ${RATIO_BUDGET}`,
        ok: ratio <= RATIO_BUDGET,
      },
      summarize('conversation compaction, 10,000 messages (ms, amortized)', compactions, {}),
      summarize(
        `conversation open, 10,000 messages + a ${records.toLocaleString('en')}-record log (ms)`,
        opens,
        {},
      ),
    ];
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
