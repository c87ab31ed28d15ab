import { z } from 'zod';
import type { ModelInfo } from '../../preload/api';
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
}) satisfies z.ZodType<ModelInfo>;

const modelsFileSchema = z.object({
  version: z.literal(1),
  /** Epoch ms of the last fetch, null before the first one. */
  fetchedAt: z.number().nonnegative().nullable(),
  models: z.array(modelInfoSchema),
  defaultModel: modelIdSchema.nullable(),
});

type ModelsFile = z.infer<typeof modelsFileSchema>;

const EMPTY_MODELS_FILE: ModelsFile = {
  version: 1,
  fetchedAt: null,
  models: [],
  defaultModel: null,
};

/** Options of {@link ModelsCache.open}. */
export interface ModelsCacheOptions {
  /** Data directory; created with mode 0700 when missing. */
  readonly dir: string;
  readonly now?: () => number;
}

/**
 * The provider's model list and the user's default model, in `<dir>/models.json`, on the same
 * {@link JsonDocument} as the credential and settings stores: conf with atomic whole-file writes
 * (`atomically`), mode 0600, zod-validated, a corrupt file moved aside and reported rather than
 * wiped (security.md 17). Both live in one file so the list shown offline and the model it
 * preselects can never come from two different moments.
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

  /** The last fetched list, or null when none was ever written. */
  read(): { models: ModelInfo[]; fetchedAt: number } | null {
    const { models, fetchedAt } = this.#file;
    return fetchedAt === null ? null : { models: [...models], fetchedAt };
  }

  /**
   * Replaces the cached list (the default model is kept).
   * @throws LatchkeyError `STORE_WRITE_FAILED` for an invalid list or a failed write; the
   *   previous list is kept then.
   */
  write(models: readonly ModelInfo[], fetchedAt: number): void {
    this.#update({ ...this.#file, models: [...models], fetchedAt });
  }

  /** The model new conversations use, or null when the user never chose one. */
  defaultModel(): string | null {
    return this.#file.defaultModel;
  }

  /**
   * Remembers the model new conversations use. Any id is accepted, listed or not: the list may
   * be stale, and the provider has the last word when the model is used.
   * @throws LatchkeyError `STORE_WRITE_FAILED`.
   */
  setDefaultModel(id: string): void {
    if (id === this.#file.defaultModel) return;
    this.#update({ ...this.#file, defaultModel: id });
  }

  #update(next: ModelsFile): void {
    const parsed = modelsFileSchema.safeParse(next);
    if (!parsed.success) throw new LatchkeyError('STORE_WRITE_FAILED', {}, { cause: parsed.error });
    this.#document.write(parsed.data);
    this.#file = parsed.data;
  }
}
