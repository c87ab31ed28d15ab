/**
 * The parent side of the boot test: starts `out/main/index.js` in a child Node process with the
 * Electron double (electron-double.ts) and talks to it over the child's IPC channel. The child
 * runs `node --import register-electron-double.mjs out/main/index.js [argv…]` with its own temp
 * HOME and XDG folders, so nothing touches the real user's configuration; `process.exit` and
 * `app.quit()` end only the child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { InvokeChannel, RequestOf, ResponseOf, Result } from '../../preload/api';
import type {
  CallRecord,
  ChildMessage,
  Command,
  DoubleConfig,
  DoublePlatform,
  DoubleState,
  SafeStorageMode,
  SenderKind,
} from './double-protocol';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The bundle under test. `LATCHKEY_BOOT_BUNDLE` names another file in out/main (so its relative
 * paths to out/preload and out/renderer still hold), e.g. a deliberately broken copy, to check
 * that the suite notices.
 */
export const MAIN_BUNDLE = join(
  ROOT,
  'out',
  'main',
  process.env['LATCHKEY_BOOT_BUNDLE'] ?? 'index.js',
);
const HERE = fileURLToPath(new URL('.', import.meta.url));
const REGISTER = join(HERE, 'register-electron-double.mjs');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  productName: string;
  version: string;
};

/** How long a wait for something the app should do promptly may take before it fails. */
export const WAIT_MS = 10_000;

let compiled: Promise<string> | null = null;

/**
 * The double as JavaScript, compiled once per content (cached in the temp dir), so children
 * start without a TypeScript loader (tsx adds 1–3 s per start on a busy machine).
 */
