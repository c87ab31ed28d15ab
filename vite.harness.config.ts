import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Builds the harness bridge (harness/bridge.ts) as one classic script: out/harness/bridge.js. */
export default defineConfig({
  build: {
    outDir: resolve(import.meta.dirname, 'out/harness'),
    emptyOutDir: true,
    lib: {
      entry: resolve(import.meta.dirname, 'harness/bridge.ts'),
      formats: ['iife'],
      name: 'latchkeyHarnessBridge',
      fileName: () => 'bridge.js',
    },
  },
});
