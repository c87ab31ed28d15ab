import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(root, 'main/index.ts') },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(root, 'preload/index.ts') },
      rolldownOptions: {
        // A sandboxed preload runs as a classic script: it must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
    build: {
      outDir: resolve(root, 'out/renderer'),
      manifest: true,
      // LATCHKEY_NO_MINIFY=1 keeps names and lines readable in a profile (bench/README notes).
      minify: !process.env['LATCHKEY_NO_MINIFY'],
      // Fonts stay files: the CSP's `font-src 'self'` refuses `data:` URLs (KaTeX's small fonts
      // would otherwise be inlined and blocked).
      assetsInlineLimit: (file) => (/\.(woff2?|ttf|otf)$/.test(file) ? false : undefined),
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
