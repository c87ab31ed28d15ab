import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { z } from 'zod';
import { LatchkeyError } from '../errors';
import { isWeakBackend, type EncryptionPort } from './encryption';

// ---------------------------------------------------------------------------------------------
// The JSON document under both stores (credentials.json, settings.json)
// ---------------------------------------------------------------------------------------------

/**
 * The part of `conf` (and of `electron-store`, its thin subclass) the stores use: the whole
 * document, read fresh from disk on every get and written whole on every set. Writing the whole
 * document at once is what makes a save all-or-nothing: conf writes it with `atomically`
 * (temporary file in the same directory, fsync, chmod, rename over the old file), so a crash
 * mid-write leaves the previous file, never a half credential (security.md 17).
 *
 * Two conf escape hatches are not atomic and do not apply to the app: under Ubuntu Snap
 * (`process.env.SNAP`) conf writes in place, and on a Windows `EXDEV` rename error it falls back
 * to an in-place write.
 */
export interface Container {
  /** Absolute path of the JSON file. */
  readonly path: string;
  /** Getting reads and parses the file; setting writes it atomically. Both may throw. */
  store: Record<string, unknown>;
}

/** What a {@link Container} is made from; the same for `conf` and `electron-store`. */
export interface ContainerOptions {
  /** Directory of the file (`conf`'s `cwd`). */
  readonly cwd: string;
  /** File name without `.json`. */
  readonly configName: string;
  /** Applied to the file on every write (conf chmods the temporary file before the rename). */
  readonly configFileMode: number;
}

/**
 * conf / electron-store options both containers share, and why:
 * - `clearInvalidConfig: false` — conf would otherwise overwrite an unparseable file with an
 *   empty one; a corrupt store is moved aside and reported instead (security.md 17).
 * - `accessPropertiesByDotNotation: false` — keys are data (provider ids), never paths.
 * - no `schema` — what is read is validated with zod by the store, which owns the format.
 * - no `encryptionKey` — its key would ship inside the app, so it is obfuscation, not security
 *   (conf's own docs say so); secrets are encrypted by the {@link EncryptionPort} instead
 *   (security.md 14).
 * - no `defaults` / `migrations` — both make conf write at construction, which would change a
 *   corrupt file before it could be moved aside.
 */
export const CONTAINER_DEFAULTS = {
  clearInvalidConfig: false,
  accessPropertiesByDotNotation: false,
  watch: false,
} as const;

/** The default container: plain `conf`, which runs in Node, the harness and Electron's main. */
export function createConfContainer(options: ContainerOptions): Container {
  return new Conf<Record<string, unknown>>({
    ...CONTAINER_DEFAULTS,
    cwd: options.cwd,
    configName: options.configName,
    configFileMode: options.configFileMode,
  });
}

/** Mode of every store file: readable and writable by the user only. */
export const STORE_FILE_MODE = 0o600;
/** Mode of a data directory the store creates. */
export const STORE_DIR_MODE = 0o700;

/** Where an unreadable store file was moved (shown to the user, see `Notice` in preload/api). */
export interface CorruptReport {
  readonly movedTo: string;
  /**
   * What the user called the file's content, when the producer knows it: a damaged
   * conversation's title from the index (main/notices.ts otherwise salvages it from the file).
   */
  readonly title?: string;
}

/**
 * Moves an unreadable store file aside as `<name>.corrupt-<ISO timestamp>.<ext>` next to it, so
 * nothing is silently wiped (security.md 17) and the user can inspect it. The timestamp has `:`
 * and `.` replaced so the name is valid on Windows; a numeric suffix avoids overwriting an
 * earlier copy from the same millisecond.
 * @returns the new path.
 */
export function moveAside(filePath: string, now: number): string {
  const { dir, name, ext } = path.parse(filePath);
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  for (let n = 0; ; n += 1) {
    const target = path.join(dir, `${name}.corrupt-${stamp}${n === 0 ? '' : `-${n}`}${ext}`);
    if (fs.existsSync(target)) continue;
    fs.renameSync(filePath, target);
    try {
      fs.chmodSync(target, STORE_FILE_MODE);
    } catch {
      // Best effort: the file was moved, which is what matters; it keeps its previous mode.
    }
    return target;
  }
}

/**
 * Creates the data directory with mode 0700 when it is missing. An existing directory keeps its
 * mode: it belongs to the caller (Electron's `userData`, which Chromium already creates 0700),
 * and every file in it is written 0600 anyway.
 */
function ensureDataDir(dir: string): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode: STORE_DIR_MODE });
  // `mkdir`'s mode is reduced by the umask; set it exactly.
  fs.chmodSync(dir, STORE_DIR_MODE);
}

