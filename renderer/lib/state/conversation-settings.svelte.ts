import { SvelteMap } from 'svelte/reactivity';
import {
  CONVERSATION_SETTINGS_LIMITS as LIMITS,
  DEFAULT_CONVERSATION_SETTINGS,
  type ConversationSettings,
  type ErrorView,
  type LatchkeyApi,
} from '../../../preload/api';
import { errorViewOf } from '../api';
import { NEW_CHAT } from './drafts.svelte';

type SettingsApi = Pick<
  LatchkeyApi,
  | 'openConversation'
  | 'setConversationSettings'
  | 'getDefaultConversationSettings'
  | 'setDefaultConversationSettings'
>;

/** A field of {@link ConversationSettings} that can be refused. */
export type SettingsField = keyof ConversationSettings;

/**
 * The first field out of bounds, checked here before anything is sent: the same bounds main
 * enforces (preload/api.ts {@link LIMITS}), so a 1 MB system prompt is refused at once with the
 * field named, without shipping a megabyte over IPC. Main checks again and has the last word.
 */
export function invalidField(settings: ConversationSettings): SettingsField | null {
  if (settings.systemPrompt.length > LIMITS.systemPromptMaxChars) return 'systemPrompt';
  const { temperature, maxTokens } = settings;
  if (
    temperature !== null &&
    !(temperature >= LIMITS.temperatureMin && temperature <= LIMITS.temperatureMax)
  ) {
    return 'temperature';
  }
  if (maxTokens !== null && !(Number.isInteger(maxTokens) && maxTokens > 0)) return 'maxTokens';
  if (maxTokens !== null && maxTokens > LIMITS.maxTokens) return 'maxTokens';
  return null;
}

/**
 * Each conversation's system prompt and parameters as main last sent them, the values held for
 * the new chat until its first send creates the conversation, and the defaults new chats start
 * with. The chat store tells it what conversations arrive ({@link know}); the settings dialog
 * reads {@link of} and calls {@link save}.
 */
export class ConversationSettingsState {
  readonly #api: SettingsApi;
  readonly #known = new SvelteMap<string, ConversationSettings>();
  /** Set in the dialog of the new chat, applied when its conversation is created. */
  #held = $state.raw<ConversationSettings | null>(null);
  /** The defaults for new chats, once loaded from main. */
  #defaults = $state.raw<ConversationSettings | null>(null);
  #defaultsLoad: Promise<ConversationSettings> | null = null;

  constructor(api: SettingsApi) {
    this.#api = api;
  }

  /** What the new chat's conversation is to be created with (null: main's saved defaults). */
  get held(): ConversationSettings | null {
    return this.#held;
  }

  /** A conversation arrived from main (opened or created) with its settings. */
  know(id: string, settings: ConversationSettings): void {
    this.#known.set(id, settings);
  }

  /** The new chat became conversation `id`, created with what was held. */
  adopt(id: string, settings: ConversationSettings): void {
    this.#known.set(id, settings);
    this.#held = null;
  }

  forget(id: string): void {
    this.#known.delete(id);
  }

  /**
   * The settings of a chat (`key` a conversation id, or {@link NEW_CHAT}): for the new chat what
   * was held, else the defaults for new chats; for a conversation not seen yet, its stored ones.
   */
  async of(key: string): Promise<ConversationSettings> {
    if (key === NEW_CHAT) return this.#held ?? (await this.defaults());
    const known = this.#known.get(key);
    if (known) return known;
    const { settings } = await this.#api.openConversation(key);
    this.#known.set(key, settings);
    return settings;
  }

  /** The settings new chats start with (asked of main once). */
  async defaults(): Promise<ConversationSettings> {
    if (this.#defaults) return this.#defaults;
    this.#defaultsLoad ??= this.#api.getDefaultConversationSettings().then(
      (settings) => (this.#defaults = settings),
      (error: unknown) => {
        this.#defaultsLoad = null;
        console.warn('Could not load the default conversation settings', error);
        return DEFAULT_CONVERSATION_SETTINGS;
      },
    );
    return this.#defaultsLoad;
  }

  /**
   * Saves a chat's settings: on its conversation, or held for the new chat until it is created;
   * with `asDefault`, also as what new chats start with. Resolves to the refusal (nothing stored
   * changed then, and the caller keeps what was typed), or null.
   */
  async save(
    key: string,
    settings: ConversationSettings,
    asDefault: boolean,
  ): Promise<ErrorView | null> {
    const field = invalidField(settings);
    if (field !== null) return { code: 'CHAT_SETTINGS_INVALID', field };
    try {
      if (key === NEW_CHAT) this.#held = settings;
      else this.#known.set(key, await this.#api.setConversationSettings(key, settings));
      if (asDefault) this.#defaults = await this.#api.setDefaultConversationSettings(settings);
      return null;
    } catch (error) {
      return errorViewOf(error);
    }
  }
}
