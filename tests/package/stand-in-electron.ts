/**
 * Stand-in Electron distributions, so electron-builder can package this app where the real
 * Electron zip cannot be downloaded (`-c.electronDist=<dir>`). Nothing here runs: the "binaries"
 * are a few bytes each. What electron-builder 26.17 needs from a distribution (measured, see
 * docs/toolchain.md "Packaging"):
 *
 * - the fuse wire: the sentinel, a version byte (1), the wire length and one byte per fuse
 *   (ASCII '0' / '1'), in the binary @electron/fuses opens — `electron` on Linux,
 *   `Electron.app/Contents/Frameworks/Electron Framework.framework/Electron Framework` on macOS;
 * - no `resources/*.asar` (electron-builder hashes every asar it finds there);
 * - macOS: `Contents/Info.plist` (electron/electronMac.js refuses a dist without it) and the
 *   helper apps whose Info.plist it rewrites and renames;
 * - Windows: a real PE with version info for `electron.exe` (electron-builder edits its resources:
 *   icon, version strings, asar integrity), here electron-winstaller's Squirrel.exe.
 *
 * Usage (e.g. to try `npm run package` offline):
 *
 *   node --import tsx tests/package/stand-in-electron.ts /tmp/electron-stand-in
 *   npm run package -- --linux dir -c.electronDist=/tmp/electron-stand-in/linux
 *   npm run package -- --mac dir -c.electronDist=/tmp/electron-stand-in/mac
 *   npm run package -- --win dir -c.electronDist=/tmp/electron-stand-in/win
 *
 * The packaged app cannot start: it is for inspecting what electron-builder produces.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseV1Options } from '@electron/fuses';

/** @electron/fuses' sentinel: the fuse wire follows it (node_modules/@electron/fuses/dist/constants.js). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse bytes: ASCII '0' and '1' (@electron/fuses FuseState.DISABLE / ENABLE). */
const DISABLE = 0x30;
const ENABLE = 0x31;
/** Electron 45's wire has 8 fuses (FuseV1Options 0…7). */
export const WIRE_LENGTH = 8;

/** electron-builder's `electronFuses` block: `runAsNode`, `enableCookieEncryption`, … */
export type ElectronFuses = Record<string, boolean | undefined>;

/** The wire index of an `electronFuses` key (`runAsNode` → FuseV1Options.RunAsNode). */
export function fuseIndex(name: string): number {
  const index = (FuseV1Options as unknown as Record<string, number | undefined>)[
    name.charAt(0).toUpperCase() + name.slice(1)
  ];
  if (typeof index !== 'number') throw new Error(`unknown fuse ${name}`);
  return index;
}

/**
 * The wire a stand-in starts with: every fuse `electronFuses` configures starts at the opposite
 * of its configured value, so a fuse electron-builder fails to flip shows in the packaged binary;
 * the others start disabled.
 */
export function oppositeWire(fuses: ElectronFuses): boolean[] {
  const wire: boolean[] = Array.from({ length: WIRE_LENGTH }, () => false);
  for (const [name, value] of Object.entries(fuses)) {
    if (typeof value === 'boolean') wire[fuseIndex(name)] = !value;
  }
  return wire;
}

/** A tiny executable whose bytes carry the fuse wire. */
function binary(name: string, wire: readonly boolean[]): Buffer {
  return Buffer.concat([
    Buffer.from(`#!/bin/sh\necho "${name}: stand-in Electron, not runnable" >&2\nexit 1\n# `),
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    fuseBytes(wire),
    Buffer.from('\n'),
  ]);
}

/** Version 1, the wire length, one byte per fuse. */
function fuseBytes(wire: readonly boolean[]): Buffer {
  return Buffer.from([0x01, wire.length, ...wire.map((on) => (on ? ENABLE : DISABLE))]);
}

function plist(entries: Record<string, string>): string {
  const body = Object.entries(entries)
    .map(([key, value]) => `  <key>${key}</key>\n  <string>${value}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
${body}
</dict>
</plist>
`;
}

async function put(file: string, data: string | Buffer, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, data, { mode });
}

/** Bytes of the stand-in's own icon (macOS), to tell it apart from ours after packaging. */
export const STAND_IN_ICNS = Buffer.from('stand-in electron.icns\n');

/** Writes a Linux x64 distribution into `dir` (emptied first). */
export async function makeLinuxStandIn(dir: string, wire: readonly boolean[]): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await put(join(dir, 'electron'), binary('electron', wire), 0o755);
  await put(join(dir, 'chrome-sandbox'), '#!/bin/sh\nexit 1\n', 0o755);
  await put(join(dir, 'LICENSE'), 'stand-in Electron LICENSE\n');
  await put(join(dir, 'LICENSES.chromium.html'), '<p>stand-in Chromium licenses</p>\n');
  await put(join(dir, 'locales', 'en-US.pak'), 'stand-in\n');
  await mkdir(join(dir, 'resources'), { recursive: true });
  return dir;
}

