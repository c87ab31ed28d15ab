/**
 * A scripted fetch and canned answers for the auth flow unit tests, and the error catchers they
 * share.
 */
import { expect, onTestFinished } from 'vitest';
import type { FlowContext } from '../../../main/auth/flow';
import { LatchkeyError } from '../../../main/errors';
import type { FetchLike } from '../../../main/http/request';

/** One request the scripted fetch received. */
export interface Call {
  readonly url: string;
  readonly init: RequestInit;
}

/** How the scripted fetch answers one request. */
export type Answer = (call: Call) => Response | Promise<Response>;

/**
 * A fetch that answers scripted responses in order. Call it inside a test: when the test ends,
 * an unexpected request or an answer never asked for fails it.
 */
export function scripted(...answers: Answer[]): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  let unexpected = 0;
  const fetch: FetchLike = async (input, init = {}) => {
    const call = { url: String(input), init };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) {
      unexpected++;
      throw new Error(`unexpected request ${call.url}`);
    }
    return answer(call);
  };
  onTestFinished(() => {
    expect(unexpected, 'unexpected requests').toBe(0);
    expect(answers, 'expected requests never made').toHaveLength(0);
  });
  return { fetch, calls };
}

/** A JSON answer (a string body is sent as is). */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Answer {
  return () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
}

/** fetch's own failure (`TypeError: fetch failed`) with this cause, e.g. `read ECONNRESET`. */
export function fetchFailed(cause: string): Answer {
  return () => {
    throw new TypeError('fetch failed', { cause: new Error(cause) });
  };
}

/** A 10 MB JSON body. */
export const hugeBody: Answer = () =>
  new Response('x'.repeat(10 * 1024 * 1024), {
    headers: { 'content-type': 'application/json' },
  });

/** A server that never answers: the request only ends when its signal aborts it. */
export const neverAnswers: Answer = ({ init }) =>
  new Promise<Response>((_resolve, reject) => {
    init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
  });

/** `ctx(fetch, timeoutMs?)`: flow contexts on a fixed clock. */
export function contextAt(now: number) {
  return (fetch: FetchLike, timeoutMs = 5_000): FlowContext => ({
    fetch,
    now: () => now,
    timeoutMs,
  });
}

/** The LatchkeyError `fn` throws. */
export function caught(fn: () => unknown): LatchkeyError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

/** The LatchkeyError `promise` rejects with. */
export async function rejected(promise: Promise<unknown>): Promise<LatchkeyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('did not reject');
}
