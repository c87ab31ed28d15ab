import type {
  ChatMessage,
  Connectivity,
  Conversation,
  ConversationSummary,
  ErrorView,
  LatchkeyApi,
  ModelInfo,
  MessageStatus,
  ModelsView,
  ProviderId,
  SendResult,
  StreamDelta,
} from '../../../preload/api';
import { untrack } from 'svelte';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { online } from 'svelte/reactivity/window';
import { errorViewOf } from '../api';
import { markdown, MessageEntry } from './chat-message.svelte';

/** Key of the chat that has no conversation yet (drafts, model choice and errors are per key). */
export const NEW_CHAT = '';
/** How long typing pauses before the draft is saved. */
const DRAFT_SAVE_MS = 400;
/** Opened conversations kept in memory, so switching back is instant. */
const CACHED_VIEWS = 4;

function byRecency(list: readonly ConversationSummary[]): readonly ConversationSummary[] {
  return [...list].sort((a, b) => b.updatedAt - a.updatedAt);
}

/** The messages of one opened conversation. */
export class ConversationView {
  /** Empty until a new chat was created by its first send. */
  id: string;
  entries = $state.raw<readonly MessageEntry[]>([]);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- an index of `entries`, which is the state
  readonly #byId = new Map<string, MessageEntry>();

  constructor(id: string, messages: readonly ChatMessage[] = []) {
    this.id = id;
    this.#replaceAll(messages.map((message) => new MessageEntry(message)));
  }

  get(id: string): MessageEntry | undefined {
    return this.#byId.get(id);
  }

  /** The newest message, if any. */
  get last(): MessageEntry | undefined {
    return this.entries.at(-1);
  }

  add(entry: MessageEntry): void {
    this.#byId.set(entry.id, entry);
    this.entries = [...this.entries, entry];
  }

  remove(id: string): void {
    if (!this.#byId.delete(id)) return;
    this.entries = this.entries.filter((entry) => entry.id !== id);
  }

  /**
   * Applies a message from main: updates the known entry, or takes the place of the optimistic
   * copy of the same user text, or is appended.
   */
  upsert(message: ChatMessage): MessageEntry {
    const known = this.#byId.get(message.id);
    if (known) {
      known.update(message);
      return known;
    }
    const entry = new MessageEntry(message);
    const optimistic = this.entries.findLastIndex(
      (item) => item.optimistic && item.role === message.role && item.content === message.content,
    );
    if (optimistic === -1) {
      this.add(entry);
    } else {
      this.#byId.delete((this.entries[optimistic] as MessageEntry).id);
      this.#byId.set(entry.id, entry);
      this.entries = this.entries.with(optimistic, entry);
    }
    return entry;
  }

  #replaceAll(entries: MessageEntry[]): void {
    this.#byId.clear();
    for (const entry of entries) this.#byId.set(entry.id, entry);
    this.entries = entries;
  }
}

type ModelsState = 'idle' | 'loading' | 'ready' | 'failed';

/**
 * Everything the chat window shows: the conversation list, the open conversation with its
 * streaming answers, drafts, models and connectivity. Components read it and call its methods;
 * only this class talks to the chat half of the preload API (style.md 10).
 *
 * Several providers can chat. Each conversation chats through the provider it was created
 * with; a new chat uses the provider picked for it (the most recently used one by default).
 * Model lists and default models are per provider.
 *
 * Streamed text is coalesced: deltas arriving between two frames are joined and applied in one
 * `requestAnimationFrame` callback, which is only requested while deltas are pending (no loop
 * runs when idle).
 */
export class ChatStore {
  readonly #api: LatchkeyApi;
  /** Signed-in providers that can chat, from the auth state (reactive). */
  readonly #providers: () => readonly ProviderId[];
  readonly #drafts = new SvelteMap<string, string>();
  /** What main last stored per conversation (bookkeeping, never shown). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #savedDrafts = new Map<string, string>();
  readonly #modelChoice = new SvelteMap<string, string>();
  readonly #sendErrors = new SvelteMap<string, ErrorView>();
  readonly #sending = new SvelteSet<string>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache; `view` is the state
  readonly #views = new Map<string, ConversationView>();
  /** Text of every answer streaming since this page started, for views opened mid-stream. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #streams = new Map<string, { conversationId: string; text: string; seq: number }>();
  /** Deltas waiting for the next frame, joined per message. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #pending = new Map<string, { conversationId: string; text: string }>();
  #frame = 0;
  #draftTimer: ReturnType<typeof setTimeout> | null = null;
  #draftKey: string | null = null;
  #openRequest = 0;
  #localIds = 0;
  readonly #models = new SvelteMap<ProviderId, ModelsView>();
  readonly #modelsStates = new SvelteMap<ProviderId, ModelsState>();
  readonly #modelsErrors = new SvelteMap<ProviderId, ErrorView>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  readonly #modelsLoads = new Map<ProviderId, Promise<void>>();
  /** The provider picked for new chats, if the user picked one. */
  #newChatChoice = $state<ProviderId | null>(null);

