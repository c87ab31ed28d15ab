// `npm start`'s first step: find Electron's binary, or download it with Electron's own installer.
// Electron 45's npm package has no install script: it downloads its binary on the first
// `require('electron')` (which start.mjs never does) or through its installer, install.js
// (`npx --no install-electron`). We run that installer ourselves, in the foreground, so its
// output and errors show; when it fails we say what else works.
//
// No overall timeout: a 100 MB download on a slow link may legitimately take many minutes, and
// a stalled one ends by itself — the installer fetches with Node's fetch (undici), which gives up
// after 10 s without a connection and 300 s without response headers or body data (measured here:
// a server that accepts and never answers, or that stops mid-body, fails the installer after
// 302 s). What we add is output: a line before the download, and, when stderr is not a terminal
// (so the installer's progress bar, which appears after 30 s on terminals only, stays hidden), a
// line every 30 s while it runs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { electronPackageDir, findElectronBinary } from './electron-binary.mjs';

const HEARTBEAT_MS = 30_000;

/**
 * @typedef {{ status: number | null, signal: string | null, error?: Error, stoppedBy?: string }} RunResult
 *   stoppedBy: the signal this process received (and passed on) while the installer ran
 */
/**
 * @typedef {(command: string, args: string[], options: {
 *   env: Record<string, string | undefined>, log: (line: string) => void,
 * }) => Promise<RunResult>} Run
 */

/**
 * Runs the installer with inherited stdio. When stderr is not a terminal, logs a line every
 * `heartbeatMs` so a slow or stalled download is never silent.
 * @type {(command: string, args: string[], options: {
 *   env: Record<string, string | undefined>, log: (line: string) => void,
 *   heartbeatMs?: number, heartbeat?: boolean,
 * }) => Promise<RunResult>}
 */
export function runInstaller(
  command,
  args,
  { env, log, heartbeatMs = HEARTBEAT_MS, heartbeat = !process.stderr.isTTY },
) {
  return new Promise((resolve) => {
    const started = Date.now();
    const timer = heartbeat
      ? setInterval(() => {
          const seconds = Math.round((Date.now() - started) / 1000);
          log(`Still downloading Electron (${seconds} s so far; Ctrl-C stops it)…`);
        }, heartbeatMs)
      : undefined;
    const child = spawn(command, args, { env, stdio: 'inherit' });
    // Stopping `npm start` stops the download too (a terminal's Ctrl-C reaches both anyway; a
    // SIGTERM sent to this process alone would otherwise leave the installer running).
    /** @type {NodeJS.Signals | undefined} */
    let stoppedBy;
    const forward = (/** @type {NodeJS.Signals} */ signal) => {
      stoppedBy = signal;
      child.kill(signal);
    };
    const signals = /** @type {const} */ (['SIGINT', 'SIGTERM']);
    for (const signal of signals) process.on(signal, forward);
    const done = (/** @type {RunResult} */ result) => {
      clearInterval(timer);
      for (const signal of signals) process.off(signal, forward);
      resolve(stoppedBy ? { ...result, stoppedBy } : result);
    };
    child.on('error', (error) => done({ status: null, signal: null, error }));
    child.on('exit', (status, signal) => done({ status, signal }));
  });
}

/** @param {Record<string, string | undefined>} env */
function mirrorOf(env) {
  // The names @electron/get reads (artifact-utils.js mirrorVar), .npmrc first, as it does.
  return (
    env.npm_config_electron_mirror ||
    env.NPM_CONFIG_ELECTRON_MIRROR ||
    env.npm_package_config_electron_mirror ||
    env.ELECTRON_MIRROR
  );
}

/** @param {string} packageDir */
function versionOf(packageDir) {
  try {
    return String(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version);
  } catch {
    return '45';
  }
}

const BROWSER = '  • Without Electron, run the whole app in a browser: npm run harness';
const OVERRIDE = [
  '  • Or point at an unpacked Electron 45 you already have (the directory holding `electron`):',
  '      ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-v45-linux-x64 npm start',
];

