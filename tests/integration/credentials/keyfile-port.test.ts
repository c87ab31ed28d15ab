import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEYFILE_NAME, createKeyfilePort } from '../../../main/credentials/keyfile-port';

const SECRET = 'sk-or-v1-keyfile-canary-0123456789 — ünïcødé ✓';
const HEADER = 1 + 12 + 16;

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-keyfile-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function flip(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe('keyfile encryption port', () => {
  it('round-trips with the documented layout and a fresh IV per call', () => {
    const port = createKeyfilePort(dir);
    expect(port.backend).toBe('keyfile');
    expect(port.isAvailable()).toBe(true);

    const a = port.encrypt(SECRET);
    const b = port.encrypt(SECRET);
    expect(a[0]).toBe(1);
    expect(a.length).toBe(HEADER + Buffer.byteLength(SECRET));
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.includes(Buffer.from(SECRET))).toBe(false);
    expect(port.decrypt(a)).toBe(SECRET);
    expect(port.decrypt(b)).toBe(SECRET);
    expect(port.decrypt(port.encrypt(''))).toBe('');
  });

  it('creates the key on first use only, 32 bytes, mode 0600', () => {
    const keyPath = path.join(dir, KEYFILE_NAME);
    const port = createKeyfilePort(dir);
    expect(fs.existsSync(keyPath)).toBe(false);
    port.encrypt(SECRET);
    expect(fs.readFileSync(keyPath)).toHaveLength(32);
    if (process.platform !== 'win32') expect(fs.statSync(keyPath).mode & 0o777).toBe(0o600);
  });

  it('creates a missing data directory', () => {
    const nested = path.join(dir, 'a', 'b');
    const port = createKeyfilePort(nested);
    expect(port.decrypt(port.encrypt(SECRET))).toBe(SECRET);
    expect(fs.existsSync(path.join(nested, KEYFILE_NAME))).toBe(true);
  });

  it('reuses the key across instances (restart)', () => {
    const ciphertext = createKeyfilePort(dir).encrypt(SECRET);
    const key = fs.readFileSync(path.join(dir, KEYFILE_NAME));
    const restarted = createKeyfilePort(dir);
    expect(restarted.decrypt(ciphertext)).toBe(SECRET);
    expect(fs.readFileSync(path.join(dir, KEYFILE_NAME)).equals(key)).toBe(true);
  });

  it('rejects tampered, truncated, foreign-version and other-key ciphertext', () => {
    const port = createKeyfilePort(dir);
    const ciphertext = port.encrypt(SECRET);
    expect(() => port.decrypt(flip(ciphertext, ciphertext.length - 1))).toThrow(); // data
    expect(() => port.decrypt(flip(ciphertext, 20))).toThrow(); // tag
    expect(() => port.decrypt(flip(ciphertext, 5))).toThrow(); // IV
    expect(() => port.decrypt(flip(ciphertext, 0))).toThrow(); // version
    expect(() => port.decrypt(ciphertext.subarray(0, HEADER - 1))).toThrow();
    expect(() => port.decrypt(Buffer.alloc(0))).toThrow();

    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-keyfile-other-'));
    try {
      expect(() => createKeyfilePort(otherDir).decrypt(ciphertext)).toThrow();
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('never puts the plaintext into an error', () => {
    const port = createKeyfilePort(dir);
    const ciphertext = port.encrypt(SECRET);
    try {
      port.decrypt(flip(ciphertext, ciphertext.length - 1));
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('canary');
    }
  });

  it('is unavailable when the key file is damaged', () => {
    fs.writeFileSync(path.join(dir, KEYFILE_NAME), Buffer.alloc(7), { mode: 0o600 });
    const port = createKeyfilePort(dir);
    expect(port.isAvailable()).toBe(false);
    expect(() => port.encrypt(SECRET)).toThrow(/not 32 bytes/);
  });
});
