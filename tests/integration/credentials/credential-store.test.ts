import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CredentialStore,
  createConfContainer,
  moveAside,
  type Container,
  type ContainerOptions,
} from '../../../main/credentials/credential-store';
import {
  ELECTRON_STORE_IPC_CHANNEL,
  createElectronStoreContainer,
} from '../../../main/credentials/electron-store-container';
import type { EncryptionBackend, EncryptionPort } from '../../../main/credentials/encryption';
import { KEYFILE_NAME, createKeyfilePort } from '../../../main/credentials/keyfile-port';
import { SettingsStore } from '../../../main/credentials/settings-store';
import { LatchkeyError } from '../../../main/errors';

// electron-store imports `electron`, whose binary is absent here: a fake main process
// (toolchain.md). It records the IPC listeners electron-store registers.
const fake = vi.hoisted(() => {
  const channels = new Map<string, number>();
  const mainIpc = {
    on(channel: string) {
      channels.set(channel, (channels.get(channel) ?? 0) + 1);
      return mainIpc;
    },
    removeAllListeners(channel: string) {
      channels.delete(channel);
      return mainIpc;
    },
  };
  const app = { getPath: () => '/nonexistent-user-data', getVersion: () => '0.1.0' };
  const registered: string[] = [];
  const recordingIpc = {
    ...mainIpc,
    on(channel: string) {
      registered.push(channel);
      return mainIpc.on(channel);
    },
  };
  const electron = { app, ipcMain: recordingIpc, shell: {} };
  return { channels, registered, electron };
});
vi.mock('electron', () => ({ default: fake.electron, ...fake.electron }));

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const now = () => NOW;

let tmp: string;
let canary: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-credentials-'));
  canary = `sk-or-v1-CANARY-${randomBytes(12).toString('hex')}`;
});

afterEach(() => {
  fs.chmodSync(tmp, 0o700);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const POSIX = process.platform !== 'win32';
const ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** Every file under `dir`, recursively. */
function filesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** The raw bytes of no file under `dir` contain `secret`. */
function expectNowhereOnDisk(dir: string, secret: string): void {
  const needle = Buffer.from(secret, 'utf8');
  for (const file of filesIn(dir)) {
    expect(fs.readFileSync(file).includes(needle), `${file} contains the secret`).toBe(false);
  }
}

function withBackend(port: EncryptionPort, backend: EncryptionBackend): EncryptionPort {
  return {
    backend,
    isAvailable: () => port.isAvailable(),
    encrypt: (plaintext) => port.encrypt(plaintext),
    decrypt: (ciphertext) => port.decrypt(ciphertext),
  };
}

function expectLatchkeyError(run: () => unknown, code: string): LatchkeyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe(code);
    return error as LatchkeyError;
  }
  return expect.unreachable('expected a LatchkeyError');
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

interface RawFile {
  version: number;
  providers: Record<string, { ciphertext: string; meta: unknown; weak: boolean }>;
}

function readRaw(file: string): RawFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RawFile;
}

const CONTAINERS: {
  name: string;
  createContainer: ((options: ContainerOptions) => Container) | undefined;
}[] = [
  { name: 'conf (default)', createContainer: undefined },
  { name: 'electron-store', createContainer: createElectronStoreContainer },
];

