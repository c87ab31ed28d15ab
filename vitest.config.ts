import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const root = import.meta.dirname;
const env = { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent' };

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['tests/unit/renderer/state/**'],
          environment: 'node',
          // electron-store imports `electron`; inlining lets tests mock it (toolchain.md).
          server: { deps: { inline: ['electron-store'] } },
          env,
        },
      },
      {
        extends: true,
        // The renderer's state classes use Svelte runes: compiled as the browser build compiles
        // them (client runtime, `browser` export conditions), run in happy-dom.
        plugins: [svelte({ configFile: resolve(root, 'svelte.config.js') })],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer-state',
          include: ['tests/unit/renderer/state/**/*.test.ts'],
          setupFiles: ['tests/unit/renderer/state/setup.ts'],
          environment: 'happy-dom',
          env,
        },
      },
    ],
  },
});