/** The helper apps Electron ships (electron/electronMac.js getAvailableHelperSuffixes). */
const MAC_HELPERS = ['', ' (Renderer)', ' (Plugin)', ' (GPU)'];

/** Writes a macOS distribution (`<dir>/Electron.app`) into `dir` (emptied first). */
export async function makeMacStandIn(dir: string, wire: readonly boolean[]): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  const contents = join(dir, 'Electron.app', 'Contents');
  await put(
    join(contents, 'Info.plist'),
    plist({
      CFBundleDisplayName: 'Electron',
      CFBundleExecutable: 'Electron',
      CFBundleIconFile: 'electron.icns',
      CFBundleIdentifier: 'com.github.Electron',
      CFBundleName: 'Electron',
      CFBundlePackageType: 'APPL',
      CFBundleShortVersionString: '45.4.1',
      CFBundleVersion: '45.4.1',
    }),
  );
  await put(join(contents, 'MacOS', 'Electron'), '#!/bin/sh\nexit 1\n', 0o755);
  await put(join(contents, 'Resources', 'electron.icns'), STAND_IN_ICNS);
  const framework = join(contents, 'Frameworks', 'Electron Framework.framework');
  await put(join(framework, 'Electron Framework'), binary('Electron Framework', wire), 0o755);
  for (const suffix of MAC_HELPERS) {
    const name = `Electron Helper${suffix}`;
    const helper = join(contents, 'Frameworks', `${name}.app`, 'Contents');
    await put(
      join(helper, 'Info.plist'),
      plist({
        CFBundleDisplayName: name,
        CFBundleExecutable: name,
        CFBundleIdentifier: `com.github.Electron.helper`,
        CFBundleName: name,
        CFBundlePackageType: 'APPL',
      }),
    );
    await put(join(helper, 'MacOS', name), '#!/bin/sh\nexit 1\n', 0o755);
  }
  await put(join(dir, 'LICENSE'), 'stand-in Electron LICENSE\n');
  await put(join(dir, 'LICENSES.chromium.html'), '<p>stand-in Chromium licenses</p>\n');
  return dir;
}

/**
 * A PE file electron-builder can rewrite (version info, icon, asar integrity resource):
 * electron-winstaller's Squirrel.exe, installed with electron-builder (docs/toolchain.md). Null
 * when it is not installed.
 */
export function windowsTemplate(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const file = join(
      dirname(require.resolve('electron-winstaller/package.json')),
      'vendor',
      'Squirrel.exe',
    );
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** Writes a Windows x64 distribution into `dir` (emptied first): `electron.exe` is `template` + the wire. */
export async function makeWindowsStandIn(
  dir: string,
  wire: readonly boolean[],
  template: string,
): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  const pe = await readFile(template);
  await put(
    join(dir, 'electron.exe'),
    Buffer.concat([pe, Buffer.from(FUSE_SENTINEL, 'latin1'), fuseBytes(wire)]),
    0o755,
  );
  await put(join(dir, 'LICENSE'), 'stand-in Electron LICENSE\n');
  await put(join(dir, 'LICENSES.chromium.html'), '<p>stand-in Chromium licenses</p>\n');
  await mkdir(join(dir, 'resources'), { recursive: true });
  return dir;
}

/** Reads `electronFuses` from electron-builder.yml (the repo's). */
export async function configuredFuses(repo: string): Promise<ElectronFuses> {
  const { parse } = await import('yaml');
  const config = parse(await readFile(join(repo, 'electron-builder.yml'), 'utf8')) as {
    electronFuses?: ElectronFuses;
  };
  return config.electronFuses ?? {};
}

// CLI: node --import tsx tests/package/stand-in-electron.ts <dir>
if (process.argv[1] != null && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (out == null) {
    console.error('usage: node --import tsx tests/package/stand-in-electron.ts <dir>');
    process.exit(2);
  }
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const wire = oppositeWire(await configuredFuses(repo));
  const linux = await makeLinuxStandIn(resolve(out, 'linux'), wire);
  const mac = await makeMacStandIn(resolve(out, 'mac'), wire);
  console.log(`--linux -c.electronDist=${linux}\n--mac   -c.electronDist=${mac}`);
  const template = windowsTemplate();
  if (template != null) {
    const win = await makeWindowsStandIn(resolve(out, 'win'), wire, template);
    console.log(`--win   -c.electronDist=${win}`);
  }
}
