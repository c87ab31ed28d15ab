/**
 * The packaging check: electron-builder (this repo's electron-builder.yml, the CLI that
 * `npm run package` runs) packages the built app offline for Linux (deb + AppImage), macOS (dir)
 * and Windows (dir) from stand-in Electron distributions, and this reads back what it produced.
 * Needs `out/` (`npm run build`), of which it packages a snapshot. See ./builder.ts for what is
 * stood in and why that is faithful.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractFile, getRawHeader } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  type AppImageTools,
  type BuilderRun,
  extractAppImage,
  listFiles,
  makeAppImageTools,
  makeFpmShim,
  parseDesktopEntry,
  parsePlist,
  repo,
  runBuilder,
  validateDesktopFile,
  which,
} from './builder';
import {
  type ElectronFuses,
  STAND_IN_ICNS,
  WIRE_LENGTH,
  makeLinuxStandIn,
  makeMacStandIn,
  makeWindowsStandIn,
  oppositeWire,
  windowsTemplate,
} from './stand-in-electron';

const run = promisify(execFile);

const config = parse(await readFile(join(repo, 'electron-builder.yml'), 'utf8')) as {
  electronFuses: ElectronFuses;
};
const pkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  homepage: string;
  desktopName: string;
  author: { name: string; email: string };
};
const SCHEME = 'app.latchkey';
const DESKTOP_FILE = 'latchkey.desktop';

let tmp: string;
let linux: BuilderRun;
let mac: BuilderRun;
/** Null when no PE template is installed (electron-winstaller): the Windows checks skip. */
let win: BuilderRun | null = null;
const peTemplate = windowsTemplate();
let tools: AppImageTools;
let fpmRecord: string;
let appDir: string;
/**
 * The project electron-builder packages: the repository itself, as `npm run package` does. (A copy
 * with node_modules symlinked was tried: npm's tree loader then sees every package as an
 * extraneous link whenever the hidden lockfile is older than node_modules — always in a fresh
 * `npm ci` clone after the build — so `--omit dev` keeps nothing and the asar lost conf's and
 * electron-store's dependencies.) Do not rebuild out/ while this runs.
 */
const project = repo;
/** out/{main,preload,renderer} as electron-builder saw it. */
let built: string[];
const initialWire = oppositeWire(config.electronFuses);

beforeAll(async () => {
  await access(join(repo, 'out', 'main', 'index.js')).catch(() => {
    throw new Error('out/ is missing: run `npm run build` before the packaging check');
  });
  tmp = await mkdtemp(join(tmpdir(), 'latchkey-package-'));
  built = await builtFiles(project);
  const linuxDist = await makeLinuxStandIn(join(tmp, 'electron-linux'), initialWire);
  const macDist = await makeMacStandIn(join(tmp, 'electron-mac'), initialWire);
  fpmRecord = join(tmp, 'fpm-record');
  const fpm = await makeFpmShim(join(tmp, 'fpm'), fpmRecord);
  tools = await makeAppImageTools(join(tmp, 'appimage-tools'));
  const winDist =
    peTemplate == null
      ? null
      : await makeWindowsStandIn(join(tmp, 'electron-win'), initialWire, peTemplate);
  // In parallel: CPU-bound only in part (npm ls, @electron/rebuild's scan, file copies).
  [linux, mac, win] = await Promise.all([
    runBuilder(['--linux', 'deb', 'AppImage'], {
      project,
      dist: linuxDist,
      output: join(tmp, 'linux'),
      env: { CUSTOM_FPM_PATH: fpm, APPIMAGE_TOOLS_PATH: tools.dir },
    }),
    runBuilder(['--mac', 'dir'], { project, dist: macDist, output: join(tmp, 'mac') }),
    winDist == null
      ? null
      : runBuilder(['--win', 'dir'], { project, dist: winDist, output: join(tmp, 'win') }),
  ]);
  console.log(
    `electron-builder: linux ${linux.ms} ms, mac ${mac.ms} ms, ` +
      `win ${win == null ? 'skipped (no electron-winstaller/vendor/Squirrel.exe)' : `${win.ms} ms`} ` +
      `(in parallel); mksquashfs: ` +
      `${tools.realSquashfs ? 'Debian squashfs-tools' : 'stand-in'}; desktop-file-validate: ` +
      `${(await which('desktop-file-validate')) ?? 'absent (those assertions are skipped)'}`,
  );
  const appImage = join(linux.output, `Latchkey-${pkg.version}.AppImage`);
  if (tools.realSquashfs) {
    appDir = join(tmp, 'appimage-root');
    await extractAppImage(appImage, appDir);
  } else {
    console.log('mksquashfs absent (Debian squashfs-tools): reading the AppDir before squashing');
    appDir = tools.stagedCopy;
  }
});

