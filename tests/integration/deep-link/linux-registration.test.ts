import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  registerLinuxSchemeHandler,
  runCommand,
  unregisterLinuxSchemeHandler,
  type CommandRunner,
  type LinuxFs,
  type LinuxRegistrationOptions,
} from '../../../main/deep-link/linux-registration';

// Debian's real xdg-utils (xdg-mime, xdg-settings), desktop-file-utils (desktop-file-validate,
// update-desktop-database) and GLib's gio, each test in its own HOME / XDG_* tree.

function onPath(name: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const LINUX = process.platform === 'linux';
const XDG_MIME = LINUX && onPath('xdg-mime');
const VALIDATE = LINUX && onPath('desktop-file-validate');
const GIO = LINUX && onPath('gio');
const XDG_SETTINGS = LINUX && onPath('xdg-settings');
const ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
/** A synchronous child blocks the test worker, where the test timeout cannot reach: bound it. */
const CHILD_TIMEOUT_MS = 20_000;
const REPO = path.resolve(import.meta.dirname, '../../..');
const MODULE = path.join(REPO, 'main/deep-link/linux-registration.ts');

if (!XDG_MIME) {
  console.log('[linux-registration] skipped: xdg-mime not on PATH (apt-get install xdg-utils)');
}
if (!VALIDATE) {
  console.log(
    '[linux-registration] desktop-file-validate checks skipped: not on PATH (apt-get install desktop-file-utils)',
  );
}
if (!GIO) console.log('[linux-registration] gio checks skipped: gio not on PATH (libglib2.0-bin)');

const SCHEME = 'app.latchkey';
const MIME = `x-scheme-handler/${SCHEME}`;
const ID = 'latchkey.desktop';
const OUR_LINE = `${MIME}=${ID}\n`;

/** A user's mimeapps.list with other people's associations, comments and blank lines. */
const PREEXISTING = [
  '# hand-edited, keep',
  '[Default Applications]',
  'text/html=firefox.desktop',
  'x-scheme-handler/http=firefox.desktop',
  'x-scheme-handler/https=firefox.desktop',
  'x-scheme-handler/mailto=thunderbird.desktop',
  'application/pdf=org.gnome.Evince.desktop',
  '',
  '[Added Associations]',
  'image/png=org.gnome.eog.desktop;gimp.desktop;',
  '',
  '[Removed Associations]',
  'text/plain=libreoffice-writer.desktop;',
  '',
].join('\n');

let root: string;
let env: NodeJS.ProcessEnv;
let dataHome: string;
let configHome: string;
let systemData: string;
let appImage: string;
let calls: string[][];

const entryPath = () => path.join(dataHome, 'applications', ID);
const mimeappsPath = () => path.join(configHome, 'mimeapps.list');

/** runCommand, recording each command line. */
const recordingRun: CommandRunner = (file, args, childEnv) => {
  calls.push([file, ...args]);
  return runCommand(file, args, childEnv);
};

function options(overrides: Partial<LinuxRegistrationOptions> = {}): LinuxRegistrationOptions {
  return {
    scheme: SCHEME,
    desktopFileName: ID,
    appName: 'Latchkey',
    exec: [appImage],
    env,
    run: recordingRun,
    ...overrides,
  };
}

/** An executable file (a stand-in for the AppImage or the installed binary). */
function executable(file: string, script = '#!/bin/sh\nexit 0\n'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, script, { mode: 0o755 });
  return file;
}

/** What a deb puts in /usr/share/applications (electron-builder's entry, abridged). */
function installSystemEntry(name = ID): string {
  const binary = executable(path.join(root, 'opt/Latchkey/latchkey'));
  const file = path.join(systemData, 'applications', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    `[Desktop Entry]\nName=Latchkey\nExec=${binary} %U\nTerminal=false\nType=Application\nIcon=latchkey\nStartupWMClass=latchkey\nMimeType=${MIME};\nCategories=Utility;\n`,
  );
  return file;
}

function xdgMimeQuery(mime = MIME, childEnv = env): string {
  return execFileSync('xdg-mime', ['query', 'default', mime], {
    env: childEnv,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
  }).trim();
}

