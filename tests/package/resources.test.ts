/**
 * The packaging resources in build/: the icons are ours and current, and the NSIS include
 * compiles against electron-builder's own definitions. Offline and quick.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repo, which } from './builder';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('icons', () => {
  it('build/icon.{png,icns,ico} and build/icons/ are rendered from build/icon.svg, up to date', async () => {
    // Fails when someone edits icon.svg without running `npm run icons` (or edits a bitmap by hand).
    await run(process.execPath, [join(repo, 'scripts', 'make-icons.mjs'), '--check'], {
      cwd: repo,
    });
  });

  it('sizes: a 1024 px PNG, NxN.png for Linux, an ICO up to 256 px, an ICNS with 512/1024 px', async () => {
    expect(pngSize(await readFile(join(repo, 'build', 'icon.png')))).toEqual([1024, 1024]);
    for (const name of await readdir(join(repo, 'build', 'icons'))) {
      const n = Number(/^(\d+)x\1\.png$/.exec(name)?.[1]);
      expect(pngSize(await readFile(join(repo, 'build', 'icons', name)))).toEqual([n, n]);
    }
    const ico = await readFile(join(repo, 'build', 'icon.ico'));
    const icoSizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + i * 16] || 256);
    // electron-builder refuses an .ico without a 256 px image (util/iconConverter.js).
    expect(icoSizes).toContain(256);
    const icns = await readFile(join(repo, 'build', 'icon.icns'));
    expect(icns.toString('latin1', 0, 4)).toBe('icns');
    const types: string[] = [];
    for (let o = 8; o < icns.length; o += icns.readUInt32BE(o + 4)) {
      types.push(icns.toString('latin1', o, o + 4));
    }
    expect(types).toEqual(expect.arrayContaining(['ic09', 'ic10']));
  });
});

describe('build/installer.nsh (NSIS)', () => {
  const templates = join(
    dirname(require.resolve('app-builder-lib/package.json')),
    'templates',
    'nsis',
  );

  it('removes HKCU\\Software\\Classes\\app.latchkey only when it runs this install\'s exe with "%1"', async () => {
    const nsh = await readFile(join(repo, 'build', 'installer.nsh'), 'utf8');
    const macro = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    // What Electron writes (shell/browser/browser_win.cc GetProtocolLaunchPath): "<exe>" "%1".
    expect(macro).toContain(
      `ReadRegStr $0 HKCU "Software\\Classes\\app.latchkey\\shell\\open\\command" ""`,
    );
    expect(macro).toContain(`StrCpy $1 '"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" "%1"'`);
    expect(macro).toMatch(
      /\$\{if\} \$0 == \$1\s+[^\n]*\n\s+DeleteRegKey HKCU "Software\\Classes\\app\.latchkey"/,
    );
    expect(macro).toContain('${ifNot} ${isUpdated}');
  });

  it.runIf(process.platform === 'linux')(
    'compiles with makensis -WX against electron-builder’s own definitions',
    async (ctx) => {
      const makensis = await which('makensis');
      if (makensis == null) {
        console.log('skipped: makensis not installed (Debian package nsis)');
        ctx.skip();
        return;
      }
      // APP_EXECUTABLE_FILENAME comes from electron-builder's common.nsh and ${isUpdated} from its
      // own script generator, so a name electron-builder does not define fails to compile (-WX:
      // an unknown ${define} is a warning, made an error). The one stand-in is the StdUtils plugin
      // call behind the flag (Debian's NSIS does not ship that plugin).
      const { NsisScriptGenerator } =
        require('app-builder-lib/out/targets/nsis/nsisScriptGenerator.js') as {
          NsisScriptGenerator: new () => { flags(f: string[]): void; build(): string };
        };
      const flags = new NsisScriptGenerator();
      flags.flags(['updated']);
      const dir = await mkdtemp(join(tmpdir(), 'latchkey-nsis-'));
      try {
        const script = join(dir, 'harness.nsi');
        await writeFile(
          script,
          `Unicode true
!define PRODUCT_NAME "Latchkey"
!define PRODUCT_FILENAME "Latchkey"
!define VERSION "0.1.0"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "${templates}/common.nsh"
!macro _HarnessTestParameter OUT NAME
  \${GetParameters} \${OUT}
  ClearErrors
  \${GetOptions} \${OUT} "--\${NAME}" \${OUT}
  \${If} \${Errors}
    StrCpy \${OUT} "false"
  \${Else}
    StrCpy \${OUT} "true"
  \${EndIf}
!macroend
!define StdUtils.TestParameter "!insertmacro _HarnessTestParameter"
${flags.build()}
!include "${join(repo, 'build', 'installer.nsh')}"
OutFile "${join(dir, 'harness.exe')}"
RequestExecutionLevel user
Section
  WriteUninstaller "$TEMP\\harness-uninstall.exe"
SectionEnd
Section "un.Uninstall"
  !insertmacro customUnInstall
SectionEnd
`,
        );
        const { stdout } = await run(makensis, ['-WX', '-V2', script]);
        expect(stdout).not.toMatch(/warning/i);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