afterAll(async () => {
  if (tmp != null) await rm(tmp, { recursive: true, force: true });
});

/** `runAsNode` for wire index 0, … (electron-builder's names for FuseV1Options). */
function fuseName(index: number): string {
  const name = FuseV1Options[index] ?? `fuse${index}`;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Each configured fuse flipped to its configured value; the others left as they were. */
async function expectFuses(binary: string): Promise<void> {
  const wire = (await getCurrentFuseWire(binary)) as unknown as Record<string, number>;
  const expected: Record<string, string> = {};
  const actual: Record<string, string> = {};
  // @electron/fuses FuseState: ASCII '1' enabled, '0' disabled.
  const state = (byte: number | undefined) =>
    byte === 0x31 ? 'enabled' : byte === 0x30 ? 'disabled' : `byte ${byte}`;
  for (let i = 0; i < WIRE_LENGTH; i++) {
    const configured = config.electronFuses[fuseName(i)];
    expected[fuseName(i)] = (configured ?? initialWire[i]) ? 'enabled' : 'disabled';
    actual[fuseName(i)] = state(wire[String(i)]);
  }
  expect(actual).toEqual(expected);
}

/** A package root in the asar: /node_modules/a[/node_modules/@s/b…]. */
const PACKAGE_ROOT = /^((?:\/node_modules\/(?:@[^/]+\/)?[^/]+)+)\/package\.json$/;

/** name@version of every production package, from npm itself (once per run). */
let production: Promise<string[]> | undefined;
function productionPackages(): Promise<string[]> {
  production ??= npmLsProduction();
  return production;
}

async function npmLsProduction(): Promise<string[]> {
  // npm ls exits 1 on tree problems (extraneous, invalid) but still prints the tree.
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--json'], {
    cwd: repo,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => {
    if (!error.stdout) throw error;
    return { stdout: error.stdout };
  });
  type Tree = { version?: string; dependencies?: Record<string, Tree> };
  const found = new Set<string>();
  const walk = (deps: Record<string, Tree> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      found.add(`${name}@${node.version}`);
      walk(node.dependencies);
    }
  };
  walk((JSON.parse(stdout) as Tree).dependencies);
  return [...found].sort();
}

/** Files of the build output the app runs: out/{main,preload,renderer}, no maps, no .vite. */
async function builtFiles(projectDir: string): Promise<string[]> {
  const files: string[] = [];
  for (const dir of ['main', 'preload', 'renderer']) {
    for (const f of await listFiles(join(projectDir, 'out', dir))) {
      if (!f.endsWith('.map') && !f.startsWith('.vite/')) files.push(`/out/${dir}/${f}`);
    }
  }
  return files.sort();
}

/** Every file (not directory) in an asar, as /path. */
function asarFiles(asar: string): string[] {
  type Node = { files?: Record<string, Node> };
  const files: string[] = [];
  const walk = (node: Node, prefix: string) => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      if (child.files != null) walk(child, `${prefix}/${name}`);
      else files.push(`${prefix}/${name}`);
    }
  };
  walk(getRawHeader(asar).header as unknown as Node, '');
  return files.sort();
}

async function expectAsar(asar: string): Promise<void> {
  const files = asarFiles(asar);
  // Top level: out/, node_modules/, package.json — nothing else.
  expect([...new Set(files.map((p) => p.split('/')[1]))].sort()).toEqual([
    'node_modules',
    'out',
    'package.json',
  ]);
  // out/: exactly out/main, out/preload, out/renderer as built (no out/harness, no maps).
  expect(files.filter((f) => f.startsWith('/out/'))).toEqual(built);
  // node_modules/: exactly the production dependency tree (`npm ls --omit=dev`).
  const packaged = files.flatMap((f) => {
    const root = PACKAGE_ROOT.exec(f)?.[1];
    if (root == null) return [];
    const json = JSON.parse(extractFile(asar, `${root.slice(1)}/package.json`).toString()) as {
      name: string;
      version: string;
    };
    return [`${json.name}@${json.version}`];
  });
  expect([...new Set(packaged)].sort()).toEqual(await productionPackages());
  // …and none of what only development reads.
  const devOnly = files.filter(
    (f) =>
      /\.map$|\.(ts|mts|cts)$|\/(test|tests|__tests__|spec|benchmark)\//.test(f) ||
      f.startsWith('/node_modules/zod/src/') ||
      /\/readme(\.[a-z]+)?$/i.test(f),
  );
  expect(devOnly).toEqual([]);
  // package.json carries desktopName: Electron reads it from here at startup.
  const appPackage = JSON.parse(extractFile(asar, 'package.json').toString()) as typeof pkg;
  expect(appPackage.desktopName).toBe(DESKTOP_FILE);
}

