import { execFile } from 'node:child_process';
import * as nodeFs from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import {
  defaultApplication,
  isManagedDesktopEntry,
  isValidDesktopFileName,
  isValidScheme,
  removeAssociation,
  renderDesktopEntry,
} from './desktop-entry';
import { installAppImageIcon, removeRecordedIcon } from './appimage-icon';
import { absentAsNull, writeAtomically, type LinuxFs } from './xdg-files';

export type { LinuxFs } from './xdg-files';

/**
 * Linux registration of the callback scheme (RFC 8252 §7.1) without Electron.
 *
 * Why not `app.setAsDefaultProtocolClient` on Linux: Electron 45 calls
 * `g_app_info_set_as_default_for_type(g_desktop_app_info_new($CHROME_DESKTOP), …)`
 * (electron/electron shell/browser/browser_linux.cc `SetDefaultWebClient`, lines 44–64 at
 * v45.0.0-nightly.20260821; GIO since #51316, released in 42.3.1 and 43.0.0). GIO returns NULL,
 * and Electron `false` without a reason, when no desktop entry by that name is installed — always
 * the case for an AppImage or a development build — and the `path`/`args` parameters are ignored
 * (`Browser::SetAsDefaultProtocolClient`, lines 171–177). Older Electron ran `xdg-settings set
 * default-url-scheme-handler <scheme> $CHROME_DESKTOP` (browser_linux.cc lines 74–92 at v41.0.0),
 * which under GNOME also makes the entry the `text/html` handler (xdg-utils 1.1.3
 * `set_url_scheme_handler_gnome3` calls `set_browser_mime "$2"`, whose MIME type defaults to
 * text/html: /usr/bin/xdg-settings lines 1190–1198 and 622–640 on Debian 12).
 *
 * So the app writes its own desktop entry where no package installed one, and sets only
 * `x-scheme-handler/<scheme>` with `xdg-mime default` (which rewrites just that line of
 * `$XDG_CONFIG_HOME/mimeapps.list`), then reads it back with `xdg-mime query default`, because
 * `xdg-mime default` exits 0 even when it could not write the file (`exit_success` after
 * `make_default_generic`, /usr/bin/xdg-mime lines 1174–1177).
 *
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/
 * @see https://specifications.freedesktop.org/mime-apps-spec/latest/
 * @see https://specifications.freedesktop.org/basedir-spec/latest/
 */

/**
 * Why the OS will not hand the scheme's links to the app; the UI says so in a sentence and signs
 * in through loopback or paste instead.
 * - `xdg-utils-missing`: no `xdg-mime` on `PATH` (Debian/Ubuntu package `xdg-utils`).
 * - `applications-unwritable`: `$XDG_DATA_HOME/applications` cannot be created or written.
 * - `foreign-entry`: a file under our desktop file name was not written by the app; left alone.
 * - `xdg-mime-failed`: xdg-mime failed, timed out, or afterwards names another handler (for
 *   instance a desktop-specific `gnome-mimeapps.list`); also invalid options, and a program path
 *   with `%`, which GLib cannot launch from a desktop entry.
 */
export type LinuxRegistrationFailure =
  'xdg-utils-missing' | 'applications-unwritable' | 'foreign-entry' | 'xdg-mime-failed';

/** The outcome of {@link registerLinuxSchemeHandler}; `detail` is for the log, in English. */
export type LinuxRegistration =
  | {
      readonly ok: true;
      /** True when the app's own desktop entry was created or rewritten (e.g. a moved AppImage). */
      readonly wroteEntry: boolean;
    }
  | { readonly ok: false; readonly reason: LinuxRegistrationFailure; readonly detail: string };