function compiledDouble(): Promise<string> {
  compiled ??= (async () => {
    const names = ['electron-double', 'double-cipher'];
    const sources = names.map((name) => readFileSync(join(HERE, `${name}.ts`), 'utf8'));
    const hash = createHash('sha256');
    for (const source of sources) hash.update(source).update('\0');
    const dir = join(tmpdir(), `latchkey-boot-double-${hash.digest('hex').slice(0, 16)}`);
    const entry = join(dir, 'electron-double.mjs');
    if (!existsSync(entry)) {
      // Loaded only on a cache miss: importing vite costs most of a second per test file.
      const { transformWithOxc } = await import('vite');
      mkdirSync(dir, { recursive: true });
      // The entry is written last, by rename: once it exists, the folder is complete.
      for (const [index, name] of [...names.entries()].reverse()) {
        const { code } = await transformWithOxc(sources[index]!, `${name}.ts`, { lang: 'ts' });
        const file = join(dir, `${name}.mjs`);
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(
          temp,
          code.replace(/from (['"])\.\/double-cipher\1/g, "from './double-cipher.mjs'"),
        );
        renameSync(temp, file);
      }
    }
    return pathToFileURL(entry).href;
  })();
  return compiled;
}

/** How to start the app. */
export interface BootOptions {
  readonly platform?: DoublePlatform;
  readonly isPackaged?: boolean;
  readonly singleInstanceLock?: boolean;
  readonly protocolClientResult?: boolean;
  readonly safeStorage?: SafeStorageMode;
  /** Arguments after the script, as the OS passes them (a cold-start link, switches). */
  readonly argv?: readonly string[];
  /** Added to the child's (otherwise minimal) environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The user's home; default a new temp dir, removed by {@link BootedApp.close}. */
  readonly home?: string;
  /** What the save dialog answers: a path, or null for Cancel (the default). */
  readonly saveDialogPath?: string | null;
}

/** A running (or ended) child. */
export class BootedApp {
  readonly records: CallRecord[] = [];
  readonly config: DoubleConfig;
  readonly home: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly ownsHome: boolean;
  private readonly replies = new Map<number, (message: ChildMessage) => void>();
  private readonly watchers = new Set<() => void>();
  private nextId = 0;
  private stderrText = '';
  private stdoutText = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(child: ChildProcess, config: DoubleConfig, ownsHome: boolean) {
    this.child = child;
    this.config = config;
    this.home = config.home;
    this.ownsHome = ownsHome;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString();
    });
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'record') this.records.push(message.record);
      else this.replies.get(message.id)?.(message);
      for (const watcher of [...this.watchers]) watcher();
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        for (const [id, reply] of this.replies) {
          reply({ kind: 'reply', id, ok: false, error: `the app exited (${code ?? signal})` });
        }
        for (const watcher of [...this.watchers]) watcher();
        resolve(this.exitInfo);
      });
    });
  }

  /** Everything the child wrote to stderr (the app's JSON log lines, crashes). */
  get stderr(): string {
    return this.stderrText;
  }

  /** Everything the child wrote to stdout. */
  get stdout(): string {
    return this.stdoutText;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Records of one API, oldest first. */
  calls(api: string, predicate: (record: CallRecord) => boolean = () => true): CallRecord[] {
    return this.records.filter((r) => r.api === api && predicate(r));
  }

  /** The app's log lines (JSON on stderr), each with the seq of its record. */
  logEvents(): { seq: number; event: string; fields: Record<string, unknown> }[] {
    const events: { seq: number; event: string; fields: Record<string, unknown> }[] = [];
    for (const record of this.calls('stderr')) {
      for (const line of String(record.data['text']).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const fields = JSON.parse(line) as Record<string, unknown>;
          events.push({ seq: record.seq, event: String(fields['event']), fields });
        } catch {
          // not a log line
        }
      }
    }
    return events;
  }

  /** Resolves when `condition` holds (checked on every message from the child and every 20 ms). */
  async until<T>(
    condition: () => T | undefined | null | false,
    description: string,
    timeoutMs = WAIT_MS,
  ): Promise<T> {
    const now = condition();
    if (now) return now;
    return new Promise<T>((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.watchers.delete(check);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out waiting for ${description}\n${this.diagnostics()}`));
      }, timeoutMs);
      const check = () => {
        const value = condition();
        if (value) {
          stop();
          resolve(value);
        } else if (!this.running) {
          stop();
          reject(
            new Error(`the app exited while waiting for ${description}\n${this.diagnostics()}`),
          );
        }
      };
      // On every message from the child, and on a short poll for conditions outside it (files,
      // the emulator's records).
      this.watchers.add(check);
      const poll = setInterval(check, 20);
    });
  }

  /** Resolves with the first record of `api` matching `predicate`, waiting for it if needed. */
  waitFor(
    api: string,
    predicate: (record: CallRecord) => boolean = () => true,
    timeoutMs = WAIT_MS,
  ): Promise<CallRecord> {
    return this.until(() => this.calls(api, predicate)[0], `a ${api} record`, timeoutMs);
  }

  /** Sends a command and resolves with its answer (rejects with the child's error). */
  send(command: Command): Promise<unknown> {
    if (!this.running)
      return Promise.reject(new Error(`the app has exited\n${this.diagnostics()}`));
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.replies.set(id, (message) => {
        this.replies.delete(id);
        if (message.kind !== 'reply') return;
        if (message.ok) resolve(message.value);
        else reject(new Error(`${command.cmd}: ${message.error}\n${this.diagnostics()}`));
      });
      this.child.send({ id, ...command });
    });
  }

  /** Resolves with the exit once the child has ended; fails after `timeoutMs`. */
  async waitForExit(
    timeoutMs = WAIT_MS,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the app did not exit\n${this.diagnostics()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Emits `will-finish-launching` and `ready`. */
  async ready(): Promise<void> {
    await this.send({ cmd: 'ready' });
  }

  /** The id of the first window the app created, once it has. */
  async mainWindow(): Promise<number> {
    const created = await this.waitFor('BrowserWindow.new');
    return created.data['id'] as number;
  }

  /** The page of the window finished loading (`did-finish-load`, then `ready-to-show`). */
  async finishLoad(windowId?: number): Promise<void> {
    await this.send({ cmd: 'finish-load', windowId: windowId ?? (await this.mainWindow()) });
  }

  /** Invokes an IPC channel as the renderer would (or as a forged sender). */
  async invoke<C extends InvokeChannel>(
    channel: C,
    request: RequestOf<C>,
    sender: SenderKind = 'window',
  ): Promise<Result<ResponseOf<C>>> {
    return (await this.send({ cmd: 'invoke', channel, request, sender })) as Result<ResponseOf<C>>;
  }

  /** Like {@link invoke}, for a call that must succeed: its value. */
  async call<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    const result = await this.invoke(channel, request);
    if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`);
    return result.value;
  }

  /** Emits an `app` event (an Event first, then `args`); says whether it was prevented. */
  async appEmit(event: string, ...args: unknown[]): Promise<{ defaultPrevented: boolean }> {
    return (await this.send({ cmd: 'app-emit', event, args })) as { defaultPrevented: boolean };
  }

  async state(): Promise<DoubleState> {
    return (await this.send({ cmd: 'state' })) as DoubleState;
  }

  /** Events sent to a window (`webContents.send`), optionally of one channel. */
  sent(channel?: string): CallRecord[] {
    return this.calls(
      'webContents.send',
      (r) => channel === undefined || r.data['channel'] === channel,
    );
  }

  /** The last records and stderr, for failure messages. */
  diagnostics(): string {
    const last = this.records
      .filter((r) => r.api !== 'stderr')
      .slice(-15)
      .map((r) => `  #${r.seq} ${r.api} ${JSON.stringify(r.data).slice(0, 160)}`);
    const exit = this.exitInfo ? `exited: ${JSON.stringify(this.exitInfo)}\n` : '';
    return `${exit}last records:\n${last.join('\n')}\nstderr (tail):\n${this.stderrText.slice(-1500)}`;
  }

  /** Ends the child (if still running) and removes its temp home. */
  async close(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    if (this.ownsHome) rmSync(this.home, { recursive: true, force: true });
  }
}

