import { flushSync } from 'svelte';
import { vi } from 'vitest';
import { mulberry32 } from '../../../fixtures/seeded-random';
import { ChatStore, NEW_CHAT } from '../../../../renderer/lib/state/chat.svelte';
import { ScriptedMain, type Disk } from './scripted-main';

/**
 * Seeded schedules for the chat state: what the user does, what main does, and in which order
 * events and responses reach the renderer. A schedule is a list of steps; each step names an
 * action and a number that picks among what is possible at that moment (the `n`-th waiting
 * request, the `n`-th conversation in the sidebar…). A step with nothing to act on does nothing,
 * so any sub-list of a schedule is a schedule too: that is what shrinking relies on.
 */
export type Step =
  | { readonly do: 'type' | 'send' | 'stop' | 'regenerate' | 'new-chat' | 'restart' | 'crash' }
  | { readonly do: 'open' | 'delete' | 'rename' | 'edit'; readonly n: number }
  | { readonly do: 'handle' | 'piece' | 'finish' | 'response'; readonly n: number }
  | { readonly do: 'accept'; readonly n: number; readonly refuse: boolean }
  | { readonly do: 'event' | 'frame' | 'timers' };

type Weights = readonly (readonly [Step['do'], number])[];

/** How often each step is picked, per kind of schedule. */
export const PROFILES = {
  /** Chatting in a few conversations: sends, streams, stops, regenerations. */
  chatting: [
    ['type', 6],
    ['send', 8],
    ['stop', 2],
    ['regenerate', 2],
    ['edit', 2],
    ['new-chat', 3],
    ['open', 3],
    ['delete', 1],
    ['restart', 0.5],
    ['handle', 14],
    ['accept', 8],
    ['piece', 10],
    ['finish', 5],
    ['event', 18],
    ['response', 12],
    ['frame', 6],
    ['timers', 2],
  ],
  /** Moving around while answers stream: new chats, switching, deleting, restarting. */
  switching: [
    ['type', 5],
    ['send', 7],
    ['stop', 1],
    ['regenerate', 1],
    ['edit', 1],
    ['new-chat', 6],
    ['open', 8],
    ['delete', 3],
    ['rename', 2],
    ['restart', 1],
    ['crash', 0.7],
    ['handle', 14],
    ['accept', 8],
    ['piece', 6],
    ['finish', 4],
    ['event', 16],
    ['response', 12],
    ['frame', 5],
    ['timers', 2],
  ],
  /** Editing sent messages while answers stream, finish and arrive in any order. */
  editing: [
    ['type', 5],
    ['send', 7],
    ['stop', 1],
    ['regenerate', 1],
    ['edit', 8],
    ['new-chat', 1],
    ['open', 2],
    ['delete', 0.5],
    ['restart', 0.5],
    ['crash', 0.3],
    ['handle', 16],
    ['accept', 9],
    ['piece', 3],
    ['finish', 7],
    ['event', 20],
    ['response', 16],
    ['frame', 4],
    ['timers', 2],
  ],
} as const satisfies Record<string, Weights>;

/**
 * A lead-in that leaves an answer streaming: the app starts, the user sends, main handles
 * everything in order and the provider accepts. Random schedules alone seldom get there (a
 * first send takes some eight round trips), so half the seeded schedules start with it.
 */
export const STREAMING_START: readonly Step[] = [
  { do: 'type' },
  { do: 'send' },
  ...Array.from({ length: 10 }, () => [
    { do: 'handle', n: 0 } as const,
    { do: 'response', n: 0 } as const,
    { do: 'event' } as const,
  ]).flat(),
  { do: 'accept', n: 0, refuse: false },
];

