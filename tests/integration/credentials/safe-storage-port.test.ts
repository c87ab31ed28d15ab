import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../main/credentials/credential-store';
import { isWeakBackend, type EncryptionBackend } from '../../../main/credentials/encryption';
import {
  createSafeStoragePort,
  type SafeStorageLike,
} from '../../../main/credentials/safe-storage-port';
import { LatchkeyError } from '../../../main/errors';

type LinuxBackend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

/**
 * A fake `safeStorage` that follows Electron's rules on Linux
 * (shell/browser/api/electron_api_safe_storage.cc): `basic_text` is unavailable — and encrypting
 * or decrypting throws — until `setUsePlainTextEncryption(true)`; reversible, visibly not the
 * plaintext, and recording its calls.
 */
function fakeSafeStorage(initial: LinuxBackend = 'gnome_libsecret', available = true) {
  const state = { backend: initial, available, plainText: false, backendCalls: 0 };
  const usable = () => state.available || (state.plainText && state.backend === 'basic_text');
  const safeStorage: SafeStorageLike = {
    isEncryptionAvailable: usable,
    encryptString: (plainText) => {
      if (!usable()) throw new Error('Encryption is not available.');
      return Buffer.from(plainText, 'utf8').reverse();
    },
    decryptString: (encrypted) => {
      if (!usable()) throw new Error('Decryption is not available.');
      return Buffer.from(encrypted).reverse().toString('utf8');
    },
    getSelectedStorageBackend: () => {
      state.backendCalls += 1;
      return state.backend;
    },
    setUsePlainTextEncryption: (use) => {
      state.plainText = use;
    },
  };
  return { safeStorage, state };
}

describe('safeStorage encryption port', () => {
  it.each<[LinuxBackend, EncryptionBackend]>([
    ['basic_text', 'basic_text'],
    ['unknown', 'unknown'],
    ['gnome_libsecret', 'os'],
    ['kwallet', 'os'],
    ['kwallet5', 'os'],
    ['kwallet6', 'os'],
  ])('maps the Linux backend %s to %s', (linux, expected) => {
    const { safeStorage } = fakeSafeStorage(linux);
    expect(createSafeStoragePort(safeStorage, 'linux').backend).toBe(expected);
  });

  it.each<NodeJS.Platform>(['darwin', 'win32'])(
    'uses the OS on %s without asking for a Linux backend',
    (platform) => {
      const { safeStorage, state } = fakeSafeStorage('basic_text');
      expect(createSafeStoragePort(safeStorage, platform).backend).toBe('os');
      expect(state.backendCalls).toBe(0);
    },
  );

  it('treats a platform Electron does not ship for as unknown (weak)', () => {
    const { safeStorage } = fakeSafeStorage();
    const port = createSafeStoragePort(safeStorage, 'freebsd');
    expect(port.backend).toBe('unknown');
    expect(isWeakBackend(port.backend)).toBe(true);
  });

  it('reads the backend at the time of use (unknown until ready on Linux)', () => {
    const { safeStorage, state } = fakeSafeStorage('unknown');
    const port = createSafeStoragePort(safeStorage, 'linux');
    expect(port.backend).toBe('unknown');
    state.backend = 'gnome_libsecret';
    expect(port.backend).toBe('os');
  });

  it('delegates availability, encryption and decryption', () => {
    const { safeStorage, state } = fakeSafeStorage();
    const port = createSafeStoragePort(safeStorage, 'linux');
    expect(port.isAvailable()).toBe(true);
    const ciphertext = port.encrypt('sk-secret');
    expect(ciphertext.toString('utf8')).toBe('terces-ks');
    expect(port.decrypt(ciphertext)).toBe('sk-secret');
    state.available = false;
    expect(port.isAvailable()).toBe(false);
  });

  it.each<[EncryptionBackend, boolean]>([
    ['os', false],
    ['keyfile', false],
    ['basic_text', true],
    ['unknown', true],
  ])('isWeakBackend(%s) is %s', (backend, weak) => {
    expect(isWeakBackend(backend)).toBe(weak);
  });

  it('makes the store refuse to persist under basic_text unless allowed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-safe-storage-'));
    try {
      const { safeStorage } = fakeSafeStorage('basic_text', false);
      const encryption = createSafeStoragePort(safeStorage, 'linux');
      const { store } = CredentialStore.open({ dir, encryption });
      expect(() => store.save('openrouter', 'sk-weak')).toThrow(LatchkeyError);
      expect(fs.readdirSync(dir)).toEqual([]);
      store.save('openrouter', 'sk-weak', {}, { allowWeak: true });
      expect(store.load('openrouter')).toMatchObject({ secret: 'sk-weak', weak: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts basic_text as usable but weak, and never switches plain text on by itself', () => {
    const { safeStorage, state } = fakeSafeStorage('basic_text', false);
    const port = createSafeStoragePort(safeStorage, 'linux');
    expect(port.isAvailable()).toBe(true);
    expect(isWeakBackend(port.backend)).toBe(true);
    expect(state.plainText).toBe(false);
    expect(() => port.encrypt('sk-x')).toThrow();
    port.allowWeak?.();
    expect(state.plainText).toBe(true);
    expect(port.decrypt(port.encrypt('sk-x'))).toBe('sk-x');
  });

  it('is unavailable where Linux has neither a keyring nor basic_text', () => {
    const { safeStorage, state } = fakeSafeStorage('unknown', false);
    const port = createSafeStoragePort(safeStorage, 'linux');
    expect(port.isAvailable()).toBe(false);
    port.allowWeak?.();
    expect(state.plainText).toBe(false);
  });

  it.each<NodeJS.Platform>(['darwin', 'win32'])(
    'never asks for plain-text encryption on %s',
    (platform) => {
      const { safeStorage, state } = fakeSafeStorage('basic_text', true);
      createSafeStoragePort(safeStorage, platform).allowWeak?.();
      expect(state.plainText).toBe(false);
    },
  );

  it('remembers under basic_text after the choice, and reads it back after a restart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-safe-storage-'));
    try {
      const first = fakeSafeStorage('basic_text', false);
      const { store } = CredentialStore.open({
        dir,
        encryption: createSafeStoragePort(first.safeStorage, 'linux'),
      });
      store.save('openrouter', 'sk-remembered', {}, { allowWeak: true });
      expect(first.state.plainText).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8')).not.toContain(
        'sk-remembered',
      );

      // A restart: a new process where plain-text encryption is off again.
      const second = fakeSafeStorage('basic_text', false);
      const reopened = CredentialStore.open({
        dir,
        encryption: createSafeStoragePort(second.safeStorage, 'linux'),
      });
      expect(reopened.store.load('openrouter')).toMatchObject({
        secret: 'sk-remembered',
        weak: true,
      });
      expect(second.state.plainText).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
