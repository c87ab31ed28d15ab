/**
 * Runs the real electron-builder (the repo's electron-builder.yml, `npm run package`'s CLI)
 * offline, against stand-in Electron distributions and stand-in external tools, into a temp dir.
 * What is replaced, and how electron-builder 26.17 lets us (node_modules/app-builder-lib/out):
 *
 * - Electron zip → `-c.electronDist=<dir>` (electron/ElectronFramework.js: an unpacked directory
 *   is copied as is); see ./stand-in-electron.ts.
 * - fpm (the deb) → `CUSTOM_FPM_PATH` (toolsets/linux.js getFpmPath): a shim that records its
 *   arguments and copies every file it was asked to stage (`src=/dest`) plus the after-install /
 *   after-remove scripts, so a test reads them exactly as fpm would package them.
 * - the AppImage toolset → `APPIMAGE_TOOLS_PATH` (toolsets/linux.js getAppImageTools, FUSE2
 *   layout: `linux-<host arch>/{mksquashfs,desktop-file-validate}`, `runtime-<arch>`,
 *   `lib/<arch>/`). mksquashfs is Debian's (squashfs-tools) when installed, so the AppImage is a
 *   real squashfs after a stand-in runtime; without it a stand-in mksquashfs copies the staged
 *   AppDir instead. Either way the test reads the AppDir exactly as it would be squashed.
 * - icons: none needed; every platform's icon is committed in its own format (build/).
 */
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repo = resolve(import.meta.dirname, '..', '..');

/** Path of an executable on PATH, or null. */
export async function which(name: string): Promise<string | null> {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, 1);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/** Writes the fpm shim; it records into `recordDir` (args.json, root/<dest>, after-install, …). */
export async function makeFpmShim(dir: string, recordDir: string): Promise<string> {
  const shim = join(dir, 'fpm');
  await mkdir(dir, { recursive: true });
  await writeFile(
    shim,
    `#!${process.execPath}
// fpm stand-in (tests/package/builder.ts): records what electron-builder asks fpm to package.
const fs = require('node:fs');
const path = require('node:path');
const record = ${JSON.stringify(recordDir)};
const args = process.argv.slice(2);
fs.mkdirSync(record, { recursive: true });
fs.writeFileSync(path.join(record, 'args.json'), JSON.stringify(args, null, 2));
const value = (flag) => { const i = args.indexOf(flag); return i === -1 ? null : args[i + 1]; };
for (const [flag, name] of [['--after-install', 'after-install'], ['--after-remove', 'after-remove']]) {
  const file = value(flag);
  if (file) fs.copyFileSync(file, path.join(record, name));
}
const mappings = [];
for (const arg of args) {
  const m = /^(\\/.+?)=(\\/.*)$/.exec(arg);
  if (!m || !fs.existsSync(m[1])) continue;
  mappings.push({ from: m[1], to: m[2] });
  if (fs.statSync(m[1]).isFile()) {
    const target = path.join(record, 'root', m[2]);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(m[1], target);
  }
}
fs.writeFileSync(path.join(record, 'mappings.json'), JSON.stringify(mappings, null, 2));
const out = value('--package');
if (out) fs.writeFileSync(out, 'stand-in deb: see ' + record + '\\n');
`,
  );
  await chmod(shim, 0o755);
  return shim;
}

/** The AppImage runtime stand-in: what precedes the squashfs in the .AppImage. */
export const STAND_IN_RUNTIME = Buffer.from('stand-in AppImage runtime (tests/package)\n');

export interface AppImageTools {
  dir: string;
  /** true: Debian's mksquashfs; false: a stand-in that copies the AppDir to `stagedCopy`. */
  realSquashfs: boolean;
  stagedCopy: string;
}