describe.each(CONTAINERS)('CredentialStore on $name', ({ createContainer }) => {
  const baseContainer = createContainer ?? createConfContainer;

  function open(
    dir = tmp,
    encryption: EncryptionPort = createKeyfilePort(dir),
    extra: { createContainer?: (options: ContainerOptions) => Container } = {},
  ) {
    return CredentialStore.open({ dir, encryption, createContainer, now, ...extra });
  }

  it('round-trips a secret and its metadata across a restart', () => {
    const first = open();
    expect(first.corrupt).toBeNull();
    expect(first.store.load('openrouter')).toBeNull();
    expect(first.store.lastError).toBeNull();
    first.store.save('openrouter', canary, { label: 'Work key', usage: 1.5, tags: ['a'] });
    expect(first.store.path).toBe(path.join(tmp, 'credentials.json'));

    const restarted = open();
    expect(restarted.corrupt).toBeNull();
    expect(restarted.store.load('openrouter')).toEqual({
      secret: canary,
      savedAt: NOW,
      meta: { label: 'Work key', usage: 1.5, tags: ['a'] },
      weak: false,
    });
    expect(restarted.store.lastError).toBeNull();
    expect(restarted.store.load('yooai')).toBeNull();
  });

  it('removes the temp files a killed write left, and only those', () => {
    const first = open();
    first.store.save('openrouter', canary, {});
    const stored = fs.readFileSync(path.join(tmp, 'credentials.json'), 'utf8');
    // What atomically leaves when the process dies between writing the temp file and renaming it.
    const stray = [
      'credentials.json.tmp-1764000000a1b2c3',
      'credentials.json.tmp-1764000001ffffff',
    ];
    const kept = ['credentials.json.tmp-notours', 'settings.json.tmp-1764000000a1b2c3'];
    for (const name of [...stray, ...kept]) fs.writeFileSync(path.join(tmp, name), '{"half":');

    const restarted = open();
    expect(restarted.corrupt).toBeNull();
    expect(restarted.store.load('openrouter')?.secret).toBe(canary);
    expect(fs.readFileSync(path.join(tmp, 'credentials.json'), 'utf8')).toBe(stored);
    const left = fs.readdirSync(tmp);
    for (const name of stray) expect(left).not.toContain(name);
    for (const name of kept) expect(left).toContain(name);
  });

  it('keeps structured (JSON) secrets opaque and several providers apart', () => {
    const { store } = open();
    const tokens = JSON.stringify({ access: `${canary}-a`, refresh: `${canary}-r` });
    store.save('openrouter', canary);
    store.save('yooai', tokens);
    expect(store.load('openrouter')?.secret).toBe(canary);
    expect(JSON.parse(open().store.load('yooai')?.secret ?? 'null')).toEqual({
      access: `${canary}-a`,
      refresh: `${canary}-r`,
    });
  });

  it.runIf(POSIX)('creates the directory 0700 and the file 0600', () => {
    const dir = path.join(tmp, 'nested', 'data');
    const { store } = open(dir);
    expect(mode(dir)).toBe(0o700);
    store.save('openrouter', canary);
    expect(mode(store.path)).toBe(0o600);
    store.updateMeta('openrouter', { label: 'x' });
    store.save('yooai', canary);
    expect(mode(store.path)).toBe(0o600);
    expect(mode(path.join(dir, KEYFILE_NAME))).toBe(0o600);
  });

  it('never writes the secret in plaintext to any file', () => {
    const { store } = open();
    store.save('openrouter', canary, { label: 'Work key' });
    store.save('yooai', JSON.stringify({ refresh: canary }));
    store.updateMeta('openrouter', { usage: 3 });
    store.delete('yooai');
    open().store.load('openrouter');
    expectNowhereOnDisk(tmp, canary);

    const raw = readRaw(store.path);
    expect(raw.version).toBe(1);
    const entry = raw.providers.openrouter;
    expect(entry?.ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(entry?.ciphertext ?? '', 'base64')[0]).toBe(1); // keyfile version byte
  });

  it('never puts the secret into an error, even through its cause', () => {
    const port = createKeyfilePort(tmp);
    const failing: EncryptionPort = {
      ...withBackend(port, 'os'),
      encrypt: () => {
        throw new Error('keyring locked');
      },
    };
    const error = expectLatchkeyError(
      () => open(tmp, failing).store.save('openrouter', canary),
      'STORE_WRITE_FAILED',
    );
    expect(inspect(error, { depth: 10 })).not.toContain(canary);
    expect(JSON.stringify(error)).not.toContain(canary);
  });

  it.each<EncryptionBackend>(['basic_text', 'unknown'])(
    'refuses to persist under %s without allowWeak, and flags it weak with it',
    (backend) => {
      const weakPort = withBackend(createKeyfilePort(tmp), backend);
      const { store } = open(tmp, weakPort);
      const error = expectLatchkeyError(
        () => store.save('openrouter', canary),
        'STORE_WRITE_FAILED',
      );
      expect(error.cause).toBeInstanceOf(Error);
      expect(fs.existsSync(store.path)).toBe(false);
      expectNowhereOnDisk(tmp, canary);

      store.save('openrouter', canary, { label: 'weak' }, { allowWeak: true });
      expect(open(tmp, weakPort).store.load('openrouter')).toMatchObject({
        secret: canary,
        weak: true,
      });
      expectNowhereOnDisk(tmp, canary);

      // Saved again once a keyring is there: no longer weak.
      expect(() => store.save('openrouter', canary)).toThrow(LatchkeyError);
      const strong = open(tmp, withBackend(createKeyfilePort(tmp), 'os')).store;
      strong.save('openrouter', canary);
      expect(strong.load('openrouter')?.weak).toBe(false);
    },
  );

  it('writes nothing when encryption is unavailable', () => {
    const unavailable: EncryptionPort = {
      ...withBackend(createKeyfilePort(tmp), 'os'),
      isAvailable: () => false,
      encrypt: () => {
        throw new Error('must not be called');
      },
    };
    const { store } = open(tmp, unavailable);
    expectLatchkeyError(() => store.save('openrouter', canary), 'STORE_WRITE_FAILED');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  it('loads nothing (and keeps the file) when encryption becomes unavailable', () => {
    open().store.save('openrouter', canary);
    const before = fs.readFileSync(path.join(tmp, 'credentials.json'));
    const unavailable: EncryptionPort = {
      ...withBackend(createKeyfilePort(tmp), 'os'),
      isAvailable: () => false,
    };
    const { store } = open(tmp, unavailable);
    expect(store.load('openrouter')).toBeNull();
    expect(store.lastError?.code).toBe('STORE_CORRUPT');
    expect(fs.readFileSync(store.path).equals(before)).toBe(true);
  });

  describe('a corrupt file', () => {
    const garbage = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80]), randomBytes(64)]);
    const cases: [string, () => Buffer][] = [
      ['garbage bytes', () => garbage],
      ['an empty file', () => Buffer.alloc(0)],
      ['a JSON array', () => Buffer.from('[1,2,3]')],
      ['JSON null', () => Buffer.from('null')],
      ['an empty object', () => Buffer.from('{}')],
      ['a plaintext key (wrong shape)', () => Buffer.from('{"openrouter":"sk-or-v1-plain"}')],
      [
        'a wrongly typed entry',
        () =>
          Buffer.from(
            '{"version":1,"providers":{"openrouter":{"ciphertext":123,"savedAt":1,"meta":{},"weak":false}}}',
          ),
      ],
      [
        'ciphertext that is not base64',
        () =>
          Buffer.from(
            '{"version":1,"providers":{"openrouter":{"ciphertext":"!!","savedAt":1,"meta":{},"weak":false}}}',
          ),
      ],
      ['a future format version', () => Buffer.from('{"version":2,"providers":{}}')],
      [
        'truncated JSON from a real save',
        () => {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-truncate-'));
          try {
            const { store } = CredentialStore.open({ dir, encryption: createKeyfilePort(dir) });
            store.save('openrouter', 'sk-whatever', { label: 'x' });
            const bytes = fs.readFileSync(store.path);
            return bytes.subarray(0, Math.floor(bytes.length / 2));
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        },
      ],
    ];

    it.each(cases)('(%s) is moved aside, reported, and the store starts fresh', (_, bytes) => {
      const original = bytes();
      const file = path.join(tmp, 'credentials.json');
      fs.writeFileSync(file, original, { mode: 0o644 });

      const { store, corrupt } = open();
      expect(corrupt).not.toBeNull();
      const movedTo = corrupt?.movedTo ?? '';
      expect(path.dirname(movedTo)).toBe(tmp);
      expect(path.basename(movedTo)).toBe('credentials.corrupt-2025-01-02T03-04-05-678Z.json');
      expect(fs.readFileSync(movedTo).equals(original)).toBe(true);
      if (POSIX) expect(mode(movedTo)).toBe(0o600);

      expect(store.load('openrouter')).toBeNull();
      expect(store.lastError).toBeNull();
      store.save('openrouter', canary);
      expect(open().store.load('openrouter')?.secret).toBe(canary);
      expect(fs.readFileSync(movedTo).equals(original)).toBe(true);
    });

    it('moved twice in the same millisecond keeps both copies', () => {
      const file = path.join(tmp, 'credentials.json');
      fs.writeFileSync(file, 'first');
      const first = open().corrupt?.movedTo;
      fs.writeFileSync(file, 'second');
      const second = open().corrupt?.movedTo;
      expect(first).toBeDefined();
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect(fs.readFileSync(first ?? '', 'utf8')).toBe('first');
      expect(fs.readFileSync(second ?? '', 'utf8')).toBe('second');
    });

    it('appearing after open is reported by load and never overwritten by save', () => {
      const { store } = open();
      store.save('openrouter', canary);
      fs.writeFileSync(store.path, garbage);

      expect(store.load('openrouter')).toBeNull();
      expect(store.lastError?.code).toBe('STORE_CORRUPT');
      const error = expectLatchkeyError(
        () => store.save('openrouter', canary),
        'STORE_WRITE_FAILED',
      );
      expect((error.cause as LatchkeyError).code).toBe('STORE_CORRUPT');
      expectLatchkeyError(() => store.delete('openrouter'), 'STORE_WRITE_FAILED');
      expect(fs.readFileSync(store.path).equals(garbage)).toBe(true);
    });
  });

  describe('a failed write leaves the previous credential intact', () => {
    it('when encryption throws', () => {
      const port = createKeyfilePort(tmp);
      const { store } = open(tmp, port);
      store.save('openrouter', 'sk-previous', { label: 'old' });
      const before = fs.readFileSync(store.path);

      const cause = new Error('keyring locked');
      const failing: EncryptionPort = {
        ...withBackend(port, 'os'),
        encrypt: () => {
          throw cause;
        },
      };
      const error = expectLatchkeyError(
        () => open(tmp, failing).store.save('openrouter', canary, { label: 'new' }),
        'STORE_WRITE_FAILED',
      );
      expect(error.cause).toBe(cause);
      expect(fs.readFileSync(store.path).equals(before)).toBe(true);
      expect(open(tmp, port).store.load('openrouter')).toMatchObject({
        secret: 'sk-previous',
        meta: { label: 'old' },
      });
    });

    it('when the container write throws (disk full, I/O error)', () => {
      const failure = { on: false };
      const cause = Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
      const failingContainer = (options: ContainerOptions): Container => {
        const inner = baseContainer(options);
        return {
          path: inner.path,
          get store() {
            return inner.store;
          },
          set store(value) {
            if (failure.on) throw cause;
            inner.store = value;
          },
        };
      };
      const { store } = open(tmp, createKeyfilePort(tmp), { createContainer: failingContainer });
      store.save('openrouter', 'sk-previous');
      failure.on = true;
      const error = expectLatchkeyError(
        () => store.save('openrouter', canary),
        'STORE_WRITE_FAILED',
      );
      expect(error.cause).toBe(cause);
      expect(store.load('openrouter')?.secret).toBe('sk-previous');
    });

    it.skipIf(!POSIX || ROOT)('when the directory is read-only (skipped as root)', () => {
      const { store } = open();
      store.save('openrouter', 'sk-previous');
      fs.chmodSync(tmp, 0o500);
      try {
        expectLatchkeyError(() => store.save('openrouter', canary), 'STORE_WRITE_FAILED');
      } finally {
        fs.chmodSync(tmp, 0o700);
      }
      expect(open().store.load('openrouter')?.secret).toBe('sk-previous');
      expectNowhereOnDisk(tmp, canary);
    });

    it.runIf(POSIX)('because every write replaces the file by rename (atomic)', () => {
      const { store } = open();
      store.save('openrouter', 'sk-previous');
      const before = fs.statSync(store.path).ino;
      store.save('openrouter', canary);
      expect(fs.statSync(store.path).ino).not.toBe(before);
      expect(fs.readdirSync(tmp).sort()).toEqual(['credentials.json', KEYFILE_NAME].sort());
    });
  });

  it('delete removes the secret from the file', () => {
    const { store } = open();
    store.save('openrouter', canary, { label: 'gone' });
    store.save('yooai', 'sk-keep');
    const ciphertext = readRaw(store.path).providers.openrouter?.ciphertext ?? '';
    expect(ciphertext).not.toBe('');

    store.delete('openrouter');
    expect(store.load('openrouter')).toBeNull();
    expect(store.lastError).toBeNull();
    expect(Object.keys(readRaw(store.path).providers)).toEqual(['yooai']);
    for (const file of filesIn(tmp)) {
      expect(fs.readFileSync(file, 'latin1')).not.toContain(ciphertext);
    }
    expect(open().store.load('yooai')?.secret).toBe('sk-keep');

    const before = fs.statSync(store.path);
    store.delete('openrouter');
    expect(fs.statSync(store.path).ino).toBe(before.ino);
    expect(fs.statSync(store.path).mtimeMs).toBe(before.mtimeMs);
  });

  it('returns null with lastError for tampered ciphertext, without throwing or touching the file', () => {
    const { store } = open();
    store.save('openrouter', canary);
    store.save('yooai', 'sk-intact');
    const raw = readRaw(store.path);
    const entry = raw.providers.openrouter;
    if (!entry) throw new Error('no entry');
    const bytes = Buffer.from(entry.ciphertext, 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    entry.ciphertext = bytes.toString('base64');
    fs.writeFileSync(store.path, JSON.stringify(raw));
    const tampered = fs.readFileSync(store.path);

    const reopened = open();
    expect(reopened.corrupt).toBeNull();
    expect(() => reopened.store.load('openrouter')).not.toThrow();
    expect(reopened.store.load('openrouter')).toBeNull();
    expect(reopened.store.lastError).toBeInstanceOf(LatchkeyError);
    expect(reopened.store.lastError?.code).toBe('STORE_CORRUPT');
    expect(reopened.store.lastError?.cause).toBeInstanceOf(Error);
    expect(fs.readFileSync(store.path).equals(tampered)).toBe(true);

    expect(reopened.store.load('yooai')?.secret).toBe('sk-intact');
    expect(reopened.store.lastError).toBeNull();
  });

  it('updateMeta merges metadata without re-encrypting, and is a no-op when nothing is stored', () => {
    const { store } = open();
    store.updateMeta('openrouter', { label: 'nobody' });
    expect(fs.existsSync(store.path)).toBe(false);

    store.save('openrouter', canary, { label: 'Work key', usage: 1 });
    const ciphertext = readRaw(store.path).providers.openrouter?.ciphertext;
    store.updateMeta('openrouter', { usage: 2, limit: null, label: undefined });
    expect(readRaw(store.path).providers.openrouter?.ciphertext).toBe(ciphertext);
    expect(store.load('openrouter')).toEqual({
      secret: canary,
      savedAt: NOW,
      meta: { usage: 2, limit: null },
      weak: false,
    });
  });

  it('refuses metadata JSON cannot hold, and malformed provider ids', () => {
    const { store } = open();
    expectLatchkeyError(
      () => store.save('openrouter', canary, { n: BigInt(1) }),
      'STORE_WRITE_FAILED',
    );
    expect(fs.existsSync(store.path)).toBe(false);
    for (const id of ['', '__proto__', 'Open Router', '../x', 'a'.repeat(65)]) {
      expectLatchkeyError(() => store.save(id, canary), 'INTERNAL');
      expectLatchkeyError(() => store.load(id), 'INTERNAL');
    }
    expect(fs.existsSync(store.path)).toBe(false);
  });
});