/** Options of {@link JsonDocument.open}. */
export interface JsonDocumentOptions<T> {
  readonly dir: string;
  /** File name without `.json`. */
  readonly name: string;
  /**
   * The whole file, including a `version` field that an empty or non-object file lacks, which
   * is how a file of `[]`, `null` or `{}` (all of which conf reads as `{}`) is told apart from
   * "no file yet" and reported as corrupt instead of being overwritten.
   */
  readonly schema: z.ZodType<T>;
  /** The document when there is no file yet. */
  readonly empty: T;
  readonly createContainer?: ((options: ContainerOptions) => Container) | undefined;
  readonly now?: (() => number) | undefined;
}

type ReadResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly corrupt: boolean; readonly cause: unknown };

function isSyntaxError(error: unknown): boolean {
  return error instanceof Error && error.name === 'SyntaxError';
}

function inspect<T>(container: Container, options: JsonDocumentOptions<T>): ReadResult<T> {
  let raw: Record<string, unknown>;
  try {
    raw = container.store;
  } catch (error) {
    return { ok: false, corrupt: isSyntaxError(error), cause: error };
  }
  if (Object.keys(raw).length === 0 && !fs.existsSync(container.path)) {
    return { ok: true, value: options.empty };
  }
  const parsed = options.schema.safeParse(raw);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, corrupt: true, cause: parsed.error };
}

/**
 * One JSON file read and written whole through a {@link Container} and validated with zod on
 * every read and before every write. Shared by the credential and settings stores.
 */
/**
 * Deletes the temporary files a write killed midway left beside `<name>.json` (`atomically`
 * writes `<name>.json.tmp-<10 digits><6 hex>`, then renames it over the file): the file itself
 * holds the old or the new content, so they are never needed. Only one process opens a data
 * folder at a time (the data-dir lock), so none of them is a write in progress.
 */
function removeStrayTemps(dir: string, name: string): void {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const stray = new RegExp(`^${escaped}\\.json\\.tmp-\\d{10}[0-9a-f]{6}$`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!stray.test(entry)) continue;
    try {
      fs.unlinkSync(path.join(dir, entry));
    } catch {
      // Left for the next start; the document itself is unaffected.
    }
  }
}

export class JsonDocument<T> {
  readonly path: string;
  readonly #container: Container;
  readonly #options: JsonDocumentOptions<T>;

  private constructor(container: Container, options: JsonDocumentOptions<T>) {
    this.#container = container;
    this.#options = options;
    this.path = container.path;
  }

  /**
   * Opens the document. A file that is not JSON, or JSON of the wrong shape, is moved aside
   * with {@link moveAside} and reported; the document then starts empty.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when the directory cannot be created;
   *   `STORE_CORRUPT` when the file cannot be read (e.g. permissions) or cannot be moved aside.
   */
  static open<T>(options: JsonDocumentOptions<T>): {
    document: JsonDocument<T>;
    corrupt: CorruptReport | null;
  } {
    const createContainer = options.createContainer ?? createConfContainer;
    const now = options.now ?? Date.now;
    const containerOptions: ContainerOptions = {
      cwd: options.dir,
      configName: options.name,
      configFileMode: STORE_FILE_MODE,
    };
    try {
      ensureDataDir(options.dir);
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
    const filePath = path.join(options.dir, `${options.name}.json`);
    removeStrayTemps(options.dir, options.name);

    let result: ReadResult<T>;
    let container: Container | undefined;
    try {
      // conf parses the file in its constructor, so a corrupt file already throws here.
      container = createContainer(containerOptions);
      result = inspect(container, options);
    } catch (error) {
      result = { ok: false, corrupt: isSyntaxError(error), cause: error };
    }
    if (container && result.ok) {
      return { document: new JsonDocument(container, options), corrupt: null };
    }
    if (!result.ok && !result.corrupt) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: result.cause });
    }
    try {
      const movedTo = moveAside(filePath, now());
      const fresh = new JsonDocument(createContainer(containerOptions), options);
      return { document: fresh, corrupt: { movedTo } };
    } catch (error) {
      throw new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
    }
  }

  /**
   * Reads and validates the file (no cache: another instance may have written it).
   * @throws LatchkeyError `STORE_CORRUPT` when it cannot be read or no longer validates; the
   *   file is left untouched.
   */
  read(): T {
    const result = inspect(this.#container, this.#options);
    if (!result.ok) throw new LatchkeyError('STORE_CORRUPT', {}, { cause: result.cause });
    return result.value;
  }

  /**
   * Validates, then writes the whole document atomically: it fully lands or the previous file
   * stays as it was.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  write(value: T): void {
    const parsed = this.#options.schema.safeParse(value);
    if (!parsed.success) throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: parsed.error });
    try {
      this.#container.store = parsed.data as Record<string, unknown>;
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The credential store
// ---------------------------------------------------------------------------------------------

/**
 * Provider ids are keys of the file: lowercase, starting with a letter, so no id can be
 * `__proto__` or another special key.
 */
const providerIdSchema = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/);

