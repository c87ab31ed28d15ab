import type { SafeStorage } from 'electron';
import type { EncryptionBackend, EncryptionPort } from './encryption';

/** The part of Electron's `safeStorage` the port uses, so tests can pass a fake. */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/**
 * Maps the platform and Chromium's Linux password store to an {@link EncryptionBackend}
 * (security.md 15). Only `basic_text` and `unknown` are weak on Linux; libsecret and every
 * KWallet flavour are keyrings. macOS (Keychain) and Windows (DPAPI) always use the OS.
 * Any other platform is not one Electron ships for, so it is treated as `unknown` (weak).
 */
export function safeStorageBackend(
  safeStorage: Pick<SafeStorageLike, 'getSelectedStorageBackend'>,
  platform: NodeJS.Platform,
): EncryptionBackend {
  switch (platform) {
    case 'darwin':
    case 'win32':
      return 'os';
    case 'linux': {
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
  return {
    get backend() {
      return safeStorageBackend(safeStorage, platform);
    },
    isAvailable: () => safeStorage.isEncryptionAvailable(),
    encrypt: (plaintext) => safeStorage.encryptString(plaintext),
    decrypt: (ciphertext) => safeStorage.decryptString(ciphertext),
  };
}
