import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Static checks of electron-builder.yml and the package.json fields electron-builder reads. What
 * electron-builder actually produces from them is checked in tests/package (npm run test:package).
 */
const require = createRequire(import.meta.url);
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, unknown>;
const section = (name: string) => (config[name] ?? {}) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('validates against the schema shipped with electron-builder', () => {
    const schema = JSON.parse(
      readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'),
    ) as object;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const valid = ajv.validate(schema, config);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('names the product and registers the production scheme (product.md)', () => {
    expect(config['appId']).toBe('app.latchkey.desktop');
    expect(config['productName']).toBe('Latchkey');
    expect(config['protocols']).toEqual([expect.objectContaining({ schemes: ['app.latchkey'] })]);
  });

  it('flips the release fuses (security.md 22)', () => {
    expect(config['electronFuses']).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('ships the build output, never the harness, source maps or zod’s sources', () => {
    // Only these are taken from the project; tests/package packages a snapshot of just them.
    const files = config['files'] as string[];
    expect(files.filter((pattern) => !pattern.startsWith('!'))).toEqual([
      'out/main/**',
      'out/preload/**',
      'out/renderer/**',
      'package.json',
    ]);
    expect(config['extraFiles']).toBeUndefined();
    expect(config['extraResources']).toBeUndefined();
    expect(files).toEqual(
      expect.arrayContaining([
        'out/main/**',
        'out/preload/**',
        'out/renderer/**',
        '!out/harness/**',
        '!**/*.map',
        '!**/node_modules/zod/src{,/**}',
        'package.json',
      ]),
    );
  });

  it('gives the deb its metadata: homepage and a maintainer email (package.json)', () => {
    expect(pkg['homepage']).toMatch(/^https:\/\//);
    expect(pkg['author']).toEqual({ name: 'Latchkey', email: expect.stringMatching(/^\S+@\S+$/) });
  });

  it('names the Linux desktop entry latchkey.desktop, as Electron and the deep-link code expect', () => {
    expect(pkg['desktopName']).toBe('latchkey.desktop');
    expect(section('linux')['syncDesktopName']).toBe(true);
    expect(section('linux')['executableName']).toBe('latchkey');
  });

  it('keeps the Chromium sandbox on in the AppImage desktop entry (no --no-sandbox)', () => {
    expect(section('appImage')['executableArgs']).toEqual([]);
    expect(section('linux')['executableArgs']).toBeUndefined();
  });

  it('uses the committed icons, one per platform format', () => {
    expect(section('mac')['icon']).toBe('build/icon.icns');
    expect(section('win')['icon']).toBe('build/icon.ico');
    expect(section('linux')['icon']).toBe('build/icons');
    for (const file of ['build/icon.icns', 'build/icon.ico', 'build/icons/512x512.png']) {
      expect(existsSync(file), file).toBe(true);
    }
  });

  it('undoes the Windows protocol registration on uninstall (nsis.include)', () => {
    expect(section('nsis')['include']).toBe('build/installer.nsh');
    expect(readFileSync('build/installer.nsh', 'utf8')).toContain('!macro customUnInstall');
  });
});