/** The outcome of {@link unregisterLinuxSchemeHandler}. */
export type LinuxUnregistration =
  | {
      readonly ok: true;
      /** True when the app's own desktop entry was deleted (never a package's or a foreign one). */
      readonly removedEntry: boolean;
      /** How many times our desktop file was taken out of the scheme's `mimeapps.list` lines. */
      readonly removedAssociations: number;
    }
  | {
      readonly ok: false;
      readonly reason: 'applications-unwritable' | 'mimeapps-unwritable' | 'invalid-options';
      readonly detail: string;
    };

/** What a finished command said. `exitCode` is null when it was killed (timeout). */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` (looked up on `env.PATH`) without a shell. Resolves whatever the exit status;
 * rejects only when the program could not start, with the spawn error (`code: 'ENOENT'` when it
 * is not installed).
 */
export type CommandRunner = (
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
) => Promise<CommandResult>;

/** What both operations need. */
export interface LinuxSchemeOptions {
  /** The URI scheme: `app.latchkey`, or `app.latchkey.dev` in development. */
  readonly scheme: string;
  /**
   * The desktop file ID: `latchkey.desktop` — the deb's entry, named after
   * `linux.executableName`, and Electron's `CHROME_DESKTOP` — or `latchkey-dev.desktop` for the
   * development build, so it never replaces the installed app's entry.
   */
  readonly desktopFileName: string;
  /** `HOME`, `PATH` and the `XDG_*` variables are read from here and passed to xdg-utils. */
  readonly env: NodeJS.ProcessEnv;
  /** Defaults to {@link runCommand}. */
  readonly run?: CommandRunner;
  /** Defaults to `node:fs/promises`. */
  readonly fs?: LinuxFs;
}

/** What {@link registerLinuxSchemeHandler} needs. */
export interface LinuxRegistrationOptions extends LinuxSchemeOptions {
  /** The entry's `Name`, e.g. `Latchkey` or `Latchkey (development)`. */
  readonly appName: string;
  /**
   * The command line that starts the app, without the URL: `[$APPIMAGE]` for an AppImage (the
   * file, not its mount point, which changes every launch), `[process.execPath]` for an unpacked
   * build, `[process.execPath, app.getAppPath()]` in development. Unused when a package installed
   * the entry.
   */
  readonly exec: readonly string[];
  /** The entry's `Icon`: an icon theme name or an absolute path that outlives the process. */
  readonly icon?: string;
  /**
   * The AppImage's mount point, `$APPDIR` (set by the AppImage runtime; it changes every launch,
   * so the entry cannot point into it). Its largest hicolor PNG of the app is copied to
   * `$XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/<stem>-appimage.png` and named by `Icon`
   * (overriding `icon`); see {@link registerLinuxSchemeHandler}.
   */
  readonly appDir?: string;
  /** False hides the entry from menus (`NoDisplay=true`); default true. */
  readonly showInMenu?: boolean;
}

/** How long one xdg-utils command may take; xdg-mime may probe D-Bus to guess the desktop. */
export const COMMAND_TIMEOUT_MS = 15_000;

/** {@link CommandRunner} over `execFile`, with {@link COMMAND_TIMEOUT_MS} and a 1 MiB output cap. */
export const runCommand: CommandRunner = (file, args, env) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 1 << 20, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ exitCode: 0, stdout, stderr });
        const code: unknown = error.code;
        if (typeof code === 'string' && code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          return reject(error);
        }
        resolve({
          exitCode: typeof code === 'number' ? code : null,
          stdout,
          stderr: stderr || error.message,
        });
      },
    );
  });

/**
 * Makes the app the handler of `<scheme>:` links for this user.
 *
 * - A package installed `desktopFileName` under `$XDG_DATA_DIRS/applications` (deb, rpm): that
 *   entry is used as is. A stale entry the app once wrote under the same name in
 *   `$XDG_DATA_HOME/applications` would hide the package's, so it is deleted.
 * - Otherwise (AppImage, unpacked, development) the app writes
 *   `$XDG_DATA_HOME/applications/<desktopFileName>` (default `~/.local/share`), marked
 *   `X-Latchkey-Managed=true`, atomically (temporary file, then rename), and refreshes that
 *   folder's `mimeinfo.cache` with `update-desktop-database` when installed. An unchanged entry
 *   is not rewritten; a moved AppImage gets a new `Exec`. A file under that name without the
 *   marker is never touched: `foreign-entry`.
 * - With `appDir` (an AppImage), the largest PNG of the app in the image is copied atomically to
 *   `$XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/<stem>-appimage.png` when that file is absent or
 *   holds what the previous entry recorded, and the entry says `Icon=<stem>-appimage` and records
 *   the file and its SHA-256. Identical bytes are not rewritten. A different file there that the
 *   app did not record is kept and not recorded (the entry still names it). No icon in the image,
 *   or one that cannot be copied, gives an entry without `Icon`: never a failure. An icon the
 *   previous entry recorded and the new one does not is deleted if its bytes still match.
 *
 * Then `xdg-mime default <desktopFileName> x-scheme-handler/<scheme>` — skipped when
 * `mimeapps.list` already names us first, so a second run writes nothing — and `xdg-mime query
 * default` must answer `desktopFileName`. No other MIME type is touched.
 *
 * Never throws.
 */
export async function registerLinuxSchemeHandler(
  options: LinuxRegistrationOptions,
): Promise<LinuxRegistration> {
  try {
    return await register(options);
  } catch (error) {
    return failure('xdg-mime-failed', describe(error));
  }
}

/**
 * Undoes {@link registerLinuxSchemeHandler}: deletes the app's own desktop entry (only if it
 * carries the marker) and takes `desktopFileName` out of the `x-scheme-handler/<scheme>` lines
 * of `$XDG_CONFIG_HOME/mimeapps.list` (`[Default Applications]` and `[Added Associations]`),
 * leaving every other byte of that file. A package's entry, a foreign file and other
 * applications are kept. Running it twice is harmless. Needs no xdg-utils. Never throws.
 */
export async function unregisterLinuxSchemeHandler(
  options: LinuxSchemeOptions,
): Promise<LinuxUnregistration> {
  try {
    return await unregister(options);
  } catch (error) {
    return { ok: false, reason: 'mimeapps-unwritable', detail: describe(error) };
  }
}

type Failure = Extract<LinuxRegistration, { ok: false }>;

function failure(reason: LinuxRegistrationFailure, detail: string): Failure {
  return { ok: false, reason, detail };
}

async function register(options: LinuxRegistrationOptions): Promise<LinuxRegistration> {
  const { scheme, desktopFileName } = options;
  const fs = options.fs ?? nodeFs;
  const run = options.run ?? runCommand;
  const invalid = invalidOptions(options);
  if (invalid !== null) return failure('xdg-mime-failed', invalid);
  const paths = xdgPaths(options.env);
  const env = { ...options.env, XDG_DATA_HOME: paths.dataHome, XDG_CONFIG_HOME: paths.configHome };
  const mimeType = `x-scheme-handler/${scheme}`;
  const applications = join(paths.dataHome, 'applications');
  const entryPath = join(applications, desktopFileName);

  let own: OwnEntry;
  try {
    own = await inspectOwnEntry(fs, entryPath);
  } catch (error) {
    return failure('applications-unwritable', describe(error));
  }
  if (own.kind === 'foreign') return failure('foreign-entry', own.detail);

  let wroteEntry = false;
  const packaged = await findPackagedEntry(fs, paths.dataDirs, desktopFileName);
  if (packaged !== null) {
    if (own.kind === 'ours') {
      try {
        await fs.unlink(entryPath);
      } catch (error) {
        return failure('applications-unwritable', describe(error));
      }
      await refreshMimeCache(run, applications, env);
    }
    if (own.kind === 'ours') await removeRecordedIcon(fs, paths.dataHome, own.text, null);
  } else {
    const [program = ''] = options.exec;
    if (program.includes('%')) {
      // The spec's `%%` is right, but GLib looks the program up before undoing it, then ignores
      // the entry (gio/gdesktopappinfo.c g_desktop_app_info_load_from_keyfile: g_shell_parse_argv,
      // then g_find_program_for_path (argv[0])), so links would never reach the app.
      return failure(
        'xdg-mime-failed',
        `the program path contains "%", which GLib cannot launch: ${program}`,
      );
    }
    const previous = own.kind === 'ours' ? own.text : null;
    const icon = await installAppImageIcon(fs, options, paths.dataHome, previous);
    let text: string;
    try {
      text = renderDesktopEntry({
        name: options.appName,
        exec: options.exec,
        mimeType,
        wmClass: desktopFileName.replace(/\.desktop$/, ''),
        icon: icon?.name ?? options.icon,
        iconFile: icon?.file,
        showInMenu: options.showInMenu ?? true,
      });
    } catch (error) {
      return failure('xdg-mime-failed', `invalid options: ${describe(error)}`);
    }
    if (own.kind !== 'ours' || own.text !== text) {
      try {
        await fs.mkdir(applications, { recursive: true, mode: 0o700 });
        await writeAtomically(fs, entryPath, text, 0o644);
      } catch (error) {
        return failure('applications-unwritable', describe(error));
      }
      wroteEntry = true;
      await refreshMimeCache(run, applications, env);
      if (previous !== null) await removeRecordedIcon(fs, paths.dataHome, previous, icon?.file);
    }
  }

  const mimeapps = await readText(fs, join(paths.configHome, 'mimeapps.list'));
  if (mimeapps === null || defaultApplication(mimeapps, mimeType) !== desktopFileName) {
    const set = await xdgMime(run, ['default', desktopFileName, mimeType], env);
    if (!set.ok) return set;
  }
  const query = await xdgMime(run, ['query', 'default', mimeType], env);
  if (!query.ok) return query;
  const answer = query.stdout.trim();
  if (answer !== desktopFileName) {
    return failure(
      'xdg-mime-failed',
      `xdg-mime query default ${mimeType} answered ${JSON.stringify(answer)}, not ${desktopFileName}`,
    );
  }
  return { ok: true, wroteEntry };
}

async function unregister(options: LinuxSchemeOptions): Promise<LinuxUnregistration> {
  const { scheme, desktopFileName } = options;
  const fs = options.fs ?? nodeFs;
  const run = options.run ?? runCommand;
  const invalid = invalidOptions(options);
  if (invalid !== null) return { ok: false, reason: 'invalid-options', detail: invalid };

  const paths = xdgPaths(options.env);
  const env = { ...options.env, XDG_DATA_HOME: paths.dataHome, XDG_CONFIG_HOME: paths.configHome };
  const applications = join(paths.dataHome, 'applications');
  const entryPath = join(applications, desktopFileName);

  let removedEntry = false;
  let removedText = '';
  try {
    const own = await inspectOwnEntry(fs, entryPath);
    if (own.kind === 'ours') {
      await fs.unlink(entryPath);
      removedEntry = true;
      removedText = own.text;
    }
  } catch (error) {
    return { ok: false, reason: 'applications-unwritable', detail: describe(error) };
  }
  if (removedEntry) {
    await refreshMimeCache(run, applications, env);
    await removeRecordedIcon(fs, paths.dataHome, removedText, null);
  }

  let removedAssociations = 0;
  try {
    const file = await fs.realpath(join(paths.configHome, 'mimeapps.list')).catch(absentAsNull);
    const text = file === null ? null : await readText(fs, file);
    if (file !== null && text !== null) {
      const edited = removeAssociation(text, `x-scheme-handler/${scheme}`, desktopFileName);
      if (edited.removed > 0) {
        const { mode } = await fs.stat(file);
        await writeAtomically(fs, file, edited.text, mode & 0o7777);
        removedAssociations = edited.removed;
      }
    }
  } catch (error) {
    return { ok: false, reason: 'mimeapps-unwritable', detail: describe(error) };
  }
  return { ok: true, removedEntry, removedAssociations };
}

function invalidOptions(options: LinuxSchemeOptions): string | null {
  if (!isValidScheme(options.scheme)) {
    return `invalid options: scheme ${JSON.stringify(options.scheme)}`;
  }
  if (!isValidDesktopFileName(options.desktopFileName)) {
    return `invalid options: desktop file name ${JSON.stringify(options.desktopFileName)}`;
  }
  return null;
}

/**
 * `$XDG_DATA_HOME`, `$XDG_CONFIG_HOME` and `$XDG_DATA_DIRS` with the basedir spec's defaults;
 * relative paths are invalid and ignored, as the spec says.
 */
function xdgPaths(env: NodeJS.ProcessEnv): {
  readonly dataHome: string;
  readonly configHome: string;
  readonly dataDirs: readonly string[];
} {
  const home = env['HOME'] || homedir();
  const absolute = (value: string | undefined) => (value && isAbsolute(value) ? value : null);
  return {
    dataHome: absolute(env['XDG_DATA_HOME']) ?? join(home, '.local', 'share'),
    configHome: absolute(env['XDG_CONFIG_HOME']) ?? join(home, '.config'),
    dataDirs: (env['XDG_DATA_DIRS'] || '/usr/local/share/:/usr/share/')
      .split(':')
      .filter((dir) => isAbsolute(dir)),
  };
}

type OwnEntry =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ours'; readonly text: string }
  | { readonly kind: 'foreign'; readonly detail: string };

/** What is at our entry's path. Links, folders and unmarked files are foreign. */
async function inspectOwnEntry(fs: LinuxFs, path: string): Promise<OwnEntry> {
  const stats = await fs.lstat(path).catch(absentAsNull);
  if (stats === null) return { kind: 'absent' };
  if (!stats.isFile()) return { kind: 'foreign', detail: `${path} is not a regular file` };
  const text = await fs.readFile(path, 'utf8');
  return isManagedDesktopEntry(text)
    ? { kind: 'ours', text }
    : { kind: 'foreign', detail: `${path} was not written by Latchkey (no X-Latchkey-Managed)` };
}

/** The first `<dir>/applications/<name>` file in `$XDG_DATA_DIRS`, as a package installs it. */
async function findPackagedEntry(
  fs: LinuxFs,
  dataDirs: readonly string[],
  desktopFileName: string,
): Promise<string | null> {
  for (const dir of dataDirs) {
    const path = join(dir, 'applications', desktopFileName);
    const stats = await fs.stat(path).catch(() => null);
    if (stats?.isFile()) return path;
  }
  return null;
}

/** The file's text, or null when it cannot be read (absent, unreadable). */
async function readText(fs: LinuxFs, path: string): Promise<string | null> {
  return fs.readFile(path, 'utf8').catch(() => null);
}

/** `update-desktop-database <dir>` when it is installed; optional, so every failure is ignored. */
async function refreshMimeCache(run: CommandRunner, dir: string, env: NodeJS.ProcessEnv) {
  await run('update-desktop-database', [dir], env).catch(() => undefined);
}

async function xdgMime(
  run: CommandRunner,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ readonly ok: true; readonly stdout: string } | Failure> {
  const command = `xdg-mime ${args.join(' ')}`;
  let result: CommandResult;
  try {
    result = await run('xdg-mime', args, env);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
    return failure(
      missing ? 'xdg-utils-missing' : 'xdg-mime-failed',
      `${command}: ${describe(error)}`,
    );
  }
  if (result.exitCode !== 0) {
    const status = result.exitCode === null ? 'was killed' : `exited ${result.exitCode}`;
    return failure(
      'xdg-mime-failed',
      `${command} ${status}: ${result.stderr.trim().slice(0, 500)}`,
    );
  }
  return { ok: true, stdout: result.stdout };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
