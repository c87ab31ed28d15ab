import { spawnSync } from 'node:child_process';
import { buildIsStale, root } from '../../../scripts/build-state.mjs';

/** Builds once before the workers start, so parallel harnesses never race to build. */
export default function globalSetup(): void {
  if (!buildIsStale()) return;
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed');
}
