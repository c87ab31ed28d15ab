/**
 * Search budgets of issue 11 / performance.md ("Search over all history"), measured in one Node
 * process through the real SearchService (the code main runs), over a generated history
 * (bench/search-corpus.ts: Zipf-skewed English and Chinese, mixed within messages) written to a
 * temporary data directory as conversation files:
 * - query p95 ≤ 50 ms (parse, index, snippets read from the conversation files), over English
 *   words and prefixes, Chinese substrings of 2–4 characters and mixed queries
 * - indexing one finished message ≤ 2 ms (the store's change event for a conversation that got
 *   one more message: the service diffs the conversation and indexes the new message)
 * - cold start ≤ 20 ms: what the search adds before the window can show (constructing the
 *   service and observing the store; the index is not read at startup)
 * - index file ≤ 1.5× the text it indexes
 * Reported without a budget: rebuilding the index from the files (first search without an
 * index file), and loading it from its file (first search of a session).
 *
 * Scale: 10,000 conversations of ~10 KB (~100 MB of text) by default;
 * `LATCHKEY_SEARCH_BENCH_CONVERSATIONS` sets another count for a quick run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChatMessage } from '../preload/api';
import { createMemoryLogger } from '../main/log';
import { SEARCH_INDEX_FILE, SearchService } from '../main/search/search-service';
import { conversations, corpus, random, type GeneratedConversation } from './search-corpus';
import { summarize, type Row } from './stats';

const COUNT = Number(process.env['LATCHKEY_SEARCH_BENCH_CONVERSATIONS'] ?? 10_000);
const QUERIES = 200;
const APPENDS = 200;

function info(metric: string, samples: readonly number[]): Row {
  return { ...summarize(metric, samples, {}), budget: 'reported', ok: true };
}

/** Queries people type: words, prefixes, Chinese substrings, mixed; drawn from the corpus. */
function queriesFrom(history: readonly GeneratedConversation[]): string[] {
  const rand = random(7);
  const out: string[] = [];
  while (out.length < QUERIES) {
    const conversation = history[Math.floor(rand() * history.length)];
    const message = conversation?.messages[Math.floor(rand() * conversation.messages.length)];
    if (!message) continue;
    const text = message.content;
    const at = Math.floor(rand() * Math.max(1, text.length - 12));
    const kind = out.length % 4;
    const han = /\p{Script=Han}{4}/u.exec(text.slice(at));
    const words = text.slice(at).match(/[a-z]{3,}/g) ?? [];
    if (kind === 0 && han) out.push(han[0].slice(0, 2 + (out.length % 3)));
    else if (kind === 1 && words[0]) out.push(words[0].slice(0, Math.max(3, words[0].length - 2)));
    else if (kind === 2 && words.length >= 2) out.push(`${words[0]} ${words[1]}`);
    else if (kind === 3 && han && words[0]) out.push(`${words[0]} ${han[0].slice(0, 2)}`);
  }
  return out;
}

export async function benchSearch(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-search-bench-'));
  try {
    const conversationsDir = path.join(dir, 'conversations');
    fs.mkdirSync(conversationsDir);
    const history: GeneratedConversation[] = [];
    let textBytes = 0;
    for (const conversation of conversations(COUNT)) {
      history.push(conversation);
      for (const m of conversation.messages) textBytes += Buffer.byteLength(m.content);
      textBytes += Buffer.byteLength(conversation.title);
      fs.writeFileSync(
        path.join(conversationsDir, `${conversation.id}.json`),
        JSON.stringify({
          version: 1,
          id: conversation.id,
          provider: 'openrouter',
          title: conversation.title,
          createdAt: 1,
          updatedAt: 1,
          model: null,
          messages: conversation.messages,
        }),
      );
    }
    const summaries = new Map(
      history.map((c) => [c.id, { id: c.id, title: c.title, updatedAt: 1 }]),
    );
    const source = { list: () => [...summaries.values()] };
    const open = () =>
      new SearchService({ dir, source, log: createMemoryLogger(), saveDelayMs: 3_600_000 });

    // Rebuild: the first search with no index file reads every conversation file.
    let started = performance.now();
    const builder = open();
    await builder.ready();
    const rebuildMs = performance.now() - started;
    await builder.flush();
    builder.dispose();
    const fileBytes = fs.statSync(path.join(dir, SEARCH_INDEX_FILE)).size;

    // Cold start: what the app does with search before its window shows.
    const cold: number[] = [];
    let service = open();
    for (let i = 0; i < 7; i++) {
      started = performance.now();
      service.dispose();
      service = open();
      cold.push(performance.now() - started);
    }

    started = performance.now();
    await service.ready();
    const loadMs = performance.now() - started;

    const queries = queriesFrom(history);
    for (const query of queries.slice(0, 20)) await service.query(query, 20);
    const queryTimes: number[] = [];
    let found = 0;
    for (const query of queries) {
      started = performance.now();
      const results = await service.query(query, 20);
      queryTimes.push(performance.now() - started);
      if (results.length > 0) found++;
    }

    // One finished answer more in a conversation, as the store reports it.
    const text = corpus(1);
    const rand = random(11);
    const appendTimes: number[] = [];
    // The first ones warm the JIT up; they are not counted.
    const WARM_UP = 20;
    for (let i = 0; i < WARM_UP + APPENDS; i++) {
      const conversation = history[Math.floor(rand() * history.length)];
      if (!conversation) continue;
      const answer: ChatMessage = {
        id: `bench-${i}`,
        revision: 1,
        role: 'assistant',
        content: i % 2 === 0 ? text.english(rand, 250) : text.chinese(rand, 500),
        createdAt: 2,
        status: 'complete',
        model: 'openai/gpt-4o-mini',
        usage: null,
        finishReason: 'stop',
        error: null,
      };
      const messages = [...conversation.messages, answer];
      history[history.indexOf(conversation)] = { ...conversation, messages };
      started = performance.now();
      service.changed({
        kind: 'saved',
        id: conversation.id,
        title: conversation.title,
        updatedAt: 2 + i,
        messages,
      });
      if (i >= WARM_UP) appendTimes.push(performance.now() - started);
    }
    service.dispose();

    const scale = `${COUNT.toLocaleString('en')} conversations, ${(textBytes / 1e6).toFixed(0)} MB`;
    return [
      summarize(`search: query (${scale}; ${found}/${QUERIES} found), ms`, queryTimes, { p95: 50 }),
      summarize('search: index one finished message, ms', appendTimes, { p95: 2 }),
      summarize('search: added to cold start (index not loaded), ms', cold, { p95: 20 }),
      summarize('search: index file / text, ratio', [fileBytes / textBytes], { p95: 1.5 }),
      info('search: first search, index loaded from its file, ms', [loadMs]),
      info('search: first search, index rebuilt from the conversations, ms', [rebuildMs]),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./stats');
  printTable(await benchSearch());
}
