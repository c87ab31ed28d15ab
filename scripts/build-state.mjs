// Decides whether the build in out/ is older than its sources (used by `npm run harness`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

const SOURCES = [
  'renderer',
  'preload',
  'main',
  'harness/bridge.ts',
  'electron.vite.config.ts',
  'vite.harness.config.ts',
  'svelte.config.js',
  'package-lock.json',
];
const OUTPUTS = [
  'out/renderer/index.html',
  'out/harness/bridge.js',
  'out/main/index.js',
  'out/preload/index.cjs',
];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** True when an output is missing or a source changed after the oldest output. */
export function buildIsStale() {
  const outputs = OUTPUTS.map((p) => join(root, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const changed = Math.max(
    ...SOURCES.map((p) => join(root, p))
      .filter(existsSync)
      .map(newest),
  );
  return changed > built;
}