export function generate(
  seed: number,
  length: number,
  weights: Weights = PROFILES.chatting,
): Step[] {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  const random = mulberry32(seed);
  const steps: Step[] = [];
  for (let i = 0; i < length; i++) {
    let pick = random() * total;
    let kind: Step['do'] = 'event';
    for (const [candidate, weight] of weights) {
      pick -= weight;
      if (pick < 0) {
        kind = candidate;
        break;
      }
    }
    const n = Math.floor(random() * 8);
    switch (kind) {
      case 'open':
      case 'delete':
      case 'rename':
      case 'edit':
      case 'handle':
      case 'piece':
      case 'finish':
      case 'response':
        steps.push({ do: kind, n });
        break;
      case 'accept':
        steps.push({ do: kind, n, refuse: random() < 0.2 });
        break;
      default:
        steps.push({ do: kind });
    }
  }
  return steps;
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'type':
      return 'user types';
    case 'send':
      return 'user presses Send';
    case 'stop':
      return 'user presses Stop';
    case 'regenerate':
      return 'user presses Regenerate';
    case 'new-chat':
      return 'user clicks New chat';
    case 'restart':
      return 'app quits and starts again';
    case 'crash':
      return 'app is killed and starts again';
    case 'open':
      return `user opens sidebar item ${step.n}`;
    case 'delete':
      return `user deletes sidebar item ${step.n}`;
    case 'rename':
      return `user renames sidebar item ${step.n}`;
    case 'edit':
      return `user edits their message ${step.n} and presses Save and send`;
    case 'handle':
      return `main handles request ${step.n}`;
    case 'accept':
      return `provider ${step.refuse ? 'refuses' : 'accepts'} pending send ${step.n}`;
    case 'piece':
      return `stream ${step.n} sends a piece`;
    case 'finish':
      return `stream ${step.n} finishes`;
    case 'response':
      return `response ${step.n} arrives`;
    case 'event':
      return 'next event arrives';
    case 'frame':
      return 'animation frame';
    case 'timers':
      return 'draft-save timer fires';
  }
}

/** Lets every promise continuation that can run now run. */
async function ticks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

/** The renderer's chat state driven against a scripted main. */
export class Run {
  main: ScriptedMain;
  store: ChatStore;
  readonly #frames = new Map<number, FrameRequestCallback>();
  #frameIds = 0;
  #stopStore: () => void;
  /** Words typed so far; each must end up exactly once in a sent message or a draft. */
  readonly #typed: string[] = [];
  /** Words that may be gone: typed into a chat that was deleted, or unsaved at a quit. */
  readonly #mayBeGone = new Set<string>();
  /** The chat each word was typed into (a new chat's words move to the conversation it makes). */
  readonly #typedInto = new Map<string, string>();
  #titles = 0;
  #edits = 0;

