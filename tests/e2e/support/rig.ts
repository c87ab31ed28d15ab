import { test } from '@playwright/test';
import {
  startOpenRouterEmulator,
  type OpenRouterEmulator,
} from '../../fixtures/openrouter-emulator';
import { startHarness, tempDataDir, type Harness } from './harness';

/**
 * Per test: a fresh OpenRouter emulator, and harnesses pointed at it that are stopped after the
 * test. `restartEmulator()` brings the provider back after a test took it offline.
 */
export function useEmulatorAndHarness() {
  const harnesses: Harness[] = [];
  const rig = {
    emulator: undefined as unknown as OpenRouterEmulator,
    async launch(dataDir = tempDataDir(), args: readonly string[] = []): Promise<Harness> {
      const harness = await startHarness({
        dataDir,
        env: { LATCHKEY_OPENROUTER_URL: rig.emulator.url },
        args,
      });
      harnesses.push(harness);
      return harness;
    },
    async restartEmulator(): Promise<OpenRouterEmulator> {
      rig.emulator = await startOpenRouterEmulator();
      return rig.emulator;
    },
  };
  test.beforeEach(async () => {
    await rig.restartEmulator();
  });
  test.afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((h) => h.stop()));
    await rig.emulator.close();
  });
  return rig;
}
