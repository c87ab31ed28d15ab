import { afterAll } from 'vitest';

/**
 * `ChatStore.start()` begins the lazy load of the markdown pipeline, as the app does. A test file
 * that ends while that import is still in flight would have Vitest tear the module runner down
 * under it, and every such file printed an "EnvironmentTeardownError" (about 1,200 of them per
 * run). Waiting for the same module before teardown lets the load finish; the tests still start
 * without it, as the app does.
 */
afterAll(async () => {
  await import('../../../../renderer/lib/markdown');
});
