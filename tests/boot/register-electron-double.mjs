/**
 * Runs the built main bundle under plain Node with the Electron double (electron-double.ts):
 *
 *   ELECTRON_DOUBLE='{"platform":"linux",…}' \
 *     node --import tsx --import ./tests/boot/register-electron-double.mjs out/main/index.js
 *
 * (The boot test compiles the double to JavaScript once and names it in
 * `ELECTRON_DOUBLE_MODULE`, so its children start without tsx.)
 *
 * 1. Sets `process.platform` to the double's platform (`ELECTRON_DOUBLE` JSON, `platform`), so
 *    the app takes its macOS or Windows paths on this Linux machine. Only `process.platform`
 *    changes: Node's own modules (path, fs) keep behaving as on the real OS.
 * 2. Registers a module resolve hook (node:module `register()`, electron-resolve-hook.mjs) that
 *    maps the specifier `electron` — from the app and from its dependencies alike — to the
 *    double. Hooks registered later run first, so this one answers before tsx's.
 */
import { register } from 'node:module';

const config = JSON.parse(process.env.ELECTRON_DOUBLE ?? 'null');
if (config === null) throw new Error('register-electron-double: ELECTRON_DOUBLE is not set');
if (config.platform !== process.platform) {
  Object.defineProperty(process, 'platform', {
    value: config.platform,
    enumerable: true,
    configurable: true,
    writable: false,
  });
}

const double =
  process.env.ELECTRON_DOUBLE_MODULE ?? new URL('./electron-double.ts', import.meta.url).href;
register('./electron-resolve-hook.mjs', { parentURL: import.meta.url, data: { double } });
