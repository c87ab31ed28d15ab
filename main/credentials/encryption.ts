import { assertNever } from '../errors';

/**
 * What actually protects the ciphertext:
 * - `os`: the OS keyring (macOS Keychain, Windows DPAPI, Linux libsecret/KWallet).
 * - `basic_text`: Chromium's Linux fallback with a hard-coded key — no real protection.
 * - `unknown`: Linux before `ready`, or a platform we do not recognise — assume no protection.
 * - `keyfile`: the browser harness and tests (a key file next to the data; never used by the app).
 */
export type EncryptionBackend = 'os' | 'basic_text' | 'unknown' | 'keyfile';

/**
 * Port over the OS encryption (Electron `safeStorage`) so the store is testable and the harness
 * can swap it. Implementations must never put the plaintext into an error message.
 */
export interface EncryptionPort {
  /** Read at the time of use: on Linux the backend is `unknown` until the app is ready. */
  readonly backend: EncryptionBackend;
  /**
   * False when encryption cannot be used at all (then nothing is persisted). A weak backend
   * that works only after {@link allowWeak} counts as available.
   */
  isAvailable(): boolean;
  /**
   * Lets a weak backend encrypt and decrypt. Called only after the user's explicit "remember on
   * this device anyway" (security.md 15), before saving under it or reading back what was saved
   * under it. Absent where there is nothing to switch on.
   */
  allowWeak?(): void;
  /** @throws when encryption fails. */
  encrypt(plaintext: string): Buffer;
  /** @throws when the ciphertext is not ours, was tampered with, or the key is gone. */
  decrypt(ciphertext: Buffer): string;
}

/**
 * security.md 15: on Linux `basic_text`/`unknown` give no real protection, so a secret is only
 * persisted under them after an explicit user choice. `keyfile` is not weak by this definition
 * because it exists only for the harness and tests, where there is no keyring to compare with.
 */
export function isWeakBackend(backend: EncryptionBackend): boolean {
  switch (backend) {
    case 'basic_text':
    case 'unknown':
      return true;
    case 'os':
    case 'keyfile':
      return false;
    default:
      return assertNever(backend);
  }
}
