// `npm start` on a machine without Electron's binary: the real scripts/start.mjs runs as a child
// process in a scratch project (a copy of scripts/ beside a fake node_modules/electron whose
// install.js the test writes), so the CLI path — download, build, launch — is what is checked.
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureElectron, runInstaller } from '../../../scripts/ensure-electron.mjs';

const SCRIPTS = resolve(import.meta.dirname, '../../../scripts');
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Electron's installer stand-ins (CommonJS, like the real install.js). */
const INSTALLERS = {
  // Does what install.js does on success: dist/<binary> plus path.txt naming it. The binary
  // records its working directory and arguments in node_modules/electron/launched.txt.
  succeeds: String.raw`
const fs = require('node:fs');
const path = require('node:path');
fs.writeFileSync(path.join(__dirname, 'installer-ran.json'),
  JSON.stringify({ argv: process.argv.slice(2), mirror: process.env.ELECTRON_MIRROR ?? null }));
console.log('stub installer: downloading');
fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true });
const bin = path.join(__dirname, 'dist', 'electron');
fs.writeFileSync(bin, '#!/bin/sh\n{ pwd -P; printf "%s\\n" "$@"; } > "$(dirname "$0")/../launched.txt"\n');
fs.chmodSync(bin, 0o755);
fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron');
`,
  hangs: String.raw`
require('node:fs').writeFileSync(require('node:path').join(__dirname, 'installer-ran.json'),
  JSON.stringify({ pid: process.pid }));
setTimeout(() => {}, 20_000);
`,
  fails: String.raw`
require('node:fs').writeFileSync(require('node:path').join(__dirname, 'installer-ran.json'), '{}');
console.error('TypeError: fetch failed (stub: getaddrinfo ENOTFOUND github.com)');
process.exit(1);
`,
};

type Electron = keyof typeof INSTALLERS | 'no installer' | 'no package';

/** A scratch project: scripts/, a package.json whose build writes built.txt, and `electron`. */
function project(electron: Electron): { dir: string; pkg: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'latchkey-start-')));
  scratch.push(dir);
  cpSync(SCRIPTS, join(dir, 'scripts'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'scratch',
      private: true,
      type: 'module',
      scripts: { build: 'node build.cjs' },
    }),
  );
  writeFileSync(
    join(dir, 'build.cjs'),
    "require('node:fs').writeFileSync('built.txt', 'built');\n",
  );
  const pkg = join(dir, 'node_modules', 'electron');
  if (electron !== 'no package') {
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'electron', version: '45.4.1', main: 'index.js' }),
    );
    // Requiring `electron` would download; start.mjs must never do it.
    writeFileSync(join(pkg, 'index.js'), "throw new Error('start.mjs required electron');\n");
    if (electron !== 'no installer') writeFileSync(join(pkg, 'install.js'), INSTALLERS[electron]);
  }
  return { dir, pkg };
}

/** Starts the project's scripts/start.mjs with exactly `env` (plus PATH and HOME for npm). */
function launch(dir: string, env: Record<string, string> = {}, args: string[] = []) {
  const child = spawn(process.execPath, [join(dir, 'scripts', 'start.mjs'), ...args], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? dir, ...env },
    timeout: 15_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    },
  );
  return { child, done };
}

const start = (...args: Parameters<typeof launch>) => launch(...args).done;