/** Starts the app; resolves once the child is running (before `ready`: see {@link BootedApp.ready}). */
export async function bootApp(options: BootOptions = {}): Promise<BootedApp> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'latchkey-boot-'));
  const config: DoubleConfig = {
    platform: options.platform ?? 'linux',
    isPackaged: options.isPackaged ?? false,
    singleInstanceLock: options.singleInstanceLock ?? true,
    protocolClientResult: options.protocolClientResult ?? true,
    safeStorage: options.safeStorage ?? 'gnome_libsecret',
    home,
    appPath: options.isPackaged
      ? join(home, 'opt', 'Latchkey', 'resources', 'app.asar')
      : ROOT.replace(/\/$/, ''),
    name: PACKAGE.productName,
    version: PACKAGE.version,
    preferredSystemLanguages: ['en-US'],
    saveDialogPath: options.saveDialogPath ?? null,
  };
  // A minimal environment: no DISPLAY, D-Bus or desktop session of the real user, and every
  // XDG folder inside the temp home (xdg-mime and friends write there, never to ~/.config).
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_DIRS: join(home, 'usr-share'),
    XDG_CONFIG_DIRS: join(home, 'etc-xdg'),
    LANG: 'C.UTF-8',
    LATCHKEY_LOCALE: 'en',
    ELECTRON_DOUBLE: JSON.stringify(config),
    ELECTRON_DOUBLE_MODULE: await compiledDouble(),
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(REGISTER).href, MAIN_BUNDLE, ...(options.argv ?? [])],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' },
  );
  return new BootedApp(child, config, options.home === undefined);
}

/**
 * Ends the apps and removes their homes; then fails if any of them used an Electron API the
 * double lacks (the double threw, and the app may have swallowed it).
 */
export async function closeApps(apps: readonly BootedApp[]): Promise<void> {
  const lacking = apps.flatMap((app) => app.calls('lacks').map((r) => String(r.data['api'])));
  await Promise.all(apps.map((app) => app.close()));
  if (lacking.length > 0) {
    throw new Error(
      `the app used Electron APIs the double lacks: ${[...new Set(lacking)].join(', ')}`,
    );
  }
}
