/**
 * The kill -9 fuzz (issue 12): the real services in a child process on one data dir, driven
 * with sends of answers of varying length and pace, renames, creates and deletes, SIGKILLed at
 * seeded random moments and restarted; after every restart the child's view of the disk is
 * checked against everything it had acknowledged (expectation.ts).
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32 } from '../../tests/fixtures/seeded-random';
import { startOpenRouterEmulator } from '../../tests/fixtures/openrouter-emulator';
import { bundleChild } from './bundle-child';
import { FuzzChild } from './child-process';
import {
  CHECKPOINTS_REQUIRED,
  STRAY_FILES_FAIL,
  Expectation,
  type InFlight,
  type CheckStats,
} from './expectation';
import { runWorkload, Streams } from './workload';

export interface FuzzOptions {
  readonly kills: number;
  readonly seed: number;
  /** Kill moments are drawn from [minKillMs, maxKillMs] after the child is ready. */
  readonly minKillMs?: number;
  readonly maxKillMs?: number;
  /** Longest answer, in characters (the vitest run keeps them short). */
  readonly maxAnswerChars?: number;
  /** Stop at the first restart with problems (the default) or go on counting them. */
  readonly keepGoing?: boolean;
  readonly log?: (line: string) => void;
}

export interface FuzzSummary extends CheckStats {
  readonly seed: number;
  readonly kills: number;
  /** Kills of a child still starting, besides `kills`. */
  readonly startupKills: number;
  readonly restarts: number;
  readonly operations: number;
  readonly answersCompleted: number;
  readonly elapsedMs: number;
  readonly medianStartMs: number;
  readonly problems: readonly string[];
  readonly checkpointsRequired: boolean;
  readonly strayFilesFail: boolean;
}

/** How often a restart is itself killed before (or just after) it is ready. */
const STARTUP_KILL_RATE = 0.1;
const IGNORE_EVENTS = { onDelta: () => undefined, onDone: () => undefined };

export async function runCrashFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const random = mulberry32(options.seed);
  const log = options.log ?? (() => undefined);
  const minKill = options.minKillMs ?? 150;
  const maxKill = options.maxKillMs ?? 2_500;
  const maxAnswer = options.maxAnswerChars ?? 40_000;
  const workDir = fs.mkdtempSync(path.join(tmpdir(), 'latchkey-crash-'));
  const dataDir = path.join(workDir, 'data');
  const script = await bundleChild(workDir);
  const emulator = await startOpenRouterEmulator();
  const expected = new Expectation();
  const problems: string[] = [];
  const starts: number[] = [];
  const begun = performance.now();
  let kills = 0;
  let startupKills = 0;
  let restarts = 0;
  let operations = 0;
  let answersCompleted = 0;
  let previousInFlight: InFlight | null = null;
  let previousKillAt = 0;

  try {
    for (let run = 0; run <= options.kills; run += 1) {
      if (run > 0 && random() < STARTUP_KILL_RATE) {
        // Killed again while it starts: opening, repairing or compacting its stores, the lock.
        const early = new FuzzChild(script, dataDir, emulator.url, IGNORE_EVENTS);
        await sleep(random() * (starts.at(-1) ?? 1_000));
        await early.kill();
        startupKills += 1;
      }
      const streams = new Streams(expected, problems);
      const child = new FuzzChild(script, dataDir, emulator.url, streams);
      let ready;
      try {
        ready = await child.ready;
      } catch (error) {
        problems.push(`restart ${run} failed: ${(error as Error).message}`);
        await child.kill();
        break;
      }
      if (run > 0) restarts += 1;
      starts.push(ready.wallMs);
      const found = expected.check(ready.snapshot, previousInFlight, previousKillAt);
      if (found.length > 0) {
        problems.push(...found.map((p) => `after kill ${run}: ${p}`));
        log(`seed ${options.seed}, after kill ${run}:\n  ${found.join('\n  ')}`);
        if (!options.keepGoing) {
          await child.kill();
          break;
        }
      }
      expected.resync(ready.snapshot);
      if (run === options.kills) {
        await child.kill();
        break;
      }

      if (expected.keyHash === null) {
        const signedIn = await child.send({ op: 'sign-in', emulatorUrl: emulator.url });
        if (signedIn.kind !== 'ok' || signedIn.result.op !== 'sign-in') {
          problems.push(`sign-in failed: ${JSON.stringify(signedIn)}`);
          await child.kill();
          break;
        }
        expected.keyHash = signedIn.result.keyHash;
      }

      let killed = false;
      const killAfter = minKill + random() * (maxKill - minKill);
      const workload = runWorkload({
        child,
        random,
        expected,
        streams,
        emulator,
        maxAnswer,
        problems,
        stopped: () => killed,
      });
      await sleep(killAfter);
      killed = true;
      previousKillAt = performance.now();
      await child.kill();
      kills += 1;
      operations += await workload;
      answersCompleted += streams.completed;
      previousInFlight = streams.inFlight;
      if (kills % 25 === 0) log(`${kills} kills, ${restarts} restarts`);
    }
  } finally {
    await emulator.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const sorted = [...starts].sort((a, b) => a - b);
  return {
    seed: options.seed,
    kills,
    startupKills,
    restarts,
    operations,
    answersCompleted,
    elapsedMs: performance.now() - begun,
    medianStartMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    problems,
    checkpointsRequired: CHECKPOINTS_REQUIRED,
    strayFilesFail: STRAY_FILES_FAIL,
    ...expected.stats,
  };
}

/** The one summary line both the CLI and the vitest wrapper print. */
export function summaryLine(s: FuzzSummary): string {
  const seconds = s.elapsedMs / 1000;
  return (
    `crash fuzz seed ${s.seed}: ${s.kills} kills (+${s.startupKills} while starting), ` +
    `${s.restarts} restarts, ${s.operations} operations, ` +
    `${s.messagesChecked} message checks, ${s.answersCompleted} answers completed, ` +
    `${s.inFlightKills} answers killed mid-stream: ${s.keptBytes} bytes kept, ${s.lostBytes} lost ` +
    `(${s.lostBeyondWindowBytes} beyond the last second, ` +
    `${s.checkpointsRequired ? 'required 0' : 'reported only'}), ` +
    `${s.movedAside} files moved aside, ${s.strayFiles.length} stray temp files` +
    `${s.strayFiles.length > 0 ? ` (${s.strayFiles.slice(0, 3).join(', ')}${s.strayFilesFail ? '' : '; reported only'})` : ''}, ` +
    `${s.problems.length} problems; ` +
    `${seconds.toFixed(1)} s, ${((s.kills + s.startupKills) / seconds).toFixed(2)} kills/s, ` +
    `median restart ${Math.round(s.medianStartMs)} ms`
  );
}