async function waitFor(file: string): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (existsSync(file)) return readFileSync(file, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} never appeared`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const STACK_LINE = /^\s+at /m;

describe.skipIf(process.platform === 'win32').concurrent('npm start (scripts/start.mjs)', () => {
  it("downloads Electron with Electron's installer, then builds and launches the app", async ({
    expect,
  }) => {
    const { dir, pkg } = project('succeeds');
    const run = await start(dir, { ELECTRON_MIRROR: 'http://mirror.invalid/electron/' }, [
      '--flag',
    ]);

    expect(run.stderr).toContain('downloading it with Electron');
    expect(run.stderr).toContain('from http://mirror.invalid/electron/');
    expect(run.stdout).toContain('stub installer: downloading'); // its output is not swallowed
    expect(run.stderr).toContain(`Electron installed: ${join(pkg, 'dist', 'electron')}`);
    expect(run.code).toBe(0);
    // The installer ran with the user's environment (mirror/proxy variables reach it).
    expect(JSON.parse(readFileSync(join(pkg, 'installer-ran.json'), 'utf8'))).toEqual({
      argv: [],
      mirror: 'http://mirror.invalid/electron/',
    });
    expect(readFileSync(join(dir, 'built.txt'), 'utf8')).toBe('built');
    expect(readFileSync(join(pkg, 'launched.txt'), 'utf8').split('\n')).toEqual([
      dir,
      '.',
      '--flag',
      '',
    ]);
  });

  it('says what to do when the download fails, exits 1, and never builds or launches', async ({
    expect,
  }) => {
    const { dir, pkg } = project('fails');
    const run = await start(dir);

    expect(run.code).toBe(1);
    expect(existsSync(join(pkg, 'installer-ran.json'))).toBe(true);
    expect(run.stderr).toContain('TypeError: fetch failed (stub'); // the installer's own error
    expect(run.stderr).toContain("Latchkey cannot start: Electron's installer failed (exit code 1");
    for (const advice of [
      'npx --no install-electron',
      'ELECTRON_GET_USE_PROXY=true HTTPS_PROXY=',
      'ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/',
      'electron_config_cache=',
      'ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-v45-linux-x64 npm start',
      'npm run harness',
    ]) {
      expect(run.stderr).toContain(advice);
    }
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(dir, 'built.txt'))).toBe(false);
    expect(existsSync(join(pkg, 'launched.txt'))).toBe(false);
  });

  it('stops the download when it is stopped', async ({ expect }) => {
    const { dir, pkg } = project('hangs');
    const { child, done } = launch(dir);
    const marker = join(pkg, 'installer-ran.json');
    const { pid } = JSON.parse(await waitFor(marker)) as { pid: number };
    child.kill('SIGTERM'); // to npm start only, as a supervisor would
    const run = await done;

    expect(isRunning(pid)).toBe(false);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the Electron download was stopped (SIGTERM)');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("says what to do when Electron's installer is missing", async ({ expect }) => {
    const { dir, pkg } = project('no installer');
    const run = await start(dir);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`installer (${join(pkg, 'install.js')}) is missing`);
    expect(run.stderr).toContain('rm -rf node_modules/electron && npm install');
    expect(run.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH=');
    expect(run.stderr).toContain('npm run harness');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('does not download when ELECTRON_OVERRIDE_DIST_PATH names a missing directory', async ({
    expect,
  }) => {
    const { dir, pkg } = project('succeeds');
    const missing = join(dir, 'no-such-electron');
    const run = await start(dir, { ELECTRON_OVERRIDE_DIST_PATH: missing });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `Latchkey cannot start: ELECTRON_OVERRIDE_DIST_PATH is set but ${join(missing, 'electron')} does not exist.`,
    );
    expect(run.stderr).toContain('Nothing was downloaded');
    expect(existsSync(join(pkg, 'installer-ran.json'))).toBe(false);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it('asks for npm install when the electron package is not installed', async ({ expect }) => {
    const { dir } = project('no package');
    const run = await start(dir);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Latchkey cannot start: the electron package is not installed.');
    expect(run.stderr).toContain('Run npm install first');
    expect(run.stderr).not.toContain('downloading');
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});

describe('ensureElectron', () => {
  it('uses an installed binary without running the installer', async () => {
    const { pkg } = project('succeeds');
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    let ran = false;
    const result = await ensureElectron({
      env: {},
      packageDir: pkg,
      run: async () => {
        ran = true;
        return { status: 0, signal: null };
      },
      log: () => {},
    });
    expect(result).toEqual({ path: join(pkg, 'dist', 'electron') });
    expect(ran).toBe(false);
  });

  it('reports an installer that exits 0 without leaving a binary', async () => {
    const { pkg } = project('succeeds');
    const lines: string[] = [];
    const result = await ensureElectron({
      env: {},
      packageDir: pkg,
      run: async () => ({ status: 0, signal: null }),
      log: (line) => lines.push(line),
    });
    expect(result.path).toBeNull();
    expect(result).toMatchObject({
      message: expect.stringContaining(
        "Electron's installer finished, but there is still no binary",
      ),
    });
    expect(lines.join('\n')).toContain('from GitHub');
  });

  it('runs the install script it is given, with this Node and the given environment', async () => {
    const { pkg } = project('no installer');
    const env = { ELECTRON_MIRROR: 'http://mirror.invalid/' };
    const calls: unknown[][] = [];
    const result = await ensureElectron({
      env,
      packageDir: pkg,
      installScript: join(pkg, 'index.js'),
      run: async (command, args, options) => {
        calls.push([command, ...args, options.env]);
        return { status: null, signal: 'SIGTERM' };
      },
      log: () => {},
    });
    expect(result).toMatchObject({ message: expect.stringContaining('stopped by SIGTERM') });
    expect(calls).toEqual([[process.execPath, join(pkg, 'index.js'), env]]);
  });

  it('treats a failing installer as a failure even if it left a binary behind', async () => {
    const { pkg } = project('succeeds');
    const result = await ensureElectron({
      env: {},
      packageDir: pkg,
      run: async () => {
        mkdirSync(join(pkg, 'dist'));
        writeFileSync(join(pkg, 'dist', 'electron'), '');
        writeFileSync(join(pkg, 'path.txt'), 'electron');
        return { status: 1, signal: null };
      },
      log: () => {},
    });
    expect(result).toMatchObject({
      path: null,
      message: expect.stringContaining("Electron's installer failed (exit code 1"),
    });
  });
});

describe('runInstaller', () => {
  const sleeper = ['-e', 'setTimeout(() => process.exit(3), 150)'];

  it('keeps saying that it is still downloading when stderr is not a terminal', async () => {
    const lines: string[] = [];
    const result = await runInstaller(process.execPath, sleeper, {
      env: { PATH: process.env['PATH'] ?? '' },
      log: (line) => lines.push(line),
      heartbeatMs: 30,
      heartbeat: true,
    });
    expect(result).toEqual({ status: 3, signal: null });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^Still downloading Electron \(\d+ s so far; Ctrl-C stops it\)/);
  });

  it("gives the installer the environment it is given, not this process's", async () => {
    expect(process.env['LATCHKEY_TEST_MARK']).toBeUndefined();
    const result = await runInstaller(
      process.execPath,
      ['-e', 'process.exit(process.env.LATCHKEY_TEST_MARK === "yes" ? 0 : 5)'],
      { env: { LATCHKEY_TEST_MARK: 'yes' }, log: () => {}, heartbeat: false },
    );
    expect(result.status).toBe(0);
  });

  it('stays quiet on a terminal, where the installer shows its own progress bar', async () => {
    const lines: string[] = [];
    await runInstaller(process.execPath, sleeper, {
      env: {},
      log: (line) => lines.push(line),
      heartbeatMs: 30,
      heartbeat: false,
    });
    expect(lines).toEqual([]);
  });
});
