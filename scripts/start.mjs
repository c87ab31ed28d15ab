// `npm start`: builds, then launches the app with the Electron binary. Where no binary exists
// it says what to do and exits non-zero (no stack trace).
import { spawn, spawnSync } from 'node:child_process';
import { root } from './build-state.mjs';
import { findElectronBinary } from './electron-binary.mjs';

const binary = findElectronBinary();
if (binary.path === null) {
  process.stderr.write(
    [
      `Latchkey cannot start: ${binary.reason}.`,
      '',
      'What to do:',
      '  • On a machine that can reach GitHub: rm -rf node_modules/electron && npm install',
      '  • Or point at an unpacked Electron 45 you already have:',
      '      ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dir npm start',
      '  • Without Electron you can still run the whole app in a browser: npm run harness',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn(binary.path, ['.', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
