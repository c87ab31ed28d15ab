import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Acknowledged, Command, Report, Snapshot } from './protocol';

/** Distributes `Omit` over a union, so each command keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** A restart slower than this counts as failed. */
const READY_TIMEOUT_MS = 30_000;

/** The answer to one command: acknowledged, refused with an error code, or cut off by the kill. */
export type Outcome =
  | { readonly kind: 'ok'; readonly result: Acknowledged }
  | { readonly kind: 'error'; readonly code: string }
  | { readonly kind: 'killed' };

/** Streaming events, with the time (performance.now, in the parent) each line arrived. */
export interface ChildEvents {
  onDelta(messageId: string, chars: number, at: number): void;
  onDone(report: Extract<Report, { t: 'done' }>): void;
}

/** One run of the child process, from start to SIGKILL. */
export class FuzzChild {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (outcome: Outcome) => void>();
  readonly #closed: Promise<void>;
  #nextId = 1;
  #stderr = '';
  readonly ready: Promise<{ snapshot: Snapshot; startMs: number; wallMs: number }>;

  /** `script`: the bundled child (bundle-child.ts). */
  constructor(script: string, dataDir: string, emulatorUrl: string, events: ChildEvents) {
    const begun = performance.now();
    this.#child = spawn(
      process.execPath,
      [script, '--data-dir', dataDir, '--openrouter', emulatorUrl],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < 20_000) this.#stderr += chunk.toString();
    });
    this.#child.stdin?.on('error', () => undefined);
    if (!this.#child.stdout) throw new Error('the child has no stdout');
    const lines = createInterface({ input: this.#child.stdout });
    let resolveReady: (value: { snapshot: Snapshot; startMs: number; wallMs: number }) => void;
    let rejectReady: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    const timer = setTimeout(
      () => rejectReady(new Error(`the child did not start in ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    lines.on('line', (line) => {
      const at = performance.now();
      let report: Report;
      try {
        report = JSON.parse(line) as Report;
      } catch {
        return; // a line cut by the kill
      }
      if (report.t === 'ready') {
        clearTimeout(timer);
        resolveReady({ snapshot: report.snapshot, startMs: report.startMs, wallMs: at - begun });
      } else if (report.t === 'start-failed') {
        rejectReady(new Error(`the child failed to start: ${report.error}`));
      } else if (report.t === 'ok' || report.t === 'error') {
        const settle = this.#pending.get(report.id);
        this.#pending.delete(report.id);
        settle?.(
          report.t === 'ok'
            ? { kind: 'ok', result: report.result }
            : { kind: 'error', code: report.code },
        );
      } else if (report.t === 'delta') {
        events.onDelta(report.messageId, report.chars, at);
      } else {
        events.onDone(report);
      }
    });
    this.#closed = Promise.all([once(this.#child, 'exit'), once(lines, 'close')]).then(() => {
      clearTimeout(timer);
      rejectReady(new Error(`the child exited before it was ready:\n${this.#stderr}`));
      for (const settle of this.#pending.values()) settle({ kind: 'killed' });
      this.#pending.clear();
    });
  }

  /** Sends a command; resolves with its reply, or `killed` if none came before the child died. */
  send(command: WithoutId<Command>): Promise<Outcome> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#child.stdin?.write(`${JSON.stringify({ ...command, id })}\n`);
    });
  }

  stderr(): string {
    return this.#stderr;
  }

  /**
   * SIGKILL, then waits until the process is reaped and every line it wrote before dying has
   * been handled (replies that arrive then were still acknowledged before the kill).
   */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#closed;
  }
}