const metaSchema = z.record(z.string(), z.json());
type Meta = z.infer<typeof metaSchema>;

const credentialEntrySchema = z.strictObject({
  /** base64 of the {@link EncryptionPort} ciphertext; the file never holds the plaintext. */
  ciphertext: z.base64().min(1),
  savedAt: z.number().nonnegative(),
  /** Non-secret, stored as plain JSON. */
  meta: metaSchema,
  weak: z.boolean(),
});

const credentialFileSchema = z.strictObject({
  version: z.literal(1),
  providers: z.record(providerIdSchema, credentialEntrySchema),
});

type CredentialFile = z.infer<typeof credentialFileSchema>;

const EMPTY_CREDENTIAL_FILE: CredentialFile = { version: 1, providers: {} };

/** One provider's credential as loaded from the store. */
export interface StoredCredential {
  /** Opaque: structured secrets (YOO-AI, OIDC token sets) are JSON-stringified by the caller. */
  readonly secret: string;
  /** Epoch ms of the last {@link CredentialStore.save}. */
  readonly savedAt: number;
  /** Non-secret data kept next to the secret, e.g. a cached account label or usage. */
  readonly meta: Record<string, unknown>;
  /** True when saved under a weak backend (`basic_text`/`unknown`) by explicit user choice. */
  readonly weak: boolean;
}

/** Options of {@link CredentialStore.open}. */
export interface CredentialStoreOptions {
  /** Data directory; created with mode 0700 when missing. */
  readonly dir: string;
  readonly encryption: EncryptionPort;
  /** File name without `.json`; default `credentials`. */
  readonly fileName?: string;
  /** Default: plain `conf` ({@link createConfContainer}); Electron passes electron-store. */
  readonly createContainer?: (options: ContainerOptions) => Container;
  readonly now?: () => number;
}

/** Options of {@link CredentialStore.save}. */
export interface SaveOptions {
  /** The user explicitly chose "remember on this device anyway" (security.md 15). */
  readonly allowWeak?: boolean;
}

function checkProvider(provider: string): void {
  if (!providerIdSchema.safeParse(provider).success) {
    throw new LatchkeyError('INTERNAL', {}, { cause: new TypeError('Invalid provider id') });
  }
}

/**
 * Metadata as the JSON it is stored as: a copy detached from the caller's objects, `undefined`
 * values dropped (so `updateMeta` can remove a key), anything JSON cannot hold refused.
 */
function toMeta(meta: Record<string, unknown>): Meta {
  try {
    return metaSchema.parse(JSON.parse(JSON.stringify(meta)));
  } catch (error) {
    throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
  }
}

/**
 * One secret plus non-secret metadata per provider, in `<dir>/credentials.json` (mode 0600).
 *
 * - Secrets are encrypted by the {@link EncryptionPort} (Electron `safeStorage` in the app) and
 *   stored as base64 ciphertext only (security.md 14). Metadata is plain JSON: never put a
 *   secret in `meta`.
 * - Under a weak backend nothing is persisted unless the user chose so (security.md 15); when
 *   encryption is unavailable nothing is persisted at all.
 * - Every change rewrites the whole file atomically ({@link Container}), so a save fully lands or
 *   leaves the previous content (security.md 17). Every read goes to disk and is validated.
 * - A corrupt file is moved aside at open and reported, never wiped.
 * - Nothing here logs; errors carry codes, never secrets (security.md 16).
 *
 * Not safe against two processes writing at once (last writer wins); the app holds a
 * single-instance lock.
 */
export class CredentialStore {
  /** Absolute path of the credentials file. */
  readonly path: string;
  readonly #document: JsonDocument<CredentialFile>;
  readonly #encryption: EncryptionPort;
  readonly #now: () => number;
  #lastError: LatchkeyError | null = null;

  private constructor(
    document: JsonDocument<CredentialFile>,
    encryption: EncryptionPort,
    now: () => number,
  ) {
    this.#document = document;
    this.#encryption = encryption;
    this.#now = now;
    this.path = document.path;
  }

