/**
 * The Electron double's stand-in for OSCrypt: a reversible transform (not encryption) behind the
 * version prefix Chromium writes. `v10` is the hard-coded-password scheme (Linux `basic_text`
 * after `setUsePlainTextEncryption(true)`, and macOS/Windows), `v11` a keyring key (libsecret,
 * KWallet): electron/electron shell/browser/api/electron_api_safe_storage.cc:24-25 (the prefixes)
 * and :259-266 (decryptString refuses anything without one). Shared by the double and the tests,
 * which read the credentials file back with it.
 */

/** Chromium's ciphertext version prefixes. */
export type CipherVersion = 'v10' | 'v11';

const MASK = 0xa5;

function mask(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map((byte) => byte ^ MASK));
}

/** `version` + the masked UTF-8 bytes of `plaintext`: no plaintext byte survives as is. */
export function doubleEncrypt(plaintext: string, version: CipherVersion): Buffer {
  return Buffer.concat([Buffer.from(version, 'latin1'), mask(Buffer.from(plaintext, 'utf8'))]);
}

/** The version prefix of a ciphertext, or null when it has none. */
export function cipherVersion(ciphertext: Uint8Array): CipherVersion | null {
  const prefix = Buffer.from(ciphertext.subarray(0, 3)).toString('latin1');
  return prefix === 'v10' || prefix === 'v11' ? prefix : null;
}

/** The inverse of {@link doubleEncrypt}; the prefix must be there. */
export function doubleDecrypt(ciphertext: Uint8Array): string {
  if (cipherVersion(ciphertext) === null) throw new Error('not a v10/v11 ciphertext');
  return mask(ciphertext.subarray(3)).toString('utf8');
}
