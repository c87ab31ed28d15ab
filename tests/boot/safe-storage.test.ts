/**
 * Boot test of `out/main/index.js` (issue 9): what a sign-in leaves on disk under each of
 * Electron's Linux `safeStorage` situations (security.md 14–15), with the double reproducing
 * electron_api_safe_storage.cc (see electron-double.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { BootedApp } from './boot';
import { test, type OpenRouterRig } from './boot-test';
import { cipherVersion, doubleDecrypt } from './double-cipher';
import type { SafeStorageMode } from './double-protocol';
import { openRouterState, signIn } from './flows';

interface StoredEntry {
  ciphertext: string;
  weak: boolean;
}

/** `credentials.json` in the app's data folder. */
async function credentialsFile(app: BootedApp): Promise<string> {
  return join((await app.state()).paths.userData, 'credentials.json');
}

/**
 * The OpenRouter entry of the credentials file (`{ version: 1, providers: { … } }`,
 * main/credentials/credential-store.ts), if any.
 */
function storedEntry(file: string): StoredEntry | null {
  if (!existsSync(file)) return null;
  const document = JSON.parse(readFileSync(file, 'utf8')) as {
    version: number;
    providers: Record<string, StoredEntry>;
  };
  if (document.version !== 1)
    throw new Error(`unknown credentials file: ${JSON.stringify(document)}`);
  return document.providers['openrouter'] ?? null;
}

/**
 * A Linux dev build under `mode`, signed in through the whole flow; resolves once the step that
 * persists (or not) has run — it comes right before the background account request.
 */
async function signedIn(
  boot: (options: object) => Promise<BootedApp>,
  openrouter: OpenRouterRig,
  mode: SafeStorageMode,
) {
  const app = await boot({ safeStorage: mode, env: openrouter.env });
  await app.ready();
  await app.finishLoad(await app.mainWindow());
  await signIn(app);
  await app.waitFor('net.fetch', (r) => String(r.data['url']).endsWith('/api/v1/key'));
  const [key] = openrouter.emulator.issuedKeys();
  if (!key) throw new Error('the emulator issued no key');
  return { app, key, file: await credentialsFile(app) };
}

describe.concurrent('safeStorage on Linux', () => {
  test('gnome_libsecret: the key is stored at once, encrypted with the keyring (v11)', async ({
    boot,
    expect,
    openrouter,
  }) => {
    const { app, key, file } = await signedIn(boot, openrouter, 'gnome_libsecret');
    expect((await app.call('app:get-info', undefined)).weakEncryption).toBe(false);
    expect((await openRouterState(app)).auth).toMatchObject({ persistence: 'stored' });

    const entry = await app.until(() => storedEntry(file), 'the stored credential');
    const ciphertext = Buffer.from(entry.ciphertext, 'base64');
    expect(cipherVersion(ciphertext)).toBe('v11');
    expect(doubleDecrypt(ciphertext)).toContain(key);
    expect(entry.weak).toBe(false);
    expect(readFileSync(file, 'utf8')).not.toContain(key);
    expect(app.calls('safeStorage.setUsePlainTextEncryption')).toEqual([]);
  });

  test('basic_text: weak; kept for the session until “remember anyway” turns plain-text encryption on (v10)', async ({
    boot,
    expect,
    openrouter,
  }) => {
    const { app, key, file } = await signedIn(boot, openrouter, 'basic_text');
    expect((await app.call('app:get-info', undefined)).weakEncryption).toBe(true);
    expect((await openRouterState(app)).auth).toMatchObject({ persistence: 'session-only' });
    expect(storedEntry(file)).toBeNull();
    expect(app.calls('safeStorage.setUsePlainTextEncryption')).toEqual([]);

    const remembered = await app.call('auth:remember-anyway', { provider: 'openrouter' });
    expect(remembered.auth).toMatchObject({ persistence: 'stored-weak' });
    const switched = app.calls('safeStorage.setUsePlainTextEncryption');
    expect(switched.map((r) => r.data['usePlainText'])).toEqual([true]);
    const encrypted = app.calls('safeStorage.encryptString');
    expect(encrypted.length).toBeGreaterThan(0);
    expect(switched[0]!.seq).toBeLessThan(encrypted.at(-1)!.seq);

    const entry = storedEntry(file);
    expect(entry).not.toBeNull();
    const ciphertext = Buffer.from(entry!.ciphertext, 'base64');
    expect(cipherVersion(ciphertext)).toBe('v10');
    expect(doubleDecrypt(ciphertext)).toContain(key);
    expect(entry!.weak).toBe(true);
  });

  test('unavailable: nothing is stored, and “remember anyway” is neither offered nor effective', async ({
    boot,
    expect,
    openrouter,
  }) => {
    const { app, file } = await signedIn(boot, openrouter, 'unavailable');
    expect((await app.call('app:get-info', undefined)).weakEncryption).toBe(true);
    // `memory-only` is the persistence for which the page offers no "Remember anyway"
    // (renderer/components/PersistenceNote.svelte offers it for `session-only` only).
    expect((await openRouterState(app)).auth).toMatchObject({ persistence: 'memory-only' });
    const after = await app.call('auth:remember-anyway', { provider: 'openrouter' });
    expect(after.auth).toMatchObject({ persistence: 'memory-only' });
    expect(storedEntry(file)).toBeNull();
    expect(app.calls('safeStorage.setUsePlainTextEncryption')).toEqual([]);
  });
});