  /**
   * Opens (or creates) the store. A corrupt file (not JSON, or JSON of the wrong shape) is moved
   * to `credentials.corrupt-<timestamp>.json`, reported in `corrupt`, and the store starts empty.
   * @throws LatchkeyError `STORE_WRITE_FAILED` (directory cannot be created) or `STORE_CORRUPT`
   *   (file unreadable, or cannot be moved aside).
   */
  static open(options: CredentialStoreOptions): {
    store: CredentialStore;
    corrupt: CorruptReport | null;
  } {
    const now = options.now ?? Date.now;
    const { document, corrupt } = JsonDocument.open({
      dir: options.dir,
      name: options.fileName ?? 'credentials',
      schema: credentialFileSchema,
      empty: EMPTY_CREDENTIAL_FILE,
      createContainer: options.createContainer,
      now,
    });
    return { store: new CredentialStore(document, options.encryption, now), corrupt };
  }

  /**
   * Why the most recent {@link load} returned null although something may be stored:
   * `STORE_CORRUPT` when the file no longer validates, or the credential cannot be decrypted
   * (tampered ciphertext, keyring changed or unavailable). Null after a load that succeeded or
   * found nothing. The file is left untouched so it can still be read once the keyring is back.
   */
  get lastError(): LatchkeyError | null {
    return this.#lastError;
  }

  /**
   * The provider's credential, or null when none is stored or it cannot be read (never throws
   * for that; see {@link lastError}).
   * @throws LatchkeyError `INTERNAL` for a malformed provider id.
   */
  load(provider: string): StoredCredential | null {
    checkProvider(provider);
    this.#lastError = null;
    let entry;
    try {
      entry = this.#document.read().providers[provider];
    } catch (error) {
      this.#lastError = error as LatchkeyError;
      return null;
    }
    if (!entry) return null;
    try {
      if (!this.#encryption.isAvailable()) throw new Error('Encryption is unavailable');
      // The user chose to keep this one under weak protection when it was saved.
      if (entry.weak) this.#encryption.allowWeak?.();
      const secret = this.#encryption.decrypt(Buffer.from(entry.ciphertext, 'base64'));
      return { secret, savedAt: entry.savedAt, meta: entry.meta, weak: entry.weak };
    } catch (error) {
      this.#lastError = new LatchkeyError('STORE_CORRUPT', {}, { cause: error });
      return null;
    }
  }

  /**
   * Encrypts and stores the provider's secret, replacing any previous one.
   * @param meta non-secret data, stored as plain JSON.
   * @throws LatchkeyError `STORE_WRITE_FAILED` when encryption is unavailable, when the backend
   *   is weak and `allowWeak` is not set (check {@link isWeakBackend} first to offer the choice),
   *   when encryption fails, or when the write fails; the previous content is then unchanged.
   */
  save(
    provider: string,
    secret: string,
    meta: Record<string, unknown> = {},
    options: SaveOptions = {},
  ): void {
    checkProvider(provider);
    if (!this.#encryption.isAvailable()) {
      throw new LatchkeyError(
        'STORE_WRITE_FAILED',
        {},
        { cause: new Error('Encryption is unavailable') },
      );
    }
    const weak = isWeakBackend(this.#encryption.backend);
    if (weak && options.allowWeak !== true) {
      throw new LatchkeyError(
        'STORE_WRITE_FAILED',
        {},
        { cause: new Error('Weak encryption backend; refusing to persist without allowWeak') },
      );
    }
    const storedMeta = toMeta(meta);
    let ciphertext: string;
    try {
      if (weak) this.#encryption.allowWeak?.();
      ciphertext = this.#encryption.encrypt(secret).toString('base64');
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
    this.#update((file) => ({
      ...file,
      providers: {
        ...file.providers,
        [provider]: { ciphertext, savedAt: this.#now(), meta: storedMeta, weak },
      },
    }));
  }

  /**
   * Shallow-merges non-secret metadata into the stored entry (a key set to `undefined` is
   * removed); the secret is not re-encrypted. No-op when nothing is stored.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  updateMeta(provider: string, meta: Record<string, unknown>): void {
    checkProvider(provider);
    this.#update((file) => {
      const entry = file.providers[provider];
      if (!entry) return null;
      const merged = toMeta({ ...entry.meta, ...meta });
      return { ...file, providers: { ...file.providers, [provider]: { ...entry, meta: merged } } };
    });
  }

  /**
   * Removes the provider's entry (secret and metadata) from the file. No-op when none.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  delete(provider: string): void {
    checkProvider(provider);
    this.#update((file) => {
      if (!Object.hasOwn(file.providers, provider)) return null;
      const providers = Object.fromEntries(
        Object.entries(file.providers).filter(([id]) => id !== provider),
      );
      return { ...file, providers };
    });
  }

  /** Read-modify-write of the whole file; `change` returns null for "nothing to write". */
  #update(change: (file: CredentialFile) => CredentialFile | null): void {
    let file: CredentialFile;
    try {
      file = this.#document.read();
    } catch (error) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: error });
    }
    const next = change(file);
    if (next) this.#document.write(next);
  }
}