  constructor() {
    globalThis.requestAnimationFrame = (callback) => {
      const id = ++this.#frameIds;
      this.#frames.set(id, callback);
      return id;
    };
    globalThis.cancelAnimationFrame = (id) => void this.#frames.delete(id);
    this.main = new ScriptedMain();
    ({ store: this.store, stop: this.#stopStore } = this.#startStore());
  }

  #startStore(): { store: ChatStore; stop: () => void } {
    const store = new ChatStore(this.main.api, () => ['openrouter']);
    const stop = store.start();
    flushSync();
    return { store, stop };
  }

  dispose(): void {
    this.#stopStore();
  }

  async step(step: Step): Promise<void> {
    const { main, store } = this;
    switch (step.do) {
      case 'type': {
        const word = `w${this.#typed.length}`;
        this.#typed.push(word);
        this.#typedInto.set(word, store.activeKey);
        store.draft = store.draft === '' ? word : `${store.draft} ${word}`;
        break;
      }
      case 'send':
        if (!store.streaming && store.draft.trim() !== '') void store.send();
        break;
      case 'stop':
        if (store.streaming) void store.stop();
        break;
      case 'regenerate':
        if (store.regenerable !== null) void store.regenerate();
        break;
      case 'new-chat':
        store.newChat();
        break;
      case 'open': {
        const item = store.conversations[step.n % Math.max(1, store.conversations.length)];
        if (item) void store.open(item.id);
        break;
      }
      case 'delete': {
        const item = store.conversations[step.n % Math.max(1, store.conversations.length)];
        if (item) {
          for (const [word, key] of this.#typedInto) {
            if (key === item.id || key === NEW_CHAT) this.#mayBeGone.add(word);
          }
          void store.remove(item.id);
        }
        break;
      }
      case 'rename': {
        const item = store.conversations[step.n % Math.max(1, store.conversations.length)];
        if (item) void store.rename(item.id, `title ${++this.#titles}`);
        break;
      }
      case 'edit': {
        const view = store.view;
        if (!view || store.viewState !== 'ready' || store.streaming) break;
        const mine = view.entries.filter((entry) => entry.role === 'user' && !entry.optimistic);
        const target = mine[step.n % Math.max(1, mine.length)];
        if (!target) break;
        // What the edit replaces may go: the edited message and every one after it. The new
        // text is not typed into a draft, so it is not counted.
        for (const entry of view.entries.slice(view.entries.indexOf(target))) {
          for (const word of entry.content.split(/\s+/)) this.#mayBeGone.add(word);
        }
        void store.edit(target.id, `e${++this.#edits}`);
        break;
      }
      case 'restart':
        await this.restart();
        break;
      case 'crash':
        this.crash();
        break;
      case 'handle':
        main.handle(step.n);
        break;
      case 'accept':
        main.accept(step.n, step.refuse);
        break;
      case 'piece':
        main.piece(step.n);
        break;
      case 'finish':
        main.finish(step.n);
        break;
      case 'event':
        main.deliverEvent();
        break;
      case 'response':
        main.deliverResponse(step.n);
        break;
      case 'frame':
        this.#frame();
        break;
      case 'timers':
        vi.runOnlyPendingTimers();
        break;
    }
    await ticks();
  }

  /**
   * Before a schedule: `turns` messages typed, sent and answered in one chat, everything
   * delivered (schedules that edit start with a history to edit).
   */
  async chat(turns: number): Promise<void> {
    for (let turn = 0; turn < turns; turn++) {
      await this.step({ do: 'type' });
      await this.step({ do: 'send' });
      await this.settle();
    }
  }

  /**
   * The app quits the way it does when the window closes: the renderer saves its draft, main
   * handles what it was sent and stops its streams; then both start again from what is on disk.
   */
  async restart(): Promise<void> {
    this.#stopStore();
    await ticks();
    while (this.main.handle(0) !== null) await ticks();
    const disk: Disk = this.main.quit();
    // What was typed and saved (a draft, the new chat's included, or a sent message) must come
    // back; words not yet saved (typed just before, or in a send the provider had not accepted)
    // may be gone.
    const kept = new Set(
      [
        disk.newChatDraft,
        ...[...disk.conversations.values()].flatMap((c) => [
          c.draft,
          ...c.messages.filter((m) => m.role === 'user').map((m) => m.content),
        ]),
      ].flatMap((text) => text.split(/\s+/)),
    );
    for (const word of this.#typed) if (!kept.has(word)) this.#mayBeGone.add(word);
    this.main = new ScriptedMain(disk, this.main.ids);
    ({ store: this.store, stop: this.#stopStore } = this.#startStore());
  }

  /** Main is killed: nothing more is handled or delivered, and both start from the disk. */
  crash(): void {
    this.#stopStore();
    const disk = this.main.crash();
    for (const word of this.#typed) this.#mayBeGone.add(word);
    this.main = new ScriptedMain(disk, this.main.ids);
    this.#frames.clear();
    vi.clearAllTimers();
    ({ store: this.store, stop: this.#stopStore } = this.#startStore());
  }

  #frame(): void {
    const frames = [...this.#frames.values()];
    this.#frames.clear();
    for (const callback of frames) callback(0);
    this.#midStream ??= this.#compareStreaming();
  }

  /** The first mismatch seen while answers streamed (checked after each frame). */
  #midStream: string | null = null;

  /**
   * While an answer streams, what it shows at revision `r` — its reasoning and its text — is
   * exactly what main had sent by then: pieces apply under one seq, whatever they carry.
   */
  #compareStreaming(): string | null {
    const { store } = this;
    for (const entry of store.view?.entries ?? []) {
      if (!entry.streaming || entry.role !== 'assistant') continue;
      const sent = this.main.streamedAt(entry.id, entry.revision);
      if (!sent) continue;
      if (entry.reasoning !== sent.reasoning || entry.content !== sent.content) {
        return `${entry.id} at revision ${entry.revision} shows ${JSON.stringify([entry.reasoning, entry.content])}, main sent ${JSON.stringify([sent.reasoning, sent.content])}`;
      }
    }
    return null;
  }

  /**
   * Lets everything finish, in rounds: main handles every request, the provider accepts every
   * send, every stream ends, then every event and every response is delivered (events first),
   * frames and timers run, and promise continuations run; until nothing is left.
   */
  async settle(): Promise<void> {
    for (let round = 0; round < 500; round++) {
      const { main } = this;
      let progressed = false;
      while (main.handle(0) !== null) progressed = true;
      while (main.accept(0, false) !== null) progressed = true;
      while (main.finish(0) !== null) progressed = true;
      while (main.deliverEvent() !== null) progressed = true;
      while (main.deliverResponse(0) !== null) progressed = true;
      if (this.#frames.size > 0) {
        this.#frame();
        progressed = true;
      }
      if (vi.getTimerCount() > 0) {
        vi.runOnlyPendingTimers();
        progressed = true;
      }
      await ticks();
      if (!progressed) {
        flushSync();
        for (let i = 0; i < 20; i++) await Promise.resolve();
        if (main.idle && this.#frames.size === 0 && vi.getTimerCount() === 0) return;
      }
    }
    const { main } = this;
    throw new Error(
      `the schedule did not settle: ${main.requests.length} requests, ${main.responses.length} responses, ${main.events.length} events, ${main.streaming} streams, ${main.connecting} connecting, ${this.#frames.size} frames, ${vi.getTimerCount()} timers`,
    );
  }

  /**
   * Compares the renderer with main once all is delivered. Returns what differs, or null.
   * Opens every conversation in turn, as a user checking each chat would.
   */
  async check(): Promise<string | null> {
    if (this.#midStream) return this.#midStream;
    await this.settle();
    const { main, store } = this;
    store.saveDraft();
    await this.settle();
    const current = store.activeId;
    const drafts = new Map<string, string>();
    for (const item of main.list()) {
      void store.open(item.id);
      await this.settle();
      const problem = this.#compareOpen(item.id);
      if (problem) return problem;
      drafts.set(item.id, store.draft);
      const stored = main.conversation(item.id)?.draft ?? '';
      if (store.draft !== stored) {
        return `${item.id}: the draft is "${store.draft}", main saved "${stored}"`;
      }
    }
    store.newChat();
    drafts.set(NEW_CHAT, store.draft);
    if (store.draft !== main.newChatDraft) {
      return `the new chat's draft is "${store.draft}", main saved "${main.newChatDraft}"`;
    }
    const truth = main.list();
    const shown = store.conversations;
    const ids = (list: readonly { id: string }[]) => list.map((item) => item.id).join(',');
    if (ids(truth) !== ids(shown)) {
      return `sidebar lists [${ids(shown)}], main has [${ids(truth)}]`;
    }
    for (const [index, item] of shown.entries()) {
      const real = truth[index];
      if (real && (item.title !== real.title || item.streaming !== real.streaming)) {
        return `sidebar item ${item.id}: ${JSON.stringify([item.title, item.streaming])}, main: ${JSON.stringify([real.title, real.streaming])}`;
      }
    }
    if (current !== null && truth.some((item) => item.id === current)) void store.open(current);
    return this.#checkWords(drafts);
  }

  #compareOpen(id: string): string | null {
    const { main, store } = this;
    const real = main.conversation(id);
    if (!real) return null;
    if (store.viewState !== 'ready' || !store.view) return `${id}: not shown (${store.viewState})`;
    // Reasoning converges like the answer text: same pieces, same revisions.
    const shown = store.view.entries.map(
      (entry) =>
        `${entry.role}:${entry.message.status}:${entry.reasoning.trim()}:${entry.content.trim()}`,
    );
    const truth = real.messages.map(
      (m) => `${m.role}:${m.status}:${(m.reasoning ?? '').trim()}:${m.content.trim()}`,
    );
    if (shown.join(' | ') !== truth.join(' | ')) {
      return `${id} shows [${shown.join(' | ')}], main has [${truth.join(' | ')}]`;
    }
    if (store.streaming) return `${id}: "Stop" is shown, but nothing streams`;
    return null;
  }

  #checkWords(drafts: ReadonlyMap<string, string>): string | null {
    const places: string[] = [...drafts.values()];
    for (const item of this.main.list()) {
      for (const m of this.main.conversation(item.id)?.messages ?? []) {
        if (m.role === 'user') places.push(m.content);
      }
    }
    const counts = new Map<string, number>();
    for (const place of places) {
      for (const word of place.split(/\s+/)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    for (const word of this.#typed) {
      const count = counts.get(word) ?? 0;
      if (count > 1) return `typed text "${word}" is there ${count} times`;
      if (count === 0 && !this.#mayBeGone.has(word)) return `typed text "${word}" was lost`;
    }
    return null;
  }
}

/** Runs a schedule from a fresh start; the mismatch found at the end, or null. */
export async function runSchedule(steps: readonly Step[], history = 0): Promise<string | null> {
  const run = new Run();
  try {
    await run.chat(history);
    for (const step of steps) await run.step(step);
    return await run.check();
  } catch (error) {
    return `threw: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    run.dispose();
  }
}

/**
 * The shortest sub-schedule that still fails the same way (`same`): drops ever smaller chunks of steps
 * while the failure remains (delta debugging, ddmin's complement pass).
 */
export async function shrink(
  steps: readonly Step[],
  same: (failure: string) => boolean = () => true,
  history = 0,
): Promise<{ steps: Step[]; failure: string }> {
  let current = [...steps];
  let failure = (await runSchedule(current, history)) ?? '';
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1;) {
    let removed = false;
    for (let start = 0; start < current.length;) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      const result = await runSchedule(candidate, history);
      if (result !== null && same(result)) {
        current = candidate;
        failure = result;
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  // Then the simplest choices: the first waiting request, stream, response…
  for (const [index, step] of current.entries()) {
    if (!('n' in step) || step.n === 0) continue;
    const candidate = current.with(index, { ...step, n: 0 });
    const result = await runSchedule(candidate, history);
    if (result !== null && same(result)) {
      current = candidate;
      failure = result;
    }
  }
  return { steps: current, failure };
}
