import { defineConfig } from 'vitest/config';

/**
 * Tests of what `npm run build` and `npm run package` produce: the packaging check
 * (tests/package) and the boot test of the built main bundle (tests/boot). They need `out/`,
 * so `npm test` runs them after the build; each run is offline.
 */
export default defineConfig({
  test: {
    include: ['tests/package/**/*.test.ts', 'tests/boot/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Packaging runs electron-builder, which is CPU-heavy: one file at a time on 2 cores.
    fileParallelism: false,
  },
});