function validate(file: string): { status: number | null; output: string } {
  const result = spawnSync('desktop-file-validate', [file], {
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function snapshot(file: string) {
  const stats = fs.statSync(file);
  return { bytes: fs.readFileSync(file, 'latin1'), mtimeMs: stats.mtimeMs, ino: stats.ino };
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-xdg-'));
  dataHome = path.join(root, 'home/.local/share');
  configHome = path.join(root, 'home/.config');
  systemData = path.join(root, 'usr/share');
  fs.mkdirSync(systemData, { recursive: true });
  fs.mkdirSync(path.join(root, 'etc/xdg'), { recursive: true });
  appImage = executable(path.join(root, 'home/Applications/Latchkey-0.1.0.AppImage'));
  // Built from scratch: nothing of the machine's session (XDG_CURRENT_DESKTOP, DISPLAY, D-Bus)
  // leaks in, and /usr/share and /etc/xdg are replaced by temporary "system" folders.
  env = {
    PATH: process.env['PATH'],
    HOME: path.join(root, 'home'),
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_DIRS: systemData,
    XDG_CONFIG_DIRS: path.join(root, 'etc/xdg'),
  };
  calls = [];
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!XDG_MIME)('registerLinuxSchemeHandler with the real xdg-mime', () => {
  it('AppImage: writes its own entry and xdg-mime answers latchkey.desktop', async () => {
    expect(await registerLinuxSchemeHandler(options())).toEqual({ ok: true, wroteEntry: true });
    expect(xdgMimeQuery()).toBe(ID);
    const entry = fs.readFileSync(entryPath(), 'utf8');
    expect(entry).toContain(`\nExec=${appImage} %U\n`);
    expect(entry).toContain(`\nMimeType=${MIME};\n`);
    expect(entry).toContain('\nX-Latchkey-Managed=true\n');
    expect(entry).not.toContain('NoDisplay');
    expect(fs.statSync(entryPath()).mode & 0o777).toBe(0o644);
    // xdg-mime creates the file with a blank first line.
    expect(fs.readFileSync(mimeappsPath(), 'utf8')).toBe(`\n[Default Applications]\n${OUR_LINE}`);
    // No temporary file is left beside it.
    expect(fs.readdirSync(path.dirname(entryPath())).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('installed deb: uses the package entry, writes none, and xdg-mime answers latchkey.desktop', async () => {
    const system = installSystemEntry();
    const before = fs.readFileSync(system, 'utf8');
    expect(await registerLinuxSchemeHandler(options({ exec: ['/ignored'] }))).toEqual({
      ok: true,
      wroteEntry: false,
    });
    expect(xdgMimeQuery()).toBe(ID);
    expect(fs.existsSync(entryPath())).toBe(false);
    expect(fs.readFileSync(system, 'utf8')).toBe(before);
    expect(calls.map(([file]) => file)).not.toContain('update-desktop-database');
  });

  it('installed deb: deletes an entry the app wrote earlier (it would hide the package entry)', async () => {
    await registerLinuxSchemeHandler(options());
    installSystemEntry();
    expect(await registerLinuxSchemeHandler(options())).toEqual({ ok: true, wroteEntry: false });
    expect(fs.existsSync(entryPath())).toBe(false);
    expect(xdgMimeQuery()).toBe(ID);
  });

  it('development build: its own hidden entry and scheme, beside an installed app', async () => {
    installSystemEntry();
    const electron = executable(
      path.join(root, 'src/latchkey/node_modules/electron/dist/electron'),
    );
    const appPath = path.join(root, 'src/latchkey');
    const result = await registerLinuxSchemeHandler(
      options({
        scheme: 'app.latchkey.dev',
        desktopFileName: 'latchkey-dev.desktop',
        appName: 'Latchkey (development)',
        exec: [electron, appPath],
        showInMenu: false,
      }),
    );
    expect(result).toEqual({ ok: true, wroteEntry: true });
    expect(xdgMimeQuery('x-scheme-handler/app.latchkey.dev')).toBe('latchkey-dev.desktop');
    const entry = fs.readFileSync(path.join(dataHome, 'applications/latchkey-dev.desktop'), 'utf8');
    expect(entry).toContain(`\nExec=${electron} ${appPath} %U\n`);
    expect(entry).toContain('\nNoDisplay=true\n');
    // The installed app keeps its scheme.
    await registerLinuxSchemeHandler(options());
    expect(xdgMimeQuery()).toBe(ID);
    expect(xdgMimeQuery('x-scheme-handler/app.latchkey.dev')).toBe('latchkey-dev.desktop');
  });

  it('leaves every other byte of mimeapps.list as it was: only our line is added', async () => {
    fs.mkdirSync(configHome, { recursive: true });
    fs.writeFileSync(mimeappsPath(), PREEXISTING);
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({ ok: true });
    const after = fs.readFileSync(mimeappsPath(), 'utf8');
    expect(after.split(OUR_LINE)).toHaveLength(2);
    expect(after.replace(OUR_LINE, '')).toBe(PREEXISTING);
    expect(xdgMimeQuery('text/html')).toBe('');
    expect(after).toContain('\ntext/html=firefox.desktop\n');
  });

  it('replaces a previous handler of our scheme in place, and nothing else', async () => {
    const previous = PREEXISTING.replace(
      'text/html=firefox.desktop\n',
      `text/html=firefox.desktop\n${MIME}=old-latchkey.desktop\n`,
    );
    fs.mkdirSync(configHome, { recursive: true });
    fs.writeFileSync(mimeappsPath(), previous);
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({ ok: true });
    expect(fs.readFileSync(mimeappsPath(), 'utf8')).toBe(
      previous.replace(`${MIME}=old-latchkey.desktop\n`, OUR_LINE),
    );
  });

  it('is idempotent: a second run writes nothing and only asks xdg-mime', async () => {
    fs.mkdirSync(configHome, { recursive: true });
    fs.writeFileSync(mimeappsPath(), PREEXISTING);
    await registerLinuxSchemeHandler(options());
    const cache = path.join(dataHome, 'applications/mimeinfo.cache');
    const files = [entryPath(), mimeappsPath(), ...(fs.existsSync(cache) ? [cache] : [])];
    const before = files.map(snapshot);
    calls = [];
    expect(await registerLinuxSchemeHandler(options())).toEqual({ ok: true, wroteEntry: false });
    expect(files.map(snapshot)).toEqual(before);
    expect(calls).toEqual([['xdg-mime', 'query', 'default', MIME]]);
  });

  it('a moved AppImage rewrites Exec and TryExec', async () => {
    await registerLinuxSchemeHandler(options());
    const moved = executable(path.join(root, 'home/Downloads/Latchkey-0.2.0.AppImage'));
    expect(await registerLinuxSchemeHandler(options({ exec: [moved] }))).toEqual({
      ok: true,
      wroteEntry: true,
    });
    const entry = fs.readFileSync(entryPath(), 'utf8');
    expect(entry).toContain(`\nExec=${moved} %U\n`);
    expect(entry).toContain(`\nTryExec=${moved}\n`);
    expect(entry).not.toContain(appImage);
    expect(xdgMimeQuery()).toBe(ID);
  });

  it('never overwrites a file under our name that lacks the marker', async () => {
    const foreign = `[Desktop Entry]\nType=Application\nName=Someone else\nExec=${appImage} %U\nMimeType=${MIME};\n`;
    fs.mkdirSync(path.dirname(entryPath()), { recursive: true });
    fs.writeFileSync(entryPath(), foreign);
    const before = snapshot(entryPath());
    const result = await registerLinuxSchemeHandler(options());
    expect(result).toMatchObject({ ok: false, reason: 'foreign-entry' });
    expect(snapshot(entryPath())).toEqual(before);
    expect(fs.existsSync(mimeappsPath())).toBe(false);
    expect(calls).toEqual([]);
    // Also when a package is installed: the user's file would hide the package's.
    installSystemEntry();
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({ reason: 'foreign-entry' });
    expect(snapshot(entryPath())).toEqual(before);
  });

  it('never writes through a symbolic link under our name', async () => {
    // Even to a file that looks like ours: the link itself is not.
    const target = path.join(root, 'elsewhere.desktop');
    const marked = `[Desktop Entry]\nType=Application\nName=Latchkey\nExec=/old %U\nX-Latchkey-Managed=true\n`;
    fs.writeFileSync(target, marked);
    fs.mkdirSync(path.dirname(entryPath()), { recursive: true });
    fs.symlinkSync(target, entryPath());
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({
      ok: false,
      reason: 'foreign-entry',
    });
    expect(fs.readFileSync(target, 'utf8')).toBe(marked);
    expect(fs.lstatSync(entryPath()).isSymbolicLink()).toBe(true);
  });

  it('says xdg-utils-missing when xdg-mime is not on PATH', async () => {
    const emptyBin = path.join(root, 'empty-bin');
    fs.mkdirSync(emptyBin);
    const result = await registerLinuxSchemeHandler(options({ env: { ...env, PATH: emptyBin } }));
    expect(result).toMatchObject({ ok: false, reason: 'xdg-utils-missing' });
    expect(fs.existsSync(mimeappsPath())).toBe(false);
  });

  it('says applications-unwritable when a file stands where the applications folder should be', async () => {
    fs.mkdirSync(dataHome, { recursive: true });
    fs.writeFileSync(path.join(dataHome, 'applications'), 'a file, not a folder\n');
    const result = await registerLinuxSchemeHandler(options());
    expect(result).toMatchObject({ ok: false, reason: 'applications-unwritable' });
    expect(result.ok || result.detail).toMatch(/ENOTDIR|EEXIST/);
    expect(calls).toEqual([]);
  });

  it('says applications-unwritable when the folder is read-only (EROFS, EPERM from the file system)', async () => {
    for (const code of ['EROFS', 'EPERM', 'EACCES']) {
      const failing: LinuxFs = {
        ...fs.promises,
        open: () => Promise.reject(Object.assign(new Error(`${code}: refused`), { code })),
      };
      const result = await registerLinuxSchemeHandler(options({ fs: failing }));
      expect(result).toMatchObject({ ok: false, reason: 'applications-unwritable' });
      expect(result.ok || result.detail).toContain(code);
    }
    expect(fs.existsSync(entryPath())).toBe(false);
  });

  it(
    ROOT
      ? 'says applications-unwritable when the folder is read-only (run as uid 65534: root ignores modes)'
      : 'says applications-unwritable when the folder is read-only (mode 0555)',
    async () => {
      const applications = path.join(dataHome, 'applications');
      fs.mkdirSync(applications, { recursive: true });
      let result: unknown;
      if (ROOT) {
        // Everything the unprivileged child reads must be readable by it; nothing is writable.
        for (let dir = applications; dir.startsWith(root); dir = path.dirname(dir)) {
          fs.chmodSync(dir, 0o755);
        }
        const script = path.join(root, 'register.mts');
        fs.writeFileSync(
          script,
          `import { registerLinuxSchemeHandler } from ${JSON.stringify(MODULE)};\n` +
            `const options = JSON.parse(process.argv[2]);\n` +
            `process.stdout.write(JSON.stringify(await registerLinuxSchemeHandler(options)));\n`,
          { mode: 0o644 },
        );
        const { run: _run, ...plain } = options();
        const stdout = execFileSync(
          process.execPath,
          ['--import', 'tsx', script, JSON.stringify(plain)],
          {
            cwd: REPO,
            uid: NOBODY,
            gid: NOBODY,
            env: { ...env, TMPDIR: os.tmpdir() },
            encoding: 'utf8',
            timeout: CHILD_TIMEOUT_MS,
          },
        );
        result = JSON.parse(stdout);
      } else {
        fs.chmodSync(applications, 0o555);
        result = await registerLinuxSchemeHandler(options());
      }
      expect(result).toMatchObject({ ok: false, reason: 'applications-unwritable' });
      expect((result as { detail: string }).detail).toContain('EACCES');
      expect(fs.readdirSync(applications)).toEqual([]);
    },
  );

  it('fails when xdg-mime afterwards names another handler (a desktop-specific list wins)', async () => {
    // xdg-mime query reads $XDG_CONFIG_HOME/<desktop>-mimeapps.list before mimeapps.list, for
    // each name in XDG_CURRENT_DESKTOP; xdg-mime default writes only mimeapps.list.
    const other = executable(path.join(root, 'bin/other'));
    fs.mkdirSync(path.join(dataHome, 'applications'), { recursive: true });
    fs.writeFileSync(
      path.join(dataHome, 'applications/other.desktop'),
      `[Desktop Entry]\nType=Application\nName=Other\nExec=${other} %u\n`,
    );
    fs.mkdirSync(configHome, { recursive: true });
    fs.writeFileSync(
      path.join(configHome, 'gnome-mimeapps.list'),
      `[Default Applications]\n${MIME}=other.desktop\n`,
    );
    const gnome = { ...env, XDG_CURRENT_DESKTOP: 'GNOME' };
    const result = await registerLinuxSchemeHandler(options({ env: gnome }));
    expect(result).toMatchObject({ ok: false, reason: 'xdg-mime-failed' });
    expect(result.ok || result.detail).toContain('"other.desktop"');
    // Without XDG_CURRENT_DESKTOP that list is not read, and we win.
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({ ok: true });
  });

  it('XDG_CURRENT_DESKTOP=GNOME: the same mimeapps.list line, text/html untouched', async () => {
    // xdg-mime 1.1.3 maps GNOME to "gnome3" but uses gio for neither `default` nor `query`:
    // both go through its generic mimeapps.list code, so the result is the same as without it.
    fs.mkdirSync(configHome, { recursive: true });
    fs.writeFileSync(mimeappsPath(), PREEXISTING);
    const gnome = { ...env, XDG_CURRENT_DESKTOP: 'GNOME' };
    expect(await registerLinuxSchemeHandler(options({ env: gnome }))).toMatchObject({ ok: true });
    expect(xdgMimeQuery(MIME, gnome)).toBe(ID);
    expect(fs.readFileSync(mimeappsPath(), 'utf8').replace(OUR_LINE, '')).toBe(PREEXISTING);
  });

  it.skipIf(!XDG_SETTINGS)(
    'why not xdg-settings: under GNOME it also makes us the text/html handler (we do not)',
    () => {
      installSystemEntry();
      fs.mkdirSync(configHome, { recursive: true });
      fs.writeFileSync(mimeappsPath(), PREEXISTING);
      execFileSync('xdg-settings', ['set', 'default-url-scheme-handler', SCHEME, ID], {
        env: { ...env, XDG_CURRENT_DESKTOP: 'GNOME' },
        timeout: CHILD_TIMEOUT_MS,
      });
      expect(fs.readFileSync(mimeappsPath(), 'utf8')).toContain(`\ntext/html=${ID}\n`);
    },
  );

  it('refuses invalid options without touching anything', async () => {
    for (const bad of [
      options({ scheme: 'app latchkey' }),
      options({ desktopFileName: '../latchkey.desktop' }),
      options({ exec: [] }),
      options({ exec: ['/tmp/a\u0001b'] }),
    ]) {
      expect(await registerLinuxSchemeHandler(bad)).toMatchObject({
        ok: false,
        reason: 'xdg-mime-failed',
      });
    }
    expect(fs.existsSync(path.join(root, 'home'))).toBe(true);
    expect(fs.existsSync(dataHome)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses a program path with "%": GLib would ignore the entry', async () => {
    // The spec's %% is what we write, but gdesktopappinfo.c looks argv[0] up before undoing it.
    const program = executable(path.join(root, 'home/100% sure/Latchkey.AppImage'));
    const result = await registerLinuxSchemeHandler(options({ exec: [program] }));
    expect(result).toMatchObject({ ok: false, reason: 'xdg-mime-failed' });
    expect(result.ok || result.detail).toContain('"%"');
    expect(fs.existsSync(dataHome)).toBe(false);
  });
});

describe.skipIf(!XDG_MIME || !VALIDATE)('desktop-file-validate on what we write', () => {
  it.each([
    ['an AppImage', ['/home/me/Applications/Latchkey-0.1.0.AppImage'], true, undefined],
    ['an unpacked build', ['/opt/latchkey-linux-unpacked/latchkey'], true, 'latchkey'],
    ['the development build', ['/src/My Apps/electron', '/src/My Apps/latchkey'], false, undefined],
    [
      'a path with every reserved character',
      [
        '/home/me/Apps & "Stuff" $HOME (1) #2 ~\'x\' `y` \\z; a|b <c> *?\tt\nn/Latchkey.AppImage',
        '--label=100% "sure"',
      ],
      true,
      '/home/me/.local/share/icons/latchkey.png',
    ],
    ['a path in Chinese', ['/home/用户/下载/Latchkey.AppImage'], true, undefined],
  ])('%s', async (_name, exec, showInMenu, icon) => {
    // The programs need not exist for validation; xdg-mime still answers from the cache.
    const result = await registerLinuxSchemeHandler(options({ exec, showInMenu, icon }));
    expect(result).toMatchObject({ ok: true });
    expect(validate(entryPath())).toEqual({ status: 0, output: '' });
  });
});

describe.skipIf(!XDG_MIME || !GIO)('GLib reads our Exec back as the same argv', () => {
  it('through gio launch, for a path with reserved characters, quotes and non-ASCII', async () => {
    const out = path.join(root, 'argv.out');
    const dir = path.join(root, `Apps & "Stuff" $HOME (1) ~'x' \`y\` \\z; a|b <c> *? 文档`);
    const program = executable(
      path.join(dir, 'Latchkey.AppImage'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > ${JSON.stringify(out)}\n`,
    );
    const extra = 'second arg with\ttab and $dollar and \\ and %U';
    expect(await registerLinuxSchemeHandler(options({ exec: [program, extra] }))).toMatchObject({
      ok: true,
    });
    const url = `${SCHEME}://oauth/openrouter/nonce?code=a%20b&state=x`;
    execFileSync('gio', ['launch', entryPath(), url], {
      env,
      timeout: CHILD_TIMEOUT_MS,
      // gio may start helpers (a D-Bus autolaunch) that keep inherited pipes open: a synchronous
      // call waiting for EOF on them would block the test worker, where no test timeout reaches.
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !fs.existsSync(out); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(out, 'utf8').split('\0').slice(0, -1)).toEqual([extra, url]);
    expect(xdgMimeQuery()).toBe(ID);
  });
});

/** The AppImage's icon name in the user's theme (never `latchkey`: that is the deb's). */
const ICON_NAME = 'latchkey-appimage';
const iconPath = (size: number, name = ICON_NAME) =>
  path.join(dataHome, `icons/hicolor/${size}x${size}/apps/${name}.png`);

/** Stand-in PNG bytes, different for each size and version. */
const png = (size: number, version = 1) =>
  Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    Buffer.from(`icon ${size}x${size} v${version}\n`),
  ]);

/** A mounted AppImage as electron-builder lays it out (appimage/appLauncher.js copyIcons). */
function fakeAppDir(sizes: readonly number[], version = 1, name = 'mount'): string {
  const appDir = path.join(root, `tmp/.${name}_Latchk`);
  for (const size of sizes) {
    const file = path.join(appDir, `usr/share/icons/hicolor/${size}x${size}/apps/latchkey.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, png(size, version));
  }
  const largest = Math.max(...sizes);
  if (sizes.length > 0) {
    fs.symlinkSync(
      `usr/share/icons/hicolor/${largest}x${largest}/apps/latchkey.png`,
      path.join(appDir, '.DirIcon'),
    );
  }
  return appDir;
}

describe.skipIf(!XDG_MIME)("the AppImage's icon", () => {
  it('copies the largest icon out of $APPDIR and names it in a valid entry', async () => {
    const appDir = fakeAppDir([16, 32, 256, 512]);
    expect(await registerLinuxSchemeHandler(options({ appDir }))).toEqual({
      ok: true,
      wroteEntry: true,
    });
    expect(fs.readFileSync(iconPath(512))).toEqual(png(512));
    expect(fs.statSync(iconPath(512)).mode & 0o777).toBe(0o644);
    expect(fs.readdirSync(path.join(dataHome, 'icons/hicolor'))).toEqual(['512x512']);
    expect(fs.readdirSync(path.dirname(iconPath(512)))).toEqual([`${ICON_NAME}.png`]);
    const entry = fs.readFileSync(entryPath(), 'utf8');
    expect(entry).toContain(`\nIcon=${ICON_NAME}\n`);
    expect(entry).not.toContain(appDir);
    expect(xdgMimeQuery()).toBe(ID);
    if (VALIDATE) expect(validate(entryPath())).toEqual({ status: 0, output: '' });
  });

  it('takes 256x256 when the image has no 512x512', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([16, 48, 256]) }));
    expect(fs.readFileSync(iconPath(256))).toEqual(png(256));
    expect(fs.existsSync(iconPath(512))).toBe(false);
    expect(fs.readFileSync(entryPath(), 'utf8')).toContain(`\nIcon=${ICON_NAME}\n`);
  });

  it('is idempotent: a second run (from a new mount point) rewrites neither icon nor entry', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([256, 512]) }));
    const files = [iconPath(512), entryPath()];
    const before = files.map(snapshot);
    calls = [];
    const remounted = fakeAppDir([256, 512], 1, 'mount2');
    expect(await registerLinuxSchemeHandler(options({ appDir: remounted }))).toEqual({
      ok: true,
      wroteEntry: false,
    });
    expect(files.map(snapshot)).toEqual(before);
    expect(calls).toEqual([['xdg-mime', 'query', 'default', MIME]]);
  });

  it('a moved AppImage with the same icon rewrites the entry and keeps the icon', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([512]) }));
    const before = snapshot(iconPath(512));
    const moved = executable(path.join(root, 'home/Downloads/Latchkey-0.1.0.AppImage'));
    expect(
      await registerLinuxSchemeHandler(
        options({ exec: [moved], appDir: fakeAppDir([512], 1, 'm2') }),
      ),
    ).toEqual({ ok: true, wroteEntry: true });
    expect(snapshot(iconPath(512))).toEqual(before);
    expect(fs.readFileSync(entryPath(), 'utf8')).toContain(`\nIcon=${ICON_NAME}\n`);
  });

  it('without $APPDIR, or with no icon in it, the entry has no Icon (as before)', async () => {
    expect(await registerLinuxSchemeHandler(options())).toEqual({ ok: true, wroteEntry: true });
    expect(fs.readFileSync(entryPath(), 'utf8')).not.toMatch(/^Icon=/m);
    expect(await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([]) }))).toEqual({
      ok: true,
      wroteEntry: false,
    });
    expect(fs.readFileSync(entryPath(), 'utf8')).not.toMatch(/^Icon=/m);
    expect(fs.existsSync(path.join(dataHome, 'icons'))).toBe(false);
  });

  it('a new version replaces the icon it wrote, and deletes one at a size it no longer has', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([256, 512]) }));
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([256, 512], 2, 'v2') }));
    expect(fs.readFileSync(iconPath(512))).toEqual(png(512, 2));
    expect(
      await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([256], 3, 'v3') })),
    ).toEqual({
      ok: true,
      wroteEntry: true,
    });
    expect(fs.readFileSync(iconPath(256))).toEqual(png(256, 3));
    expect(fs.existsSync(iconPath(512))).toBe(false);
    // Installing the deb drops our entry, and with it our icon.
    installSystemEntry();
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([256], 3, 'v4') }));
    expect(fs.existsSync(entryPath())).toBe(false);
    expect(fs.existsSync(iconPath(256))).toBe(false);
  });

  it('keeps a different file it did not write under its icon name, and never deletes it', async () => {
    const mine = Buffer.from('my own icon');
    fs.mkdirSync(path.dirname(iconPath(512)), { recursive: true });
    fs.writeFileSync(iconPath(512), mine);
    const appDir = fakeAppDir([512]);
    expect(await registerLinuxSchemeHandler(options({ appDir }))).toMatchObject({ ok: true });
    expect(fs.readFileSync(iconPath(512))).toEqual(mine);
    expect(fs.readFileSync(entryPath(), 'utf8')).toContain(`\nIcon=${ICON_NAME}\n`);
    expect(await unregisterLinuxSchemeHandler(options())).toMatchObject({ removedEntry: true });
    expect(fs.readFileSync(iconPath(512))).toEqual(mine);
  });

  it('unregistering removes the icon it wrote, and no other icon', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([512]) }));
    // A deb-named icon and another app's, beside ours.
    fs.writeFileSync(iconPath(512, 'latchkey'), png(512));
    fs.writeFileSync(iconPath(512, 'other-app'), 'other');
    expect(await unregisterLinuxSchemeHandler(options())).toMatchObject({ removedEntry: true });
    expect(fs.existsSync(iconPath(512))).toBe(false);
    expect(fs.readFileSync(iconPath(512, 'latchkey'))).toEqual(png(512));
    expect(fs.readFileSync(iconPath(512, 'other-app'), 'utf8')).toBe('other');
  });

  it('unregistering keeps its icon file once the user replaced its bytes', async () => {
    await registerLinuxSchemeHandler(options({ appDir: fakeAppDir([512]) }));
    fs.writeFileSync(iconPath(512), 'edited by the user');
    expect(await unregisterLinuxSchemeHandler(options())).toMatchObject({ removedEntry: true });
    expect(fs.readFileSync(iconPath(512), 'utf8')).toBe('edited by the user');
  });
});

describe.skipIf(!XDG_MIME)('unregisterLinuxSchemeHandler', () => {
  it('removes only what the app wrote, and is idempotent', async () => {
    fs.mkdirSync(configHome, { recursive: true });
    const withOthers = PREEXISTING.replace(
      'image/png=org.gnome.eog.desktop;gimp.desktop;\n',
      `image/png=org.gnome.eog.desktop;gimp.desktop;\n${MIME}=other.desktop;${ID};\nx-scheme-handler/app.latchkey.dev=${ID};\n`,
    );
    fs.writeFileSync(mimeappsPath(), withOthers);
    const applications = path.join(dataHome, 'applications');
    fs.mkdirSync(applications, { recursive: true });
    const firefox = '[Desktop Entry]\nType=Application\nName=Firefox\nExec=firefox %u\n';
    fs.writeFileSync(path.join(applications, 'firefox.desktop'), firefox);
    await registerLinuxSchemeHandler(options());
    expect(fs.existsSync(entryPath())).toBe(true);

    expect(await unregisterLinuxSchemeHandler(options())).toEqual({
      ok: true,
      removedEntry: true,
      removedAssociations: 2,
    });
    expect(fs.existsSync(entryPath())).toBe(false);
    expect(fs.readFileSync(path.join(applications, 'firefox.desktop'), 'utf8')).toBe(firefox);
    expect(fs.readFileSync(mimeappsPath(), 'utf8')).toBe(
      withOthers.replace(`${MIME}=other.desktop;${ID};`, `${MIME}=other.desktop;`),
    );
    expect(xdgMimeQuery()).not.toBe(ID);

    const after = snapshot(mimeappsPath());
    expect(await unregisterLinuxSchemeHandler(options())).toEqual({
      ok: true,
      removedEntry: false,
      removedAssociations: 0,
    });
    expect(snapshot(mimeappsPath())).toEqual(after);
  });

  it("keeps a package's entry and a foreign file, but drops our association", async () => {
    const system = installSystemEntry();
    await registerLinuxSchemeHandler(options());
    expect(await unregisterLinuxSchemeHandler(options())).toEqual({
      ok: true,
      removedEntry: false,
      removedAssociations: 1,
    });
    expect(fs.existsSync(system)).toBe(true);
    expect(fs.readFileSync(mimeappsPath(), 'utf8')).toBe('\n[Default Applications]\n');

    fs.rmSync(system);
    fs.mkdirSync(path.dirname(entryPath()), { recursive: true });
    fs.writeFileSync(entryPath(), '[Desktop Entry]\nType=Application\nName=Mine\nExec=/bin/true\n');
    expect(await unregisterLinuxSchemeHandler(options())).toMatchObject({ removedEntry: false });
    expect(fs.readFileSync(entryPath(), 'utf8')).toContain('Name=Mine');
  });

  it('edits mimeapps.list through a symbolic link, keeping the link and the mode', async () => {
    // A dotfiles-managed link. Already naming us, so registering does not run xdg-mime default
    // (which would replace the link with a file: it writes mimeapps.list.new and moves it over).
    const real = path.join(root, 'dotfiles/mimeapps.list');
    const linked = PREEXISTING.replace(
      'text/html=firefox.desktop\n',
      `text/html=firefox.desktop\n${OUR_LINE}`,
    );
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, linked, { mode: 0o600 });
    fs.mkdirSync(configHome, { recursive: true });
    fs.symlinkSync(real, mimeappsPath());
    expect(await registerLinuxSchemeHandler(options())).toMatchObject({ ok: true });
    expect(fs.lstatSync(mimeappsPath()).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe(linked);

    expect(await unregisterLinuxSchemeHandler(options())).toMatchObject({ removedAssociations: 1 });
    expect(fs.lstatSync(mimeappsPath()).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe(PREEXISTING);
    expect(fs.statSync(real).mode & 0o777).toBe(0o600);
  });

  it('succeeds with nothing to do on a fresh account', async () => {
    expect(await unregisterLinuxSchemeHandler(options())).toEqual({
      ok: true,
      removedEntry: false,
      removedAssociations: 0,
    });
    expect(fs.existsSync(configHome)).toBe(false);
  });
});
