import { createHash } from 'node:crypto';
import type { ConversationSnapshot, Snapshot } from './protocol';

/**
 * Whether a killed answer must keep all but its last second of text (partial-answer
 * checkpoints, issue 12; the chat service checkpoints since 2bd078f). While false, text lost
 * beyond that is counted and reported, not failed.
 */
export const CHECKPOINTS_REQUIRED = true;
/**
 * Whether temp files left by a killed write fail the run. Every store removes its own at open
 * (the conversation store its `<uuid>.json.tmp-…`, the JSON documents — credentials, settings,
 * models cache, conversation index — their `<name>.json.tmp-…`), so after a restart none may be
 * left.
 */
export const STRAY_FILES_FAIL = true;
/**
 * The most of an answer's streamed text a kill may lose: what was sent in its last second, plus
 * a quarter second for the checkpoint timer firing late and its write on a loaded machine.
 * Measured from when the parent read each delta, which is after the child had it.
 */
export const CHECKPOINT_WINDOW_MS = 1_000 + 250;

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** An answer streaming when the child was killed: its whole text, and what was sent when. */
export interface InFlight {
  readonly conversationId: string;
  readonly messageId: string;
  readonly text: string;
  readonly deltas: { at: number; chars: number }[];
}

interface ExpectedConversation {
  /** The title as last acknowledged; null when an unacknowledged change may have landed. */
  title: string | null;
  /** Messages that must be there, byte-equal (sha256 of their content). */
  readonly messages: Map<string, string>;
  /** A delete was sent and not acknowledged: the conversation may be gone. */
  deleting: boolean;
}

/** Counts for the summary line. */
export interface CheckStats {
  messagesChecked: number;
  inFlightKills: number;
  /** UTF-8 bytes of killed answers' streamed text found on disk after the restart… */
  keptBytes: number;
  /** …and streamed (sent to the page) but not found. */
  lostBytes: number;
  /** Bytes lost beyond the last second (failures once checkpoints are required). */
  lostBeyondWindowBytes: number;
  movedAside: number;
  /** Temp files found after a restart (each once). */
  readonly strayFiles: string[];
}

/**
 * What the parent knows to be on disk: everything acknowledged, minus what an unacknowledged
 * operation may have changed. After each restart it is checked against the child's snapshot and
 * then replaced by it (what was on disk then must stay there).
 */
export class Expectation {
  keyHash: string | null = null;
  readonly #conversations = new Map<string, ExpectedConversation>();
  readonly #deleted = new Set<string>();
  readonly stats: CheckStats = {
    messagesChecked: 0,
    inFlightKills: 0,
    keptBytes: 0,
    lostBytes: 0,
    lostBeyondWindowBytes: 0,
    movedAside: 0,
    strayFiles: [],
  };

