// Finds the Electron binary WITHOUT importing `electron` (whose import tries to download it).
// Mirrors node_modules/electron/index.js: ELECTRON_OVERRIDE_DIST_PATH, else dist/<path.txt>.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The installed `electron` package's directory, or null when it is not installed. */
export function electronPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string | null} packageDir the electron package (default: the one Node resolves)
 * @returns {{ path: string } | { path: null, reason: string }}
 */
export function findElectronBinary(env = process.env, packageDir = electronPackageDir()) {
  if (packageDir === null) {
    return { path: null, reason: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = join(override, relative || 'electron');
    return existsSync(candidate)
      ? { path: candidate }
      : {
          path: null,
          reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist`,
        };
  }
  if (relative) {
    const candidate = join(packageDir, 'dist', relative);
    if (existsSync(candidate)) return { path: candidate };
  }
  return {
    path: null,
    reason:
      'no Electron binary is installed (node_modules/electron/dist is empty: its download did not happen or failed)',
  };
}