function expectDesktopEntry(text: string, exec: string): void {
  const entry = parseDesktopEntry(text);
  expect(entry.get('Exec')).toBe(exec);
  expect(entry.get('Exec')).toMatch(/ %U$/);
  expect(entry.get('Exec')).not.toContain('--no-sandbox');
  expect((entry.get('MimeType') ?? '').split(';')).toContain(`x-scheme-handler/${SCHEME}`);
  expect(entry.get('StartupWMClass')).toBe(DESKTOP_FILE.replace(/\.desktop$/, ''));
  expect(entry.get('Icon')).toBe('latchkey');
}

async function expectValidDesktopFile(file: string): Promise<void> {
  const problems = await validateDesktopFile(file);
  if (problems == null) {
    console.log(`skipped desktop-file-validate ${file}: not installed (Debian desktop-file-utils)`);
    return;
  }
  expect(problems).toEqual([]);
}

it('electronFuses sets every fuse on Electron 45’s wire but the V8 snapshot one', () => {
  // So a fuse dropped from electron-builder.yml shows here too: it would keep Electron's default.
  const all = Array.from({ length: WIRE_LENGTH }, (_, i) => fuseName(i));
  expect(Object.keys(config.electronFuses).sort()).toEqual(
    all.filter((name) => name !== 'loadBrowserProcessSpecificV8Snapshot').sort(),
  );
});

describe('Linux (deb, AppImage)', () => {
  it('flips every fuse electronFuses configures', async () => {
    await expectFuses(join(linux.output, 'linux-unpacked', 'latchkey'));
  });

  it('app.asar holds out/{main,preload,renderer}, production node_modules and package.json only', async () => {
    await expectAsar(join(linux.output, 'linux-unpacked', 'resources', 'app.asar'));
  });

  it('deb: maintainer and homepage from package.json', async () => {
    const args = JSON.parse(await readFile(join(fpmRecord, 'args.json'), 'utf8')) as string[];
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('-t')).toBe('deb');
    expect(flag('--name')).toBe('latchkey');
    expect(flag('--maintainer')).toBe(`${pkg.author.name} <${pkg.author.email}>`);
    expect(flag('--url')).toBe(pkg.homepage);
    expect(flag('--description')?.split('\n')[0]?.trim()).not.toBe('');
  });

  it(`deb: one desktop entry, ${DESKTOP_FILE}, handling ${SCHEME}: with %U and the sandbox on`, async () => {
    const applications = join(fpmRecord, 'root', 'usr', 'share', 'applications');
    expect(await readdir(applications)).toEqual([DESKTOP_FILE]);
    const file = join(applications, DESKTOP_FILE);
    expectDesktopEntry(await readFile(file, 'utf8'), '/opt/Latchkey/latchkey %U');
    await expectValidDesktopFile(file);
    // after-install refreshes the desktop database, which is what makes the MimeType count.
    expect(await readFile(join(fpmRecord, 'after-install'), 'utf8')).toContain(
      'update-desktop-database /usr/share/applications',
    );
  });

  it('deb: installs our icon in every hicolor size up to 512 px', async () => {
    const hicolor = join(fpmRecord, 'root', 'usr', 'share', 'icons', 'hicolor');
    const sizes = (await readdir(hicolor)).sort((a, b) => parseInt(a) - parseInt(b));
    expect(sizes).toEqual([
      '16x16',
      '24x24',
      '32x32',
      '48x48',
      '64x64',
      '128x128',
      '256x256',
      '512x512',
    ]);
    for (const size of sizes) {
      const packaged = await readFile(join(hicolor, size, 'apps', 'latchkey.png'));
      expect(packaged.equals(await readFile(join(repo, 'build', 'icons', `${size}.png`)))).toBe(
        true,
      );
    }
  });

  it(`AppImage: ${DESKTOP_FILE} runs AppRun %U without --no-sandbox, and carries our icon`, async () => {
    const desktopFiles = (await readdir(appDir)).filter((f) => f.endsWith('.desktop'));
    expect(desktopFiles).toEqual([DESKTOP_FILE]);
    const file = join(appDir, DESKTOP_FILE);
    expectDesktopEntry(await readFile(file, 'utf8'), 'AppRun %U');
    await expectValidDesktopFile(file);
    const dirIcon = join(appDir, await readlink(join(appDir, '.DirIcon')));
    expect(dirIcon).toBe(join(appDir, 'usr/share/icons/hicolor/512x512/apps/latchkey.png'));
    expect(
      (await readFile(dirIcon)).equals(await readFile(join(repo, 'build/icons/512x512.png'))),
    ).toBe(true);
    // Same app inside: the fuses and the asar are the unpacked dir's.
    await expectFuses(join(appDir, 'latchkey'));
    expect((await stat(join(appDir, 'resources', 'app.asar'))).size).toBe(
      (await stat(join(linux.output, 'linux-unpacked', 'resources', 'app.asar'))).size,
    );
  });
});

