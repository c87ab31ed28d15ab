// `npm start`: makes sure Electron's binary is there (downloading it with Electron's own installer
// on the first run, see ensure-electron.mjs), builds, then launches the app. When Electron cannot
// be had it says what to do and exits non-zero (no stack trace).
import { spawn, spawnSync } from 'node:child_process';
import { root } from './build-state.mjs';
import { ensureElectron } from './ensure-electron.mjs';

const electron = await ensureElectron();
if (electron.path === null) {
  process.stderr.write(electron.message);
  process.exit(1);
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(electron.path, ['.', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
