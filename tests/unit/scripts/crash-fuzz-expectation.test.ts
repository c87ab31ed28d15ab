/**
 * The crash fuzz's checks (scripts/crash-fuzz/expectation.ts) on hand-made snapshots: each kind
 * of loss the fuzz exists to catch is reported, and what an unacknowledged operation may have
 * changed is not.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINTS_REQUIRED,
  Expectation,
  STRAY_FILES_FAIL,
  sha256,
  type InFlight,
} from '../../../scripts/crash-fuzz/expectation';
import type { ConversationSnapshot, Snapshot } from '../../../scripts/crash-fuzz/protocol';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';

function snapshot(conversations: ConversationSnapshot[], more: Partial<Snapshot> = {}): Snapshot {
  return {
    signedIn: true,
    keyHash: 'key',
    conversations,
    files: ['conversations/index.json'],
    notices: [],
    ...more,
  };
}

function message(id: string, content: string, status = 'complete') {
  return { id, role: 'user' as const, status, hash: sha256(content), length: content.length };
}

/** A with one acknowledged message and title, B acknowledged as created. */
function expectation(): Expectation {
  const e = new Expectation();
  e.keyHash = 'key';
  e.created(A, '');
  e.messageStored(A, 'm1', 'héllo 🙂');
  e.titled(A, 'Greeting');
  e.created(B, '');
  return e;
}

const intact = () =>
  snapshot([
    { id: A, title: 'Greeting', messages: [message('m1', 'héllo 🙂')] },
    { id: B, title: '', messages: [] },
  ]);

describe('Expectation.check', () => {
  it('passes a snapshot that kept everything', () => {
    expect(expectation().check(intact(), null, 0)).toEqual([]);
  });

  it('reports a lost or changed message, a vanished conversation, a lost title', () => {
    const e = expectation();
    const problems = e.check(
      snapshot([{ id: A, title: 'Other', messages: [message('m1', 'héllo 🙂 ')] }]),
      null,
      0,
    );
    expect(problems).toEqual([
      `conversation ${A}: title "Other", acknowledged "Greeting"`,
      `message m1 of ${A} changed`,
      `conversation ${B} vanished`,
    ]);
    expect(e.check(snapshot([{ id: A, title: 'Greeting', messages: [] }]), null, 0)).toContain(
      `message m1 of ${A} lost`,
    );
  });

  it('reports signed-out or another key, stray temp files and corrupt-store notices', () => {
    expect(expectation().check({ ...intact(), signedIn: false }, null, 0)).toEqual([
      'signed out after the restart',
    ]);
    expect(expectation().check({ ...intact(), keyHash: 'other' }, null, 0)).toEqual([
      'a different key after restart',
    ]);
    const files = ['conversations/index.json.tmp-1234567890abcdef', `conversations/${A}.json`];
    const stray = expectation();
    expect(stray.check({ ...intact(), files }, null, 0)).toEqual(
      STRAY_FILES_FAIL ? ['stray file conversations/index.json.tmp-1234567890abcdef'] : [],
    );
    expect(stray.stats.strayFiles).toEqual(['conversations/index.json.tmp-1234567890abcdef']);
    const notices = ['STORE_CORRUPT_MOVED'];
    expect(expectation().check({ ...intact(), notices }, null, 0)).toEqual([
      'notice at start: STORE_CORRUPT_MOVED',
    ]);
  });

  it('lets an unacknowledged rename or delete land either way; a deleted one must stay gone', () => {
    const e = expectation();
    e.titlePending(A);
    e.deletePending(B);
    const renamed = snapshot([{ id: A, title: 'New', messages: [message('m1', 'héllo 🙂')] }]);
    expect(e.check(renamed, null, 0)).toEqual([]);

    const d = expectation();
    d.deleted(B);
    expect(d.check(intact(), null, 0)).toEqual([`conversation ${B} came back after its delete`]);
  });

  it('checks a killed answer: there, incomplete, a prefix of what streamed; counts what was lost', () => {
    const text = 'x'.repeat(1000);
    const inFlight: InFlight = {
      conversationId: A,
      messageId: 'a1',
      text,
      deltas: [
        { at: 1000, chars: 400 },
        { at: 2500, chars: 900 },
      ],
    };
    const withAnswer = (content: string, status: string) =>
      snapshot([
        {
          id: A,
          title: 'Greeting',
          messages: [message('m1', 'héllo 🙂'), message('a1', content, status)],
        },
        { id: B, title: '', messages: [] },
      ]);
    const e = expectation();
    expect(e.check(withAnswer(text.slice(0, 400), 'incomplete'), inFlight, 3000)).toEqual([]);
    expect(e.stats).toMatchObject({ inFlightKills: 1, keptBytes: 400, lostBytes: 500 });
    expect(e.stats.lostBeyondWindowBytes).toBe(0);

    const lost = expectation();
    const problems = lost.check(withAnswer('', 'incomplete'), inFlight, 3000);
    expect(lost.stats.lostBeyondWindowBytes).toBe(400);
    expect(problems).toEqual(
      CHECKPOINTS_REQUIRED
        ? ['answer a1: lost 400 bytes streamed over a second before the kill']
        : [],
    );

    expect(
      expectation().check(withAnswer(text.slice(0, 399) + 'y', 'incomplete'), inFlight, 3000),
    ).toEqual(['answer a1: stored text is not what streamed']);
    expect(
      expectation().check(withAnswer(text.slice(0, 400), 'streaming'), inFlight, 3000),
    ).toEqual(['answer a1: status streaming']);
    expect(expectation().check(withAnswer(text, 'complete'), inFlight, 3000)).toEqual([]);
  });
});