describe('macOS (dir)', () => {
  const app = () => join(mac.output, 'mac', 'Latchkey.app');
  const infoPlist = async () =>
    parsePlist(await readFile(join(app(), 'Contents', 'Info.plist'), 'utf8')) as Record<
      string,
      unknown
    >;

  it('flips every fuse electronFuses configures (in Electron Framework)', async () => {
    await expectFuses(app());
  });

  it('app.asar holds out/{main,preload,renderer}, production node_modules and package.json only', async () => {
    await expectAsar(join(app(), 'Contents', 'Resources', 'app.asar'));
  });

  it(`Info.plist registers the ${SCHEME} URL scheme`, async () => {
    const plist = await infoPlist();
    expect(plist['CFBundleIdentifier']).toBe('app.latchkey.desktop');
    expect(plist['CFBundleURLTypes']).toEqual([
      expect.objectContaining({ CFBundleURLSchemes: [SCHEME] }),
    ]);
  });

  it('Info.plist pins the asar header hash (embedded asar integrity)', async () => {
    const plist = await infoPlist();
    const integrity = plist['ElectronAsarIntegrity'] as Record<string, { hash: string }>;
    const { headerString } = getRawHeader(join(app(), 'Contents', 'Resources', 'app.asar'));
    expect(integrity['Resources/app.asar']?.hash).toBe(
      createHash('sha256').update(headerString).digest('hex'),
    );
  });

  it("uses our icon.icns (with 512 and 1024 px images), not Electron's", async () => {
    const plist = await infoPlist();
    const resources = join(app(), 'Contents', 'Resources');
    expect(plist['CFBundleIconFile']).toBe('icon.icns');
    const icns = await readFile(join(resources, 'icon.icns'));
    expect(icns.equals(await readFile(join(repo, 'build', 'icon.icns')))).toBe(true);
    expect(icns.equals(STAND_IN_ICNS)).toBe(false);
    expect(await readdir(resources)).not.toContain('electron.icns');
    const types: string[] = [];
    for (let o = 8; o < icns.length; o += icns.readUInt32BE(o + 4))
      types.push(icns.toString('latin1', o, o + 4));
    expect(types).toEqual(expect.arrayContaining(['ic09', 'ic10'])); // 512 and 1024 px PNGs
  });
});

describe.runIf(peTemplate != null)('Windows (dir)', () => {
  // The exe name build/installer.nsh compares the protocol handler with: $INSTDIR\${APP_EXECUTABLE_FILENAME},
  // "${PRODUCT_FILENAME}.exe" (app-builder-lib/templates/nsis/common.nsh).
  const exe = () => join(win!.output, 'win-unpacked', 'Latchkey.exe');

  it('flips every fuse electronFuses configures (in Latchkey.exe)', async () => {
    await expectFuses(exe());
  });

  it('app.asar holds out/{main,preload,renderer}, production node_modules and package.json only', async () => {
    await expectAsar(join(win!.output, 'win-unpacked', 'resources', 'app.asar'));
  });

  it('embeds our icon.ico (its 256 px image) in Latchkey.exe', async () => {
    const ico = await readFile(join(repo, 'build', 'icon.ico'));
    const entry = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => 6 + i * 16).find(
      (e) => ico[e] === 0,
    )!;
    const png = ico.subarray(
      ico.readUInt32LE(entry + 12),
      ico.readUInt32LE(entry + 12) + ico.readUInt32LE(entry + 8),
    );
    expect((await readFile(exe())).indexOf(png)).toBeGreaterThan(0);
  });
});

it('electron-builder downloaded nothing (no icon toolset, no Electron, no fpm)', () => {
  for (const log of [linux.log, mac.log, win?.log ?? '']) {
    expect(log).not.toMatch(/\bdownload/i);
  }
});
