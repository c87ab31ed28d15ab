import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EncryptionPort } from './encryption';

/** File name of the key inside the data directory. */
export const KEYFILE_NAME = 'harness-encryption.key';

const VERSION = 1;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * An {@link EncryptionPort} for the browser harness and tests, where Electron's `safeStorage`
 * does not exist. AES-256-GCM (authenticated, so tampering is detected) with a random 32-byte
 * key kept in `<dataDir>/harness-encryption.key` (mode 0600), created on first use and reused
 * after a restart. The key sits next to the data, so this protects nothing on a real device:
 * the app itself never uses it.
 *
 * Ciphertext layout: version byte (1) | 12-byte IV | 16-byte GCM tag | data.
 */
export function createKeyfilePort(dataDir: string): EncryptionPort {
  const keyPath = path.join(dataDir, KEYFILE_NAME);
  let key: Buffer | undefined;

  const loadKey = (): Buffer => {
    if (key) return key;
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      // `wx`: two instances racing on first use cannot both create (and overwrite) a key.
      fs.writeFileSync(keyPath, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const bytes = fs.readFileSync(keyPath);
    if (bytes.length !== KEY_BYTES) {
      throw new Error(`Harness key file ${keyPath} is not ${KEY_BYTES} bytes long`);
    }
    key = bytes;
    return key;
  };

  return {
    backend: 'keyfile',
    isAvailable() {
      try {
        loadKey();
        return true;
      } catch {
        return false;
      }
    },
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv, { authTagLength: TAG_BYTES });
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), data]);
    },
    decrypt(ciphertext) {
      if (ciphertext.length < HEADER_BYTES || ciphertext[0] !== VERSION) {
        throw new Error('Not a harness ciphertext');
      }
      const iv = ciphertext.subarray(1, 1 + IV_BYTES);
      const tag = ciphertext.subarray(1 + IV_BYTES, HEADER_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(tag);
      const data = ciphertext.subarray(HEADER_BYTES);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    },
  };
}