/** What to do when the download failed: only commands that work with this electron package. */
function downloadGuidance() {
  const lines = [
    'What to do:',
    '  • Try again: npm start, or only the download: npx --no install-electron (`--no` before the',
    "    name: npx fetches nothing from the registry; after it, as in Electron's own hint, npx hands",
    '    it to the installer, which ignores it)',
    '  • Behind an HTTP(S) proxy:',
    '      ELECTRON_GET_USE_PROXY=true HTTPS_PROXY=http://proxy.example:3128 npm start',
    "  • Without access to GitHub, use a mirror of Electron's releases, e.g. the one Electron names:",
    "      ELECTRON_MIRROR=https://npmmirror.com/mirrors/electron/ ELECTRON_CUSTOM_DIR='{{ version }}' npm start",
    "  • Or copy Electron's download cache from a machine where this worked (~/.cache/electron on",
    '    Linux) and point at it: electron_config_cache=/path/to/that/cache npm start',
    ...OVERRIDE,
    BROWSER,
  ];
  if (process.features.require_module !== true) {
    lines.push(
      `  • Electron's installer loads an ES module with require(), which this Node (${process.version})`,
      '    cannot do: use Node ≥ 20.19 (20.x) or ≥ 22.12 (Electron declares ≥ 22.12)',
    );
  }
  return lines;
}

/** @param {string} headline @param {string[]} lines */
function failure(headline, lines) {
  return {
    path: null,
    message: [`Latchkey cannot start: ${headline}`, '', ...lines, ''].join('\n'),
  };
}

/**
 * Finds Electron's binary; when it is missing, downloads it with Electron's installer and looks
 * again. Never throws for an expected failure: it returns the message to print.
 * @param {{
 *   env?: Record<string, string | undefined>,
 *   packageDir?: string | null,
 *   installScript?: string,
 *   run?: Run,
 *   log?: (line: string) => void,
 * }} [options]
 * @returns {Promise<{ path: string } | { path: null, message: string }>}
 */
export async function ensureElectron({
  env = process.env,
  packageDir = electronPackageDir(),
  installScript,
  run = runInstaller,
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  const found = findElectronBinary(env, packageDir);
  if (found.path !== null) return found;

  if (packageDir === null) {
    return failure('the electron package is not installed.', [
      "Run npm install first, then npm start (which downloads Electron's binary on its first run).",
    ]);
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    return failure(`${found.reason}.`, [
      'ELECTRON_OVERRIDE_DIST_PATH must name an unpacked Electron 45 directory (the one holding the',
      '`electron` executable). Nothing was downloaded: while it is set, npm start uses only that.',
      '',
      'What to do:',
      '  • Fix the path, or unset ELECTRON_OVERRIDE_DIST_PATH so npm start downloads Electron',
      BROWSER,
    ]);
  }

  const script = installScript ?? join(packageDir, 'install.js');
  if (!existsSync(script)) {
    return failure(`${found.reason}, and Electron's installer (${script}) is missing.`, [
      'What to do:',
      '  • Reinstall the electron package: rm -rf node_modules/electron && npm install; then npm start',
      ...OVERRIDE,
      BROWSER,
    ]);
  }

  const mirror = mirrorOf(env);
  log(
    `Electron ${versionOf(packageDir)} is not installed yet: downloading it with Electron's installer ` +
      `(about 100 MB from ${mirror || 'GitHub'}, first run only; it gives up after 5 minutes without data)…`,
  );
  const result = await run(process.execPath, [script], { env, log });
  if (result.stoppedBy) {
    return failure(`the Electron download was stopped (${result.stoppedBy}).`, [
      'npm start downloads it again next time.',
    ]);
  }
  const after = findElectronBinary(env, packageDir);
  if (result.status === 0 && after.path !== null) {
    log(`Electron installed: ${after.path}`);
    return after;
  }

  let how;
  if (result.error) how = `could not be run (${result.error.message})`;
  else if (result.status === 0) how = `finished, but there is still no binary (${after.reason})`;
  else {
    const ended = result.signal ? `stopped by ${result.signal}` : `exit code ${result.status}`;
    how = `failed (${ended}; its error is above — "fetch failed" means the download server could not be reached)`;
  }
  return failure(`Electron's installer ${how}.`, downloadGuidance());
}
