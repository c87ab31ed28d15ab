import { setTimeout as sleep } from 'node:timers/promises';
import type { OpenRouterEmulator } from '../../tests/fixtures/openrouter-emulator';
import type { ChildEvents, FuzzChild, Outcome } from './child-process';
import type { Expectation, InFlight } from './expectation';

/** A random text: words in several scripts (multi-byte UTF-8, surrogate pairs) and markdown. */
export function randomText(random: () => number, length: number): string {
  const words = ['token', 'Latchkey', 'crash', 'é', '中文', '答案', '🙂', '`code`', '**bold**'];
  let text = '';
  while (text.length < length) {
    const r = random();
    text += r < 0.05 ? '\n\n' : r < 0.08 ? '\n- ' : ' ';
    text += words[Math.floor(random() * words.length)];
  }
  return text;
}

/** One of `items` (never empty where it is called). */
function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}

/**
 * The answers of one child run: which one streams now (one at a time), what of it was sent
 * when, and the finished ones recorded as acknowledged.
 */
export class Streams implements ChildEvents {
  inFlight: InFlight | null = null;
  completed = 0;
  readonly #byId = new Map<string, InFlight>();
  readonly #expected: Expectation;
  readonly #problems: string[];

  constructor(expected: Expectation, problems: string[]) {
    this.#expected = expected;
    this.#problems = problems;
  }

  started(stream: InFlight): void {
    this.#byId.set(stream.messageId, stream);
    this.inFlight = stream;
  }

  onDelta(messageId: string, chars: number, at: number): void {
    this.#byId.get(messageId)?.deltas.push({ at, chars });
  }

  onDone(done: { messageId: string; status: string; length: number }): void {
    const stream = this.#byId.get(done.messageId);
    if (!stream) return;
    this.#byId.delete(done.messageId);
    if (this.inFlight === stream) this.inFlight = null;
    if (done.status !== 'complete' || done.length !== stream.text.length) {
      this.#problems.push(`answer ${done.messageId} ended ${done.status} at ${done.length} chars`);
    }
    this.#expected.messageStored(stream.conversationId, done.messageId, stream.text);
    this.completed += 1;
  }
}

export interface WorkloadContext {
  readonly child: FuzzChild;
  readonly random: () => number;
  readonly expected: Expectation;
  readonly streams: Streams;
  readonly emulator: OpenRouterEmulator;
  /** Longest answer, in characters. */
  readonly maxAnswer: number;
  readonly problems: string[];
  readonly stopped: () => boolean;
}

/**
 * Creates, sends to (one answer streaming at a time, of random length and pace), renames and
 * deletes conversations until stopped, recording each acknowledgement; resolves with the number
 * of operations sent.
 */
export async function runWorkload(ctx: WorkloadContext): Promise<number> {
  const { child, random, expected, streams } = ctx;
  let operations = 0;
  while (!ctx.stopped()) {
    operations += 1;
    const ids = expected.conversationIds();
    const roll = random();
    let outcome: Outcome;
    if (ids.length < 2 || (roll < 0.12 && ids.length < 8)) {
      outcome = await child.send({ op: 'create' });
      if (outcome.kind === 'ok' && outcome.result.op === 'create') {
        expected.created(outcome.result.conversationId, outcome.result.title);
      }
    } else if (roll < 0.55 && !streams.inFlight) {
      outcome = await send(ctx, pick(random, ids));
    } else if (roll < 0.8) {
      const conversationId = pick(random, ids);
      const title = randomText(random, 1 + Math.floor(random() * 40)).trim() || 'x';
      expected.titlePending(conversationId);
      outcome = await child.send({ op: 'rename', conversationId, title });
      if (outcome.kind === 'ok' && outcome.result.op === 'rename') {
        expected.titled(conversationId, outcome.result.title);
      }
    } else if (roll < 0.9 && ids.length > 3) {
      const streaming = streams.inFlight?.conversationId;
      const conversationId = pick(
        random,
        ids.filter((id) => id !== streaming),
      );
      expected.deletePending(conversationId);
      outcome = await child.send({ op: 'delete', conversationId });
      if (outcome.kind === 'ok') expected.deleted(conversationId);
    } else {
      await sleep(20 + random() * 80);
      continue;
    }
    if (outcome.kind === 'error') ctx.problems.push(`operation failed: ${outcome.code}`);
    await sleep(random() * 40);
  }
  return operations;
}

/** A send whose answer the emulator streams as scripted: its whole text is known here. */
async function send(ctx: WorkloadContext, conversationId: string): Promise<Outcome> {
  const { random, expected, emulator } = ctx;
  const size = random();
  const length = Math.ceil(
    size < 0.4
      ? 20 + random() * 500
      : size < 0.8
        ? 500 + random() * 3_500
        : 4_000 + random() * Math.max(0, ctx.maxAnswer - 4_000),
  );
  const text = randomText(random, length);
  emulator.clearChatScripts();
  emulator.scriptChat({
    content: text,
    pieceSize: 8 + Math.floor(random() * 56),
    paceMs: 4 + Math.floor(random() * 16),
  });
  const question = randomText(random, 10 + Math.floor(random() * 200));
  expected.titlePending(conversationId);
  const outcome = await ctx.child.send({ op: 'send', conversationId, text: question });
  if (outcome.kind === 'ok' && outcome.result.op === 'send') {
    const { userMessageId, assistantMessageId, title } = outcome.result;
    expected.titled(conversationId, title);
    expected.messageStored(conversationId, userMessageId, question);
    ctx.streams.started({ conversationId, messageId: assistantMessageId, text, deltas: [] });
  }
  return outcome;
}
