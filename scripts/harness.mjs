// `npm run harness -- --port <n> --data-dir <dir>`: builds if needed, then serves the harness.
// Build output goes to stderr so stdout carries only the `harness ready <url>` line.
import { spawnSync } from 'node:child_process';
import { register } from 'tsx/esm/api';
import { buildIsStale, root } from './build-state.mjs';

if (buildIsStale()) {
  const result = spawnSync('npm', ['run', '--silent', 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0) {
    process.stderr.write('harness: the build failed (see above).\n');
    process.exit(1);
  }
}

register();
await import('../harness/server.ts');
