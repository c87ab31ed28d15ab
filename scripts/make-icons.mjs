#!/usr/bin/env node
/**
 * Renders the app icon from its one source, build/icon.svg, into what electron-builder packages:
 *
 * - build/icon.png    1024 px (the master bitmap; the source of the two containers below)
 * - build/icons/NxN.png  16…512 px, each rendered from the SVG, for Linux (deb and AppImage install
 *                     them as /usr/share/icons/hicolor/NxN/apps/latchkey.png; hicolor has no
 *                     1024x1024 directory)
 * - build/icon.icns   macOS
 * - build/icon.ico    Windows (16…256 px)
 *
 * With the containers committed, electron-builder never converts an icon, so it never downloads its
 * icons toolset (app-builder-lib/out/util/iconConverter.js: a source that already has the target
 * extension is returned as is). Pure JS + a prebuilt resvg, so it runs offline.
 *
 *   node scripts/make-icons.mjs          write the files
 *   node scripts/make-icons.mjs --check  exit 1 if a committed file differs from a fresh render
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import png2icons from 'png2icons';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'build');

/** Sizes of the Linux icon set: directories that exist in the hicolor theme. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

/** @param {Buffer} svg @param {number} size */
function render(svg, size) {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' })
    .render()
    .asPng();
}

/** @returns {Promise<Map<string, Buffer>>} path relative to the repo → contents */
export async function renderIcons() {
  const svg = await readFile(join(build, 'icon.svg'));
  const master = render(svg, 1024);
  const icns = png2icons.createICNS(master, png2icons.BICUBIC2, 0);
  // forWinExe: PNG chunks, BMP below 64 px, for Windows' file properties dialog (png2icons docs).
  const ico = png2icons.createICO(master, png2icons.BICUBIC2, 0, false, true);
  if (icns == null || ico == null) throw new Error('png2icons could not convert build/icon.png');
  const files = new Map([
    ['build/icon.png', master],
    ['build/icon.icns', icns],
    ['build/icon.ico', ico],
  ]);
  for (const size of LINUX_SIZES) files.set(`build/icons/${size}x${size}.png`, render(svg, size));
  return files;
}

async function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [file, data] of await renderIcons()) {
    const path = join(root, file);
    if (check) {
      const current = await readFile(path).catch(() => null);
      if (current == null || !current.equals(data)) stale.push(file);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    console.log(`${relative(root, path)}  ${data.length} bytes`);
  }
  if (stale.length > 0) {
    console.error(`icons out of date (run: npm run icons): ${stale.join(', ')}`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