  conversationIds(): string[] {
    return [...this.#conversations].filter(([, c]) => !c.deleting).map(([id]) => id);
  }

  messageCount(id: string): number {
    return this.#conversations.get(id)?.messages.size ?? 0;
  }

  created(id: string, title: string): void {
    this.#conversations.set(id, { title, messages: new Map(), deleting: false });
  }

  /** A title-changing operation was sent: until its reply, either title may be on disk. */
  titlePending(id: string): void {
    const c = this.#conversations.get(id);
    if (c) c.title = null;
  }

  titled(id: string, title: string): void {
    const c = this.#conversations.get(id);
    if (c) c.title = title;
  }

  messageStored(id: string, messageId: string, content: string): void {
    this.#conversations.get(id)?.messages.set(messageId, sha256(content));
  }

  deletePending(id: string): void {
    const c = this.#conversations.get(id);
    if (c) c.deleting = true;
  }

  deleted(id: string): void {
    this.#conversations.delete(id);
    this.#deleted.add(id);
  }

  /**
   * Checks a restarted child's snapshot; returns the problems found (empty: all kept). `killAt`
   * is when the kill was sent (performance.now in the parent).
   */
  check(snapshot: Snapshot, inFlight: InFlight | null, killAt: number): string[] {
    const problems: string[] = [];
    if (this.keyHash !== null) {
      if (!snapshot.signedIn) problems.push('signed out after the restart');
      else if (snapshot.keyHash !== this.keyHash) problems.push('a different key after restart');
    }
    const found = new Map(snapshot.conversations.map((c) => [c.id, c]));
    for (const [id, expected] of this.#conversations) {
      const actual = found.get(id);
      if (!actual) {
        if (!expected.deleting) problems.push(`conversation ${id} vanished`);
        continue;
      }
      if (expected.title !== null && actual.title !== expected.title) {
        problems.push(
          `conversation ${id}: title ${q(actual.title)}, acknowledged ${q(expected.title)}`,
        );
      }
      const messages = new Map(actual.messages.map((m) => [m.id, m]));
      for (const [messageId, hash] of expected.messages) {
        this.stats.messagesChecked += 1;
        const message = messages.get(messageId);
        if (!message) problems.push(`message ${messageId} of ${id} lost`);
        else if (message.hash !== hash) problems.push(`message ${messageId} of ${id} changed`);
      }
    }
    for (const id of this.#deleted) {
      if (found.has(id)) problems.push(`conversation ${id} came back after its delete`);
    }
    if (inFlight) problems.push(...this.#checkInFlight(found, inFlight, killAt));
    for (const file of snapshot.files) {
      if (/\.corrupt-/.test(file)) this.stats.movedAside += 1;
      else if (/\.tmp\b|\.tmp-|~$/.test(file) && !this.stats.strayFiles.includes(file)) {
        this.stats.strayFiles.push(file);
        if (STRAY_FILES_FAIL) problems.push(`stray file ${file}`);
      }
    }
    for (const notice of snapshot.notices) {
      if (notice.includes('CORRUPT')) problems.push(`notice at start: ${notice}`);
    }
    return problems;
  }

  #checkInFlight(
    found: Map<string, ConversationSnapshot>,
    inFlight: InFlight,
    killAt: number,
  ): string[] {
    const conversation = found.get(inFlight.conversationId);
    if (!conversation) return []; // its conversation's delete was in flight too
    const message = conversation.messages.find((m) => m.id === inFlight.messageId);
    const where = `answer ${inFlight.messageId}`;
    if (!message) return [`${where}: the streaming answer vanished`];
    if (message.status === 'complete' && message.hash === sha256(inFlight.text)) return [];
    const problems: string[] = [];
    if (message.status !== 'incomplete') problems.push(`${where}: status ${message.status}`);
    const kept = inFlight.text.slice(0, message.length);
    if (message.hash !== sha256(kept)) problems.push(`${where}: stored text is not what streamed`);
    const sent = inFlight.deltas.at(-1)?.chars ?? 0;
    const due = inFlight.deltas
      .filter((d) => d.at <= killAt - CHECKPOINT_WINDOW_MS)
      .reduce((most, d) => Math.max(most, d.chars), 0);
    this.stats.inFlightKills += 1;
    this.stats.keptBytes += bytes(kept);
    if (sent > message.length) {
      this.stats.lostBytes += bytes(inFlight.text.slice(message.length, sent));
    }
    if (due > message.length) {
      const beyond = bytes(inFlight.text.slice(message.length, due));
      this.stats.lostBeyondWindowBytes += beyond;
      if (CHECKPOINTS_REQUIRED) {
        problems.push(`${where}: lost ${beyond} bytes streamed over a second before the kill`);
      }
    }
    return problems;
  }

  /** After a check: what is on disk now is what must stay. */
  resync(snapshot: Snapshot): void {
    this.#conversations.clear();
    for (const c of snapshot.conversations) {
      this.#conversations.set(c.id, {
        title: c.title,
        messages: new Map(c.messages.map((m) => [m.id, m.hash])),
        deleting: false,
      });
    }
  }
}

const q = (text: string) => JSON.stringify(text);
