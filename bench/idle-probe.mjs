// Loaded into the harness by bench/idle.bench.ts (NODE_OPTIONS=--import): counts the timer
// callbacks main runs, and on SIGUSR2 writes them with `process.getActiveResourcesInfo()` to
// the file named by LATCHKEY_IDLE_PROBE. A signal, not a timer, so it adds no work of its own.
import { writeFileSync } from 'node:fs';

const fired = { setTimeout: 0, setInterval: 0 };
/** Of those, the ones Node schedules for itself (undici's keep-alive of a finished fetch). */
const runtime = { setTimeout: 0, setInterval: 0 };
/** Where the last callbacks that ran were scheduled (a few lines of stack each). */
const sources = [];
for (const name of /** @type {const} */ (['setTimeout', 'setInterval'])) {
  const original = globalThis[name];
  const wrapped = function (callback, ...rest) {
    if (typeof callback !== 'function') return original(callback, ...rest);
    const origin = new Error().stack?.split('\n').slice(2, 6).join(' <') ?? '';
    return original(
      function (...args) {
        fired[name]++;
        if (origin.split(' <')[0]?.includes('(node:internal/')) runtime[name]++;
        sources.push(`${name} ${origin}`);
        if (sources.length > 10) sources.shift();
        return callback.apply(this, args);
      },
      ...rest,
    );
  };
  for (const key of Reflect.ownKeys(original)) {
    if (key in wrapped) continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, key);
    if (descriptor) Object.defineProperty(wrapped, key, descriptor);
  }
  globalThis[name] = wrapped;
}

process.on('SIGUSR2', () => {
  const file = process.env['LATCHKEY_IDLE_PROBE'];
  if (!file) return;
  writeFileSync(
    file,
    JSON.stringify({ fired, runtime, sources, resources: process.getActiveResourcesInfo() }),
  );
});
