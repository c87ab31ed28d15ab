import { z } from 'zod';
import { PROVIDER_IDS, type ModelInfo, type ProviderId } from '../../preload/api';
import { JsonDocument, type CorruptReport } from '../credentials/credential-store';
import { LatchkeyError } from '../errors';

const modelIdSchema = z.string().min(1).max(256);

// `z.object`: unknown extra fields are tolerated (and dropped), wrong shapes refused.
const modelInfoSchema = z.object({
  id: modelIdSchema,
  name: z.string(),
  contextLength: z.number().int().nonnegative().nullable(),
  // Not `nonnegative`: OpenRouter reports -1 for routers whose price depends on the model picked.
  promptPrice: z.number().nullable(),
  completionPrice: z.number().nullable(),
  free: z.boolean(),
  /** Lists cached before parameters were read have none: nothing is sent until a refresh. */
  supportedParameters: z.array(z.string().max(64)).max(256).readonly().default([]),
  // Lists cached before modalities were kept read as text-only until the next fetch.
  inputModalities: z.array(z.string().max(32)).max(32).readonly().default(['text']),
}) satisfies z.ZodType<ModelInfo>;

/** One provider's list and default model. */
const providerModelsSchema = z.object({
  /** Epoch ms of the last fetch, null before the first one. */
  fetchedAt: z.number().nonnegative().nullable(),
  models: z.array(modelInfoSchema),
  defaultModel: modelIdSchema.nullable(),
});

type ProviderModels = z.infer<typeof providerModelsSchema>;

const EMPTY_PROVIDER_MODELS: ProviderModels = { fetchedAt: null, models: [], defaultModel: null };

/** One entry per provider that ever had a list or a default; unknown providers are dropped. */
const providersSchema = z.object(
  Object.fromEntries(PROVIDER_IDS.map((id) => [id, providerModelsSchema.optional()])) as Record<
    ProviderId,
    z.ZodOptional<typeof providerModelsSchema>
  >,
);

const modelsFileV2Schema = z.object({
  version: z.literal(2),
  providers: providersSchema,
});

/** Version 1 (before there was more than one provider) held OpenRouter's list alone. */
const modelsFileV1Schema = providerModelsSchema
  .extend({ version: z.literal(1) })
  .transform(({ fetchedAt, models, defaultModel }): ModelsFile => ({
    version: 2,
    providers: { openrouter: { fetchedAt, models, defaultModel } },
  }));

type ModelsFile = z.infer<typeof modelsFileV2Schema>;

/** Either version; a version-1 file becomes version 2 in memory, and on disk at the next write. */
const modelsFileSchema: z.ZodType<ModelsFile> = z.union([modelsFileV2Schema, modelsFileV1Schema]);

const EMPTY_MODELS_FILE: ModelsFile = { version: 2, providers: {} };

/** Options of {@link ModelsCache.open}. */
export interface ModelsCacheOptions {
  /** Data directory; created with mode 0700 when missing. */
  readonly dir: string;
  readonly now?: () => number;
}

/**
 * Each provider's model list and the user's default model for it, in `<dir>/models.json`
 * (`{version: 2, providers: {[provider]: {fetchedAt, models, defaultModel}}}`), on the same
 * {@link JsonDocument} as the credential and settings stores: conf with atomic whole-file writes
 * (`atomically`), mode 0600, zod-validated, a corrupt file moved aside and reported rather than
 * wiped (security.md 17). List and default live in one file so the list shown offline and the
 * model it preselects can never come from two different moments. A version-1 file (one
 * provider: `{version: 1, fetchedAt, models, defaultModel}`) is read as OpenRouter's.
 *
 * The file is read once at open and kept in memory (the app holds a single-instance lock);
 * every change is written through before it is kept.
 */
export class ModelsCache {
  /** Absolute path of `models.json`. */
  readonly path: string;
  readonly #document: JsonDocument<ModelsFile>;
  #file: ModelsFile;

  private constructor(document: JsonDocument<ModelsFile>, file: ModelsFile) {
    this.#document = document;
    this.#file = file;
    this.path = document.path;
  }

  /**
   * Opens (or creates) the cache; a corrupt file is moved to `models.corrupt-<timestamp>.json`
   * and reported in `problems`, and the cache starts empty.
   * @throws LatchkeyError `STORE_WRITE_FAILED` (directory cannot be created) or `STORE_CORRUPT`
   *   (file unreadable, or cannot be moved aside).
   */
  static open(options: ModelsCacheOptions): { cache: ModelsCache; problems: CorruptReport[] } {
    const { document, corrupt } = JsonDocument.open({
      dir: options.dir,
      name: 'models',
      schema: modelsFileSchema,
      empty: EMPTY_MODELS_FILE,
      now: options.now,
    });
    return {
      cache: new ModelsCache(document, document.read()),
      problems: corrupt ? [corrupt] : [],
    };
  }

  /** The provider's last fetched list, or null when none was ever written. */
  read(provider: ProviderId): { models: ModelInfo[]; fetchedAt: number } | null {
    const { models, fetchedAt } = this.#of(provider);
    return fetchedAt === null ? null : { models: [...models], fetchedAt };
  }

  /**
   * Replaces the provider's cached list (its default model is kept; other providers untouched).
   * @throws LatchkeyError `STORE_WRITE_FAILED` for an invalid list or a failed write; the
   *   previous list is kept then.
   */
  write(provider: ProviderId, models: readonly ModelInfo[], fetchedAt: number): void {
    this.#set(provider, { ...this.#of(provider), models: [...models], fetchedAt });
  }

  /** The model the provider's new conversations use, or null when the user never chose one. */
  defaultModel(provider: ProviderId): string | null {
    return this.#of(provider).defaultModel;
  }

  /**
   * Remembers the model the provider's new conversations use. Any id is accepted, listed or
   * not: the list may be stale, and the provider has the last word when the model is used.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  setDefaultModel(provider: ProviderId, id: string): void {
    const current = this.#of(provider);
    if (id === current.defaultModel) return;
    this.#set(provider, { ...current, defaultModel: id });
  }

  #of(provider: ProviderId): ProviderModels {
    return (
      (Object.hasOwn(this.#file.providers, provider) && this.#file.providers[provider]) ||
      EMPTY_PROVIDER_MODELS
    );
  }

  #set(provider: ProviderId, entry: ProviderModels): void {
    if (!PROVIDER_IDS.includes(provider)) {
      throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: new Error('Unknown provider') });
    }
    this.#update({
      version: 2,
      providers: { ...this.#file.providers, [provider]: entry },
    });
  }

  #update(next: ModelsFile): void {
    const parsed = modelsFileSchema.safeParse(next);
    if (!parsed.success) throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: parsed.error });
    this.#document.write(parsed.data);
    this.#file = parsed.data;
  }
}
