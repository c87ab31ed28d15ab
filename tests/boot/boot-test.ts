/**
 * `test` for the boot suite, with per-test fixtures that work under `test.concurrent`:
 * - `boot(options)`: starts the app ({@link bootApp}); every app is ended when the test ends, and
 *   the test fails if the app used an Electron API the double lacks.
 * - `openrouter`: the OpenRouter emulator behind the cookie-setting proxy; `env` points the app
 *   at the proxy.
 */
import { test as base } from 'vitest';
import { startOpenRouterEmulator, type OpenRouterEmulator } from '../fixtures/openrouter-emulator';
import { bootApp, closeApps, type BootedApp, type BootOptions } from './boot';
import { startCookieProxy, type CookieProxy } from './cookie-proxy';

export interface OpenRouterRig {
  readonly emulator: OpenRouterEmulator;
  readonly proxy: CookieProxy;
  /** The app's environment for it: `LATCHKEY_OPENROUTER_URL` is the proxy. */
  readonly env: Readonly<Record<string, string>>;
}

export const test = base.extend<{
  boot: (options?: BootOptions) => Promise<BootedApp>;
  openrouter: OpenRouterRig;
}>({
  // eslint-disable-next-line no-empty-pattern -- vitest fixtures must destructure their context
  boot: async ({}, use) => {
    const apps: BootedApp[] = [];
    await use(async (options) => {
      const app = await bootApp(options);
      apps.push(app);
      return app;
    });
    await closeApps(apps);
  },
  // eslint-disable-next-line no-empty-pattern -- vitest fixtures must destructure their context
  openrouter: async ({}, use) => {
    const emulator = await startOpenRouterEmulator();
    const proxy = await startCookieProxy(emulator.url);
    await use({ emulator, proxy, env: { LATCHKEY_OPENROUTER_URL: proxy.url } });
    await proxy.close();
    await emulator.close();
  },
});