/** Lays out an APPIMAGE_TOOLS_PATH directory (FUSE2 layout, see toolsets/linux.js). */
export async function makeAppImageTools(dir: string, arch = 'x64'): Promise<AppImageTools> {
  const hostArch = process.arch === 'arm64' ? 'arm64' : process.arch === 'ia32' ? 'ia32' : 'x64';
  const bin = join(dir, `linux-${hostArch}`);
  const stagedCopy = join(dir, 'appdir-copy');
  await mkdir(bin, { recursive: true });
  await mkdir(join(dir, 'lib', arch), { recursive: true });
  await writeFile(join(dir, `runtime-${arch}`), STAND_IN_RUNTIME);
  const mksquashfs = await which('mksquashfs');
  if (mksquashfs != null) {
    await symlink(mksquashfs, join(bin, 'mksquashfs'));
  } else {
    // mksquashfs <stageDir> <output> -offset N …: keep the AppDir, write a placeholder image.
    await writeFile(
      join(bin, 'mksquashfs'),
      `#!/bin/sh\nset -e\nrm -rf '${stagedCopy}'\ncp -a "$1" '${stagedCopy}'\nprintf 'stand-in squashfs\\n' > "$2"\n`,
      { mode: 0o755 },
    );
  }
  // Required to exist, never run by the FUSE2 path.
  const validate = await which('desktop-file-validate');
  if (validate != null) await symlink(validate, join(bin, 'desktop-file-validate'));
  else await writeFile(join(bin, 'desktop-file-validate'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  return { dir, realSquashfs: mksquashfs != null, stagedCopy };
}

/** Extracts the squashfs that follows the stand-in runtime into `dest`. */
export async function extractAppImage(appImage: string, dest: string): Promise<void> {
  await run('unsquashfs', [
    '-no-progress',
    '-quiet',
    '-offset',
    String(STAND_IN_RUNTIME.length),
    '-dest',
    dest,
    appImage,
  ]);
}

export interface BuilderRun {
  output: string;
  log: string;
  ms: number;
}

/**
 * `electron-builder --config electron-builder.yml <args> -c.electronDist=<dist>
 * -c.directories.output=<output>` in `project` (the repository itself), as `npm run package` runs
 * it (minus the build, which the caller has done). Throws with the whole log on failure.
 */
export async function runBuilder(
  args: string[],
  opts: { project: string; dist: string; output: string; env?: Record<string, string> },
): Promise<BuilderRun> {
  const started = Date.now();
  const bin = join(repo, 'node_modules', '.bin', 'electron-builder');
  const cliArgs = [
    '--config',
    'electron-builder.yml',
    ...args,
    '--x64',
    '--publish',
    'never',
    `-c.electronDist=${opts.dist}`,
    `-c.directories.output=${opts.output}`,
  ];
  try {
    const { stdout, stderr } = await run(bin, cliArgs, {
      cwd: opts.project,
      env: { ...process.env, CI: 'true', ...opts.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { output: opts.output, log: stdout + stderr, ms: Date.now() - started };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `electron-builder ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      { cause: error },
    );
  }
}

/** `[Desktop Entry]` keys of a desktop file (the main group only). */
export function parseDesktopEntry(text: string): Map<string, string> {
  const entry = new Map<string, string>();
  let group = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('[')) {
      group = line;
      continue;
    }
    const eq = line.indexOf('=');
    if (group === '[Desktop Entry]' && eq > 0) entry.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return entry;
}

/** `desktop-file-validate <file>`: its complaints, or null when the tool is absent. */
export async function validateDesktopFile(file: string): Promise<string[] | null> {
  const tool = await which('desktop-file-validate');
  if (tool == null) return null;
  try {
    const { stdout, stderr } = await run(tool, [file]);
    return (stdout + stderr).split('\n').filter((l) => l.trim() !== '');
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return [`exit: ${e.message}`, ...`${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n')].filter(
      (l) => l.trim() !== '',
    );
  }
}

/** Every file under `dir`, relative, with `/` separators. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

/** A minimal XML property list reader (dict, array, string, integer, real, true, false, date, data). */
export function parsePlist(xml: string): PlistValue {
  const tokens = [
    ...xml.matchAll(
      /<(\/?)(dict|array|key|string|integer|real|date|data|true|false)(\/?)>([^<]*)/g,
    ),
  ];
  let i = 0;
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&');
  const value = (): PlistValue => {
    const t = tokens[i++];
    if (t == null) throw new Error('plist: unexpected end');
    const [, close, tag, selfClosing, text = ''] = t;
    if (close) throw new Error(`plist: unexpected </${tag}>`);
    switch (tag) {
      case 'true':
      case 'false':
        if (!selfClosing) i++;
        return tag === 'true';
      case 'string':
      case 'date':
      case 'data':
        if (selfClosing) return '';
        i++;
        return decode(text);
      case 'integer':
      case 'real':
        i++;
        return Number(text);
      case 'array': {
        const items: PlistValue[] = [];
        if (selfClosing) return items;
        while (tokens[i]?.[1] !== '/') items.push(value());
        i++;
        return items;
      }
      case 'dict': {
        const dict: Record<string, PlistValue> = {};
        if (selfClosing) return dict;
        while (tokens[i]?.[1] !== '/') {
          const key = tokens[i++];
          if (key?.[2] !== 'key') throw new Error('plist: expected <key>');
          i++; // </key>
          dict[decode(key[4] ?? '')] = value();
        }
        i++;
        return dict;
      }
      default:
        throw new Error(`plist: unexpected <${tag}>`);
    }
  };
  return value();
}
