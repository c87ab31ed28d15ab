import { z } from 'zod';
import { LOCALES } from '../../preload/api';
import { storedSettingsSchema } from '../chat/conversation-settings';
import {
  JsonDocument,
  type Container,
  type ContainerOptions,
  type CorruptReport,
} from './credential-store';

/**
 * Provider settings as the user saved them. Shapes only: the values are validated by the
 * provider's module when used, so a file edited by hand cannot smuggle in an http endpoint.
 */
const providerSettingsSchema = z.object({
  yooai: z
    .object({
      baseUrl: z.string(),
      appId: z.string(),
      unionId: z.string(),
      scope: z.string(),
      redirectUri: z.string(),
      refreshPath: z.string(),
      tokenLifetimeSeconds: z.number(),
    })
    .optional(),
  oidc: z
    .object({
      displayName: z.string(),
      issuer: z.string(),
      clientId: z.string(),
      scopes: z.string(),
      chatUrl: z.string().nullable(),
    })
    .optional(),
});

const settingsFileSchema = z.strictObject({
  version: z.literal(1),
  locale: z.enum(LOCALES).optional(),
  providers: providerSettingsSchema.optional(),
  /** What new chats start with: the default system prompt and parameters. */
  conversationDefaults: storedSettingsSchema.optional(),
});

type SettingsFile = z.infer<typeof settingsFileSchema>;

/** Non-secret user settings. */
export type Settings = Omit<SettingsFile, 'version'>;

/** Options of {@link SettingsStore.open}. */
export interface SettingsStoreOptions {
  /** Data directory (the credential store's); created with mode 0700 when missing. */
  readonly dir: string;
  /** File name without `.json`; default `settings`. */
  readonly fileName?: string;
  /** Default: plain `conf`; Electron passes electron-store. */
  readonly createContainer?: (options: ContainerOptions) => Container;
  readonly now?: () => number;
}

/**
 * Non-secret settings in `<dir>/settings.json`, on the same {@link JsonDocument} as the credential
 * store: conf with atomic whole-file writes, mode 0600, zod-validated reads, and a corrupt file
 * moved aside and reported rather than wiped.
 */
export class SettingsStore {
  /** Absolute path of the settings file. */
  readonly path: string;
  readonly #document: JsonDocument<SettingsFile>;

  private constructor(document: JsonDocument<SettingsFile>) {
    this.#document = document;
    this.path = document.path;
  }

  /**
   * Opens (or creates) the store; a corrupt file is moved to
   * `settings.corrupt-<timestamp>.json` and reported in `corrupt`.
   * @throws LatchkeyError `STORE_WRITE_FAILED` or `STORE_CORRUPT`, as for the credential store.
   */
  static open(options: SettingsStoreOptions): {
    store: SettingsStore;
    corrupt: CorruptReport | null;
  } {
    const { document, corrupt } = JsonDocument.open({
      dir: options.dir,
      name: options.fileName ?? 'settings',
      schema: settingsFileSchema,
      empty: { version: 1 },
      createContainer: options.createContainer,
      now: options.now,
    });
    return { store: new SettingsStore(document), corrupt };
  }

  /**
   * The setting, or undefined when unset or when the file became unreadable since it was opened
   * (a setting is never worth failing for).
   */
  get<K extends keyof Settings>(key: K): Settings[K] | undefined {
    try {
      return this.#document.read()[key];
    } catch {
      return undefined;
    }
  }

  /**
   * Validates and writes one setting (`undefined` removes it).
   * @throws LatchkeyError `STORE_WRITE_FAILED` for an invalid value or a failed write, or
   *   `STORE_CORRUPT` when the file became unreadable since it was opened.
   */
  set<K extends keyof Settings>(key: K, value: Settings[K]): void {
    const entries = Object.entries({ ...this.#document.read(), [key]: value });
    // `write` validates the result against the schema before anything reaches the disk.
    const next = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as SettingsFile;
    this.#document.write(next);
  }
}