  conversations = $state.raw<readonly ConversationSummary[]>([]);
  listState = $state<'loading' | 'ready' | 'failed'>('loading');
  listError = $state.raw<ErrorView | null>(null);

  /** The open conversation's id; null for a new chat that was not sent yet. */
  activeId = $state<string | null>(null);
  /** The open conversation's messages (null for a new chat, or while the first load runs). */
  view = $state.raw<ConversationView | null>(null);
  viewState = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  viewError = $state.raw<ErrorView | null>(null);

  connectivity = $state.raw<Connectivity | null>(null);
  checkingConnectivity = $state(false);

  /**
   * The last change of an answer's state in the open chat (started, finished, cut off…), for
   * the screen-reader announcement; null after switching chats, so history is not announced.
   */
  answerEvent = $state<MessageStatus | null>(null);

  /** The last failed rename/delete, shown until dismissed. */
  actionError = $state.raw<ErrorView | null>(null);

  readonly activeKey: string = $derived(this.activeId ?? NEW_CHAT);
  readonly active: ConversationSummary | null = $derived(
    this.conversations.find((item) => item.id === this.activeId) ?? null,
  );
  /** Signed-in providers the chat can use now. */
  readonly available: readonly ProviderId[] = $derived(this.#signedIn());
  /** The provider a new chat goes to: the one picked, else the most recently used one. */
  readonly newChatProvider: ProviderId | null = $derived.by(() => {
    const available = this.available;
    const choice = this.#newChatChoice;
    if (choice !== null && available.includes(choice)) return choice;
    const recent = this.conversations.find((item) => available.includes(item.provider));
    return recent?.provider ?? available[0] ?? null;
  });
  /** The provider of the open chat (a conversation keeps its own, even when signed out). */
  readonly provider: ProviderId | null = $derived(this.#providerOf(this.activeKey));
  /** False when the open chat's provider is signed out: sending would be refused. */
  readonly providerReady: boolean = $derived(
    this.provider !== null && this.available.includes(this.provider),
  );
  /** The model list of the open chat's provider. */
  readonly models: ModelsView | null = $derived(
    this.provider === null ? null : (this.#models.get(this.provider) ?? null),
  );
  readonly modelsState: ModelsState = $derived(
    this.provider === null ? 'idle' : (this.#modelsStates.get(this.provider) ?? 'idle'),
  );
  readonly modelsError: ErrorView | null = $derived(
    this.provider === null ? null : (this.#modelsErrors.get(this.provider) ?? null),
  );
  /** False when main or the OS says the provider cannot be reached. */
  readonly online: boolean = $derived(
    this.connectivity?.online !== false && online.current !== false,
  );
  readonly modelIndex: ReadonlyMap<string, ModelInfo> = $derived(
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt, never mutated
    new Map((this.models?.models ?? []).map((model) => [model.id, model])),
  );
  /** The model the next message of the open chat goes to. */
  readonly model: string | null = $derived(this.modelFor(this.activeKey));
  /** An answer is being requested or streamed in the open chat. */
  readonly streaming: boolean = $derived(
    this.#sending.has(this.activeKey) || this.view?.last?.streaming === true,
  );
  readonly sendError: ErrorView | null = $derived(this.#sendErrors.get(this.activeKey) ?? null);
  /** The last answer of the open chat, when it can be regenerated. */
  readonly regenerable: string | null = $derived.by(() => {
    const last = this.view?.last;
    return last?.role === 'assistant' && !last.streaming && !this.streaming ? last.id : null;
  });

  /**
   * @param providers the signed-in providers that can chat, read reactively (the auth state).
   */
  constructor(api: LatchkeyApi, providers: () => readonly ProviderId[]) {
    this.#api = api;
    this.#providers = providers;
  }

  /**
   * Subscribes to main's chat events and loads the list, connectivity and the models of every
   * provider that can chat (again whenever another one signs in).
   */
  start(): () => void {
    const offs = [
      this.#api.onStreamDelta((delta) => this.#onDelta(delta)),
      this.#api.onMessage(({ conversationId, message }) =>
        this.#onMessage(conversationId, message),
      ),
      this.#api.onConversations((list) => {
        this.conversations = byRecency(list);
        this.listState = 'ready';
      }),
      this.#api.onConnectivity((connectivity) => this.#setConnectivity(connectivity)),
    ];
    void this.loadConversations().then(() => this.#reopenLatest());
    const stopModels = $effect.root(() => {
      $effect(() => {
        const providers = this.available;
        untrack(() => {
          for (const provider of providers) {
            if (!this.#models.has(provider)) void this.loadModels(false, provider);
          }
        });
      });
    });
    void this.checkConnectivity();
    markdown.load().catch((error: unknown) => console.error('Markdown failed to load', error));
    return () => {
      for (const off of offs) off();
      stopModels();
      if (this.#frame) cancelAnimationFrame(this.#frame);
      this.#frame = 0;
      this.#flushDeltas();
      this.saveDraft();
    };
  }

  async loadConversations(): Promise<void> {
    this.listState = 'loading';
    this.listError = null;
    try {
      this.conversations = byRecency(await this.#api.listConversations());
      this.listState = 'ready';
    } catch (error) {
      this.listError = errorViewOf(error);
      this.listState = 'failed';
    }
  }

  /** Loads a provider's model list (the open chat's provider by default). */
  loadModels(refresh: boolean, provider: ProviderId | null = this.provider): Promise<void> {
    if (provider === null) return Promise.resolve();
    const running = this.#modelsLoads.get(provider);
    if (running) return running;
    this.#modelsStates.set(provider, 'loading');
    this.#modelsErrors.delete(provider);
    const load = (async () => {
      try {
        this.#models.set(provider, await this.#api.listModels(provider, refresh));
        this.#modelsStates.set(provider, 'ready');
      } catch (error) {
        this.#modelsErrors.set(provider, errorViewOf(error));
        this.#modelsStates.set(provider, 'failed');
      } finally {
        this.#modelsLoads.delete(provider);
      }
    })();
    this.#modelsLoads.set(provider, load);
    return load;
  }

  async checkConnectivity(): Promise<void> {
    if (this.checkingConnectivity) return;
    this.checkingConnectivity = true;
    try {
      this.#setConnectivity(await this.#api.checkConnectivity());
    } catch (error) {
      console.warn('Could not check connectivity', error);
    } finally {
      this.checkingConnectivity = false;
    }
  }

  // Conversations

  /** Opens a conversation: at once from memory when it was open recently, else from disk. */
  async open(id: string): Promise<void> {
    if (id === this.activeId && this.viewState !== 'failed') return;
    this.saveDraft();
    const request = ++this.#openRequest;
    this.activeId = id;
    this.viewError = null;
    this.answerEvent = null;
    const cached = this.#views.get(id);
    if (cached) {
      this.#touch(cached);
      this.view = cached;
      this.viewState = 'ready';
      return;
    }
    this.view = null;
    this.viewState = 'loading';
    try {
      const conversation = await this.#api.openConversation(id);
      if (request !== this.#openRequest) return;
      this.#show(conversation);
    } catch (error) {
      if (request !== this.#openRequest) return;
      this.viewError = errorViewOf(error);
      this.viewState = 'failed';
    }
  }

  /**
   * Picks the provider of the new chat (and of later new chats). The model is that provider's
   * default; the text typed so far stays.
   */
  chooseProvider(provider: ProviderId): void {
    this.#newChatChoice = provider;
    if (!this.#models.has(provider)) void this.loadModels(false, provider);
  }

  /** Shows an empty chat; the conversation is created by its first message. */
  newChat(): void {
    this.saveDraft();
    ++this.#openRequest;
    this.activeId = null;
    this.view = null;
    this.viewState = 'idle';
    this.viewError = null;
    this.answerEvent = null;
  }

  async rename(id: string, title: string): Promise<boolean> {
    const name = title.trim();
    const known = this.conversations.find((item) => item.id === id);
    if (!known || name === '' || name === known.title) return false;
    this.actionError = null;
    this.#replaceSummary({ ...known, title: name }, false);
    try {
      this.#replaceSummary(await this.#api.renameConversation(id, name), false);
      return true;
    } catch (error) {
      const current = this.conversations.find((item) => item.id === id);
      if (current) this.#replaceSummary({ ...current, title: known.title }, false);
      this.actionError = errorViewOf(error);
      return false;
    }
  }

  async remove(id: string): Promise<boolean> {
    this.actionError = null;
    try {
      await this.#api.deleteConversation(id);
    } catch (error) {
      this.actionError = errorViewOf(error);
      return false;
    }
    this.conversations = this.conversations.filter((item) => item.id !== id);
    this.#views.delete(id);
    this.#drafts.delete(id);
    this.#savedDrafts.delete(id);
    this.#sendErrors.delete(id);
    this.#modelChoice.delete(id);
    if (this.#draftKey === id) this.#cancelDraftSave();
    if (this.activeId === id) this.newChat();
    return true;
  }

  dismissActionError(): void {
    this.actionError = null;
  }

  // Drafts

  /** What the user typed in the open chat and did not send. */
  get draft(): string {
    return this.#drafts.get(this.activeKey) ?? '';
  }

  set draft(text: string) {
    const key = this.activeKey;
    this.#drafts.set(key, text);
    if (key === NEW_CHAT) return;
    if (this.#draftKey !== null && this.#draftKey !== key) this.saveDraft();
    this.#draftKey = key;
    if (this.#draftTimer) clearTimeout(this.#draftTimer);
    this.#draftTimer = setTimeout(() => this.saveDraft(), DRAFT_SAVE_MS);
  }

  /** Saves the pending draft now (on blur, switching conversations, closing). */
  saveDraft(): void {
    const key = this.#draftKey;
    this.#cancelDraftSave();
    if (key === null || key === NEW_CHAT) return;
    this.#persistDraft(key);
  }

  // Models

  modelFor(key: string): string | null {
    const provider = this.#providerOf(key);
    const summary = key === NEW_CHAT ? null : this.conversations.find((item) => item.id === key);
    const models = provider === null ? undefined : this.#models.get(provider);
    return (
      this.#modelChoice.get(this.#choiceKey(key, provider)) ??
      summary?.model ??
      models?.defaultModel ??
      models?.models[0]?.id ??
      null
    );
  }

  /** Uses `model` for the open chat and makes it its provider's default for new chats. */
  async chooseModel(model: string): Promise<void> {
    const provider = this.provider;
    if (provider === null) return;
    this.#modelChoice.set(this.#choiceKey(this.activeKey, provider), model);
    try {
      this.#models.set(provider, await this.#api.setDefaultModel(provider, model));
    } catch (error) {
      console.warn('Could not remember the default model', error);
    }
  }

  // Sending

  /**
   * Sends the draft of the open chat. The composer empties at once and the message shows; if
   * main refuses (offline, out of credits…) the message goes away, the text returns to the
   * composer and the reason is shown. Nothing typed is lost.
   */
  async send(): Promise<boolean> {
    let key = this.activeKey;
    const text = this.draft;
    const provider = this.#providerOf(key);
    if (text.trim() === '' || this.#sending.has(key)) return false;
    this.#sendErrors.delete(key);
    this.#sending.add(key);
    this.#drafts.set(key, '');
    if (this.#draftKey === key) this.#cancelDraftSave();

    const view = this.view ?? new ConversationView(NEW_CHAT);
    if (key === NEW_CHAT) {
      this.view = view;
      this.viewState = 'ready';
    }
    const optimistic = new MessageEntry(
      {
        id: `local-${++this.#localIds}`,
        role: 'user',
        content: text,
        createdAt: Date.now(),
        status: 'complete',
        model: null,
        usage: null,
        finishReason: null,
        error: null,
      },
      true,
    );
    view.add(optimistic);
    try {
      // The conversation's provider was signed out: say so, as main would.
      if (provider === null || !this.available.includes(provider)) {
        throw new Error('CHAT_NOT_SIGNED_IN: provider signed out');
      }
      // Sent before the model list arrived (right after signing in): wait for its default.
      if (this.modelFor(key) === null) {
        await (this.#modelsLoads.get(provider) ??
          (this.#models.has(provider) ? undefined : this.loadModels(false, provider)));
      }
      const model = this.modelFor(key);
      if (model === null) {
        throw new Error(this.online ? 'CHAT_BAD_REQUEST: no model' : 'NETWORK_OFFLINE: no model');
      }
      if (key === NEW_CHAT) {
        const created = await this.#api.createConversation(provider, model);
        key = this.#adopt(view, created, model);
      }
      const result = await this.#api.send(key, text, model);
      this.#applyResult(view, result);
      if (result.userMessage === null) view.remove(optimistic.id);
      if ((this.#drafts.get(key) ?? '') === '') this.#persistDraft(key);
      return true;
    } catch (error) {
      view.remove(optimistic.id);
      if (key === NEW_CHAT && view.entries.length === 0 && this.view === view) this.view = null;
      const typed = this.#drafts.get(key) ?? '';
      this.#drafts.set(key, typed.trim() === '' ? text : `${text}\n\n${typed}`);
      if (key !== NEW_CHAT) this.#persistDraft(key);
      const reason = errorViewOf(error);
      this.#sendErrors.set(key, reason);
      if (reason.code === 'NETWORK_OFFLINE') {
        this.#setConnectivity({ online: false, checkedAt: Date.now() });
      }
      return false;
    } finally {
      this.#sending.delete(key);
    }
  }

  /** Stops the answer streaming in the open chat (its partial text is kept). */
  async stop(): Promise<void> {
    const id = this.activeId;
    if (id === null) return;
    try {
      await this.#api.stop(id);
    } catch (error) {
      this.#sendErrors.set(id, errorViewOf(error));
    }
  }

  /** Asks again for the last answer of the open chat. */
  async regenerate(): Promise<boolean> {
    const id = this.activeId;
    const view = this.view;
    const model = this.model;
    if (id === null || view === null || model === null || this.#sending.has(id)) return false;
    this.#sendErrors.delete(id);
    this.#sending.add(id);
    try {
      const result = await this.#api.regenerate(id, model);
      const replaced = view.entries.findLast(
        (entry) => entry.role === 'assistant' && entry.id !== result.assistantMessage.id,
      );
      if (replaced) view.remove(replaced.id);
      this.#applyResult(view, result);
      return true;
    } catch (error) {
      this.#sendErrors.set(id, errorViewOf(error));
      return false;
    } finally {
      this.#sending.delete(id);
    }
  }

  dismissSendError(): void {
    this.#sendErrors.delete(this.activeKey);
  }

  /** Opens a link from an answer in the user's browser (main allows https only). */
  async openLink(url: string): Promise<void> {
    try {
      await this.#api.openExternal(url);
    } catch (error) {
      this.actionError = errorViewOf(error);
    }
  }

  // Events

  #onDelta(delta: StreamDelta): void {
    const stream = this.#streams.get(delta.messageId);
    if (stream && delta.seq <= stream.seq) return;
    if (stream) {
      stream.text += delta.text;
      stream.seq = delta.seq;
    } else {
      this.#streams.set(delta.messageId, {
        conversationId: delta.conversationId,
        text: delta.text,
        seq: delta.seq,
      });
    }
    const pending = this.#pending.get(delta.messageId);
    if (pending) pending.text += delta.text;
    else
      this.#pending.set(delta.messageId, {
        conversationId: delta.conversationId,
        text: delta.text,
      });
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#flushDeltas());
  }

  /** Applies every delta received since the last frame, one append per message. */
  #flushDeltas(): void {
    this.#frame = 0;
    for (const [messageId, { conversationId, text }] of this.#pending) {
      const view = this.#viewOf(conversationId);
      if (!view) continue;
      const entry =
        view.get(messageId) ??
        view.upsert({
          id: messageId,
          role: 'assistant',
          content: '',
          createdAt: Date.now(),
          status: 'streaming',
          model: null,
          usage: null,
          finishReason: null,
          error: null,
        });
      entry.append(text);
    }
    this.#pending.clear();
  }

  #onMessage(conversationId: string, message: ChatMessage): void {
    if (this.#pending.has(message.id)) this.#flushDeltas();
    if (message.status !== 'streaming') this.#streams.delete(message.id);
    const view = this.#viewOf(conversationId);
    const was = view?.get(message.id)?.message.status;
    view?.upsert(message);
    if (view && view === this.view && was === 'streaming' && message.status !== 'streaming') {
      this.answerEvent = message.status;
    }
  }

  #setConnectivity(next: Connectivity): void {
    const wasOffline = this.connectivity?.online === false;
    if (this.connectivity && next.checkedAt < this.connectivity.checkedAt) return;
    this.connectivity = next;
    if (!wasOffline || !next.online) return;
    for (const provider of this.available) {
      const models = this.#models.get(provider);
      if (models === undefined || models.stale) void this.loadModels(true, provider);
    }
  }

  // Internals

  /** At startup the most recent conversation opens again, unless the user already moved on. */
  #reopenLatest(): void {
    const latest = this.conversations[0];
    if (!latest || this.activeId !== null || this.view !== null) return;
    if ((this.#drafts.get(NEW_CHAT) ?? '') !== '' || this.#sending.has(NEW_CHAT)) return;
    void this.open(latest.id);
  }

  #signedIn(): readonly ProviderId[] {
    return this.#providers();
  }

  /** The provider of a chat: a conversation's own, or the one a new chat goes to. */
  #providerOf(key: string): ProviderId | null {
    if (key === NEW_CHAT) return this.newChatProvider;
    return this.conversations.find((item) => item.id === key)?.provider ?? null;
  }

  /** Where the model picked for a chat is kept: new chats keep one per provider. */
  #choiceKey(key: string, provider: ProviderId | null): string {
    return key === NEW_CHAT ? `${NEW_CHAT}:${provider ?? ''}` : key;
  }

  #viewOf(conversationId: string): ConversationView | undefined {
    return this.#views.get(conversationId);
  }

  #show(conversation: Conversation): void {
    const view = new ConversationView(conversation.id, conversation.messages);
    for (const entry of view.entries) {
      const stream = this.#streams.get(entry.id);
      if (entry.streaming && stream?.text.startsWith(entry.content)) {
        entry.append(stream.text.slice(entry.content.length));
      }
    }
    this.#cache(view);
    if (!this.#drafts.has(conversation.id)) this.#drafts.set(conversation.id, conversation.draft);
    this.#savedDrafts.set(conversation.id, conversation.draft);
    this.#replaceSummary(conversation, true);
    this.view = view;
    this.viewState = 'ready';
  }

  /** The first send of a new chat created its conversation: the chat takes on its id. */
  #adopt(view: ConversationView, created: Conversation, model: string): string {
    const id = created.id;
    view.id = id;
    this.#cache(view);
    this.#replaceSummary(created, true);
    this.#modelChoice.set(id, model);
    this.#modelChoice.delete(this.#choiceKey(NEW_CHAT, created.provider));
    this.#sending.delete(NEW_CHAT);
    this.#sending.add(id);
    const typed = this.#drafts.get(NEW_CHAT) ?? '';
    this.#drafts.delete(NEW_CHAT);
    this.#drafts.set(id, typed);
    if (this.activeId === null && this.view === view) {
      this.activeId = id;
      ++this.#openRequest;
    }
    return id;
  }

  #applyResult(view: ConversationView, result: SendResult): void {
    if (result.userMessage) view.upsert(result.userMessage);
    view.upsert(result.assistantMessage);
    if (view === this.view) this.answerEvent = 'streaming';
    this.#replaceSummary(result.conversation, true);
  }

  /** Puts a summary in the list (adding it when `add`), keeping recency order. */
  #replaceSummary(summary: ConversationSummary, add: boolean): void {
    const plain: ConversationSummary = {
      id: summary.id,
      provider: summary.provider,
      title: summary.title,
      createdAt: summary.createdAt,
      updatedAt: summary.updatedAt,
      model: summary.model,
      messageCount: summary.messageCount,
      streaming: summary.streaming,
    };
    const index = this.conversations.findIndex((item) => item.id === summary.id);
    if (index === -1 && !add) return;
    const list =
      index === -1 ? [...this.conversations, plain] : this.conversations.with(index, plain);
    this.conversations = byRecency(list);
  }

  #cache(view: ConversationView): void {
    this.#views.delete(view.id);
    this.#views.set(view.id, view);
    for (const [id, cached] of this.#views) {
      if (this.#views.size <= CACHED_VIEWS) break;
      if (cached !== this.view && !cached.last?.streaming) this.#views.delete(id);
    }
  }

  #touch(view: ConversationView): void {
    this.#views.delete(view.id);
    this.#views.set(view.id, view);
  }

  #persistDraft(key: string): void {
    const text = this.#drafts.get(key) ?? '';
    if (this.#savedDrafts.get(key) === text) return;
    this.#savedDrafts.set(key, text);
    this.#api.setDraft(key, text).catch((error: unknown) => {
      this.#savedDrafts.delete(key);
      console.warn('Could not save the draft', error);
    });
  }

  #cancelDraftSave(): void {
    if (this.#draftTimer) clearTimeout(this.#draftTimer);
    this.#draftTimer = null;
    this.#draftKey = null;
  }
}
