import type { SafeStorage } from 'electron';
import type { EncryptionBackend, EncryptionPort } from './encryption';

/** The part of Electron's `safeStorage` the port uses, so tests can pass a fake. */
export type SafeStorageLike = Pick<
  SafeStorage,
  | 'isEncryptionAvailable'
  | 'encryptString'
  | 'decryptString'
  | 'getSelectedStorageBackend'
  | 'setUsePlainTextEncryption'
>;

/**
 * Maps the platform and Chromium's Linux password store to an {@link EncryptionBackend}
 * (security.md 15). Only `basic_text` and `unknown` are weak on Linux; libsecret and every
 * KWallet flavour are keyrings. macOS (Keychain) and Windows (DPAPI) always use the OS.
 * Any other platform is not one Electron ships for, so it is treated as `unknown` (weak).
 *
 * On Linux `isEncryptionAvailable()` is called first: it initialises Chromium's OSCrypt, after
 * which `getSelectedStorageBackend()` names the store actually chosen (it says `unknown` before
 * `ready`: electron/electron shell/browser/api/electron_api_safe_storage.cc,
 * `SafeStorage::GetSelectedLinuxBackend`).
 */
export function safeStorageBackend(
  safeStorage: Pick<SafeStorageLike, 'getSelectedStorageBackend' | 'isEncryptionAvailable'>,
  platform: NodeJS.Platform,
): EncryptionBackend {
  switch (platform) {
    case 'darwin':
    case 'win32':
      return 'os';
    case 'linux': {
      safeStorage.isEncryptionAvailable();
      const selected = safeStorage.getSelectedStorageBackend();
      return selected === 'basic_text' || selected === 'unknown' ? selected : 'os';
    }
    default:
      return 'unknown';
  }
}

/**
 * The {@link EncryptionPort} of the app: Electron `safeStorage`
 * (https://www.electronjs.org/docs/latest/api/safe-storage). It takes `safeStorage` and
 * `process.platform` as parameters (and imports Electron types only) so Node tests can run it
 * with a fake.
 *
 * Linux without a keyring (`basic_text`): Electron reports `isEncryptionAvailable() === false`
 * there until `setUsePlainTextEncryption(true)` is called, and then encrypts with a hard-coded
 * password (electron_api_safe_storage.cc, `SafeStorage::IsEncryptionAvailable`: available when
 * `OSCrypt::IsEncryptionAvailable() || (use_password_v10_ && backend == "basic_text")`; both
 * `EncryptString` and `DecryptString` throw while it is false). So this port
 * - reports `basic_text` as available — it can be used, after the user's choice — and weak;
 * - flips plain-text encryption on only in {@link EncryptionPort.allowWeak}, which the store
 *   calls after the user chose "remember on this device anyway", or to read back a secret that
 *   was saved under that choice.
 *
 * The backend is read on every access rather than once, because on Linux it reads `unknown`
 * until the app has emitted `ready`.
 *
 * Uses the synchronous API (deprecated in favour of the async one since Electron 45, still
 * supported): the store is synchronous, and each call encrypts or decrypts one short secret.
 */
export function createSafeStoragePort(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): EncryptionPort {
  const backend = () => safeStorageBackend(safeStorage, platform);
  return {
    get backend() {
      return backend();
    },
    isAvailable: () =>
      safeStorage.isEncryptionAvailable() ||
      (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'),
    allowWeak: () => {
      if (platform === 'linux' && backend() === 'basic_text') {
        safeStorage.setUsePlainTextEncryption(true);
      }
    },
    encrypt: (plaintext) => safeStorage.encryptString(plaintext),
    decrypt: (ciphertext) => safeStorage.decryptString(ciphertext),
  };
}