describe('electron-store container', () => {
  it('does not leave electron-store’s unchecked IPC handler registered', () => {
    createElectronStoreContainer({ cwd: tmp, configName: 'x', configFileMode: 0o600 });
    expect(fake.registered).toContain(ELECTRON_STORE_IPC_CHANNEL);
    expect(fake.channels.has(ELECTRON_STORE_IPC_CHANNEL)).toBe(false);
  });
});

describe('moveAside', () => {
  it('keeps the extension and never overwrites an earlier copy', () => {
    const file = path.join(tmp, 'settings.json');
    fs.writeFileSync(file, 'a');
    const first = moveAside(file, NOW);
    fs.writeFileSync(file, 'b');
    const second = moveAside(file, NOW);
    expect(path.basename(first)).toBe('settings.corrupt-2025-01-02T03-04-05-678Z.json');
    expect(path.basename(second)).toBe('settings.corrupt-2025-01-02T03-04-05-678Z-1.json');
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe.each(CONTAINERS)('SettingsStore on $name', ({ createContainer }) => {
  const open = () => SettingsStore.open({ dir: tmp, createContainer, now });

  it('round-trips the locale across a restart, in a 0600 file', () => {
    const { store, corrupt } = open();
    expect(corrupt).toBeNull();
    expect(store.get('locale')).toBeUndefined();
    store.set('locale', 'zh-CN');
    expect(open().store.get('locale')).toBe('zh-CN');
    expect(store.path).toBe(path.join(tmp, 'settings.json'));
    if (POSIX) expect(mode(store.path)).toBe(0o600);
    store.set('locale', undefined);
    expect(open().store.get('locale')).toBeUndefined();
  });

  it('refuses an invalid value and keeps the file', () => {
    const { store } = open();
    store.set('locale', 'en');
    const before = fs.readFileSync(store.path);
    expectLatchkeyError(() => store.set('locale', 'fr' as unknown as 'en'), 'STORE_WRITE_FAILED');
    expect(fs.readFileSync(store.path).equals(before)).toBe(true);
  });

  it.each([
    ['garbage', '\u0000not json'],
    ['wrong shape', '{"version":1,"locale":"fr"}'],
    ['truncated', '{"version":1,"loc'],
  ])('moves a corrupt file (%s) aside and starts fresh', (_, content) => {
    const file = path.join(tmp, 'settings.json');
    fs.writeFileSync(file, content);
    const { store, corrupt } = open();
    expect(path.basename(corrupt?.movedTo ?? '')).toBe(
      'settings.corrupt-2025-01-02T03-04-05-678Z.json',
    );
    expect(fs.readFileSync(corrupt?.movedTo ?? '', 'utf8')).toBe(content);
    expect(store.get('locale')).toBeUndefined();
    store.set('locale', 'en');
    expect(open().store.get('locale')).toBe('en');
  });
});
