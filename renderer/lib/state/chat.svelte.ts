import type {
  Connectivity,
  Conversation,
  ConversationList,
  ConversationSummary,
  ErrorView,
  LatchkeyApi,
  ModelInfo,
  MessageStatus,
  ModelsView,
  ProviderId,
  SendResult,
} from '../../../preload/api';
import { untrack } from 'svelte';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { errorViewOf } from '../api';
import { AttachmentImages } from '../attachments/images.svelte';
import { ComposerAttachments } from '../attachments/pending.svelte';
import { afterPaint } from './after-paint';
import { ChatEvents } from './chat-events';
import { ConnectionState } from './connectivity.svelte';
import { markdown, MessageEntry } from './chat-message.svelte';
import { ModelLists, type ModelsState } from './chat-models.svelte';
import { Conversations } from './conversation-list.svelte';
import { ConversationSettingsState } from './conversation-settings.svelte';
import { ConversationView, ViewCache } from './conversation-view.svelte';
import { Drafts, NEW_CHAT } from './drafts.svelte';

export { ConversationView, NEW_CHAT };

/** Conversations asked for first, so the sidebar paints before a long list arrives. */
const FIRST_LIST_PAGE = 100;
/** Conversations per page of the rest of the list. */
const LIST_PAGE = 1000;

/**
 * Everything the chat window shows: the conversation list, the open conversation with its
 * streaming answers, drafts, models and connectivity. Components read it and call its methods;
 * only this class talks to the chat half of the preload API (style.md 10). It composes the
 * parts that each own one job: {@link Conversations} (the list), {@link ConversationView}
 * (one conversation's messages), {@link ChatEvents} (main's message events, kept for views not
 * yet there), {@link Drafts} and {@link ModelLists}.
 *
 * One rule keeps it right whatever order events and responses arrive in: every message and
 * summary carries main's revision, and an older copy never replaces a newer one
 * (preload/api.ts `ChatMessage.revision`). tests/unit/renderer/state/chat-convergence.test.ts
 * checks it against a scripted main under thousands of seeded orderings.
 *
 * Several providers can chat. Each conversation chats through the provider it was created
 * with; a new chat uses the provider picked for it (the most recently used one by default).
 * Model lists and default models are per provider.
 */
export class ChatStore {
  readonly #api: LatchkeyApi;
  /** Signed-in providers that can chat, from the auth state (reactive). */
  readonly #providers: () => readonly ProviderId[];
  readonly #list = new Conversations();
  /** The newest page of the list, asked for as the page loads ({@link preloadList}). */
  #preloaded: Promise<ConversationList> | null = null;
  readonly #drafts: Drafts;
  readonly #models: ModelLists;
  readonly #events: ChatEvents;
  readonly #sendErrors = new SvelteMap<string, ErrorView>();
  readonly #sending = new SvelteSet<string>();
  readonly #views = new ViewCache((view) => view === this.view || this.#sending.has(view.id));
  #openRequest = 0;
  #localIds = 0;
  /** A new chat's first send creating its conversation (opening waits for it: it may be that one). */
  #creating: Promise<unknown> | null = null;
  /** Stop was pressed while a new chat's first send was creating its conversation. */
  #stopBeforeSend = false;
  /** The provider picked for new chats, if the user picked one. */
  #newChatChoice = $state<ProviderId | null>(null);

  listState = $state<'loading' | 'ready' | 'failed'>('loading');
  listError = $state.raw<ErrorView | null>(null);

  /** The open conversation's id; null for a new chat that was not sent yet. */
  activeId = $state<string | null>(null);
  /** The open conversation's messages (null for a new chat, or while the first load runs). */
  view = $state.raw<ConversationView | null>(null);
  viewState = $state<'idle' | 'loading' | 'ready' | 'failed'>('idle');
  viewError = $state.raw<ErrorView | null>(null);

  readonly #connection: ConnectionState;
  /** System prompt and parameters per chat ("Conversation settings"). */
  readonly settings: ConversationSettingsState;

  /**
   * The last change of an answer's state in the open chat (started, finished, cut off…), for
   * the screen-reader announcement; null after switching chats, so history is not announced.
   */
  answerEvent = $state<MessageStatus | null>(null);

  /** The last failed rename/delete, shown until dismissed. */
  actionError = $state.raw<ErrorView | null>(null);

  /** The conversations, newest activity first. */
  get conversations(): readonly ConversationSummary[] {
    return this.#list.items;
  }

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
  readonly models: ModelsView | null = $derived(this.#modelsOf(this.provider).view);
  readonly modelsState: ModelsState = $derived(this.#modelsOf(this.provider).state);
  readonly modelsError: ErrorView | null = $derived(this.#modelsOf(this.provider).error);
  /** False when main or the OS says the provider cannot be reached. */
  get online(): boolean {
    return this.#connection.online;
  }

  get checkingConnectivity(): boolean {
    return this.#connection.checking;
  }

  get connectivity(): Connectivity | null {
    return this.#connection.current;
  }
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
  /** Files waiting in each chat's composer (sent with its next message). */
  readonly attachments: ComposerAttachments;
  /** Sent images, as `data:` URLs for thumbnails and the viewer. */
  readonly images: AttachmentImages;

  constructor(api: LatchkeyApi, providers: () => readonly ProviderId[]) {
    this.#api = api;
    this.#providers = providers;
    this.#drafts = new Drafts(api);
    this.attachments = new ComposerAttachments(api);
    this.images = new AttachmentImages(api);
    this.#models = new ModelLists(api);
    this.settings = new ConversationSettingsState(api);
    this.#connection = new ConnectionState(api, () => this.#models.refreshStale(this.available));
    this.#events = new ChatEvents(
      (id) => this.#views.get(id),
      (view, message) => {
        if (view === this.view) this.answerEvent = message.status;
      },
    );
  }

  /**
   * Subscribes to main's chat events and loads the list, connectivity and the models of every
   * provider that can chat (again whenever another one signs in).
   */
  start(): () => void {
    const offs = [
      this.#api.onStreamDelta((delta) => this.#events.delta(delta)),
      this.#api.onMessage(({ conversationId, message }) =>
        this.#events.message(conversationId, message),
      ),
      this.#api.onConversations((list) => {
        this.#list.applyList(list);
        this.listState = 'ready';
      }),
      this.#api.onConnectivity((connectivity) => this.#connection.apply(connectivity)),
    ];
    // The new chat's draft is read first: a chat left half-typed at quit is where the user was.
    // The newest page of the list is enough to reopen the latest conversation. That, and the
    // markdown pipeline (a large module to evaluate), wait until the page is on screen.
    const listed = new Promise<void>((shown) => void this.loadConversations(shown)).then(() =>
      afterPaint(),
    );
    void Promise.all([listed, this.#drafts.load()]).then(() => this.#reopenLatest());
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
    void listed.then(() =>
      markdown.load().catch((error: unknown) => console.error('Markdown failed to load', error)),
    );
    return () => {
      for (const off of offs) off();
      stopModels();
      this.#events.flush();
      this.#events.dispose();
      this.#drafts.dispose();
    };
  }

  /**
   * Asks main for the newest page of the list at once, while the page is still starting (before
   * the sign-in state is known), so the sidebar can show it as soon as it appears. The next
   * {@link loadConversations} (from {@link start}) takes it.
   */
  preloadList(): void {
    const request = this.#api.listConversations(FIRST_LIST_PAGE);
    // A failure is reported by whoever takes it.
    request.catch(() => undefined);
    this.#preloaded = request;
  }

  /**
   * Loads the list: the newest {@link FIRST_LIST_PAGE} first, painted at once; then, once that
   * page is on screen, the rest, {@link LIST_PAGE} at a time. `firstShown` is called when the
   * first page is in (or failed).
   */
  async loadConversations(firstShown?: () => void): Promise<void> {
    this.listState = 'loading';
    this.listError = null;
    const preloaded = this.#preloaded;
    this.#preloaded = null;
    try {
      let page = await (preloaded ?? this.#api.listConversations(FIRST_LIST_PAGE));
      this.#list.applyList(page);
      this.listState = 'ready';
      firstShown?.();
      if (!page.partial) return;
      await afterPaint();
      // The rest in pages after the last one shown: each a short task for main and for the
      // page (all 10,000 at once were 2.3 MB of JSON, one long task on each side).
      let limit = FIRST_LIST_PAGE;
      while (page.conversations.length === limit) {
        const { updatedAt, createdAt, id } = page.conversations.at(-1) as ConversationSummary;
        limit = LIST_PAGE;
        page = await this.#api.listConversations(limit, { updatedAt, createdAt, id });
        this.#list.applyList(page);
      }
    } catch (error) {
      this.listError = errorViewOf(error);
      this.listState = 'failed';
    } finally {
      firstShown?.();
    }
  }

  /** Loads a provider's model list (the open chat's provider by default). */
  loadModels(refresh: boolean, provider: ProviderId | null = this.provider): Promise<void> {
    return provider === null ? Promise.resolve() : this.#models.load(provider, refresh);
  }

  checkConnectivity(): Promise<void> {
    return this.#connection.check();
  }

  // Conversations

  /** Opens a conversation: at once from memory when it was open recently, else from disk. */
  /**
   * A message to bring into view once its conversation shows (a search result); `seq` makes
   * the same message asked for twice a new request.
   */
  reveal = $state.raw<{
    readonly conversationId: string;
    readonly messageId: string;
    readonly seq: number;
  } | null>(null);
  #revealSeq = 0;

  /** Opens a conversation scrolled to one of its messages (null: at its latest). */
  async openAt(id: string, messageId: string | null): Promise<void> {
    this.reveal =
      messageId === null ? null : { conversationId: id, messageId, seq: ++this.#revealSeq };
    await this.open(id);
  }

  async open(id: string): Promise<void> {
    if (id === this.activeId && this.viewState !== 'failed') return;
    this.#drafts.save();
    const request = ++this.#openRequest;
    this.activeId = id;
    this.viewError = null;
    this.answerEvent = null;
    if (this.#creating) {
      await this.#creating.catch(() => undefined);
      if (request !== this.#openRequest) return;
    }
    const cached = this.#views.get(id);
    if (cached) {
      this.#views.keep(cached);
      this.view = cached;
      this.viewState = 'ready';
      return;
    }
    this.view = null;
    this.viewState = 'loading';
    try {
      // Typed into while it loads (right after a restart): saves wait for the stored draft.
      const conversation = await this.#drafts.read(id, () => this.#api.openConversation(id));
      if (request !== this.#openRequest) return;
      this.view = this.#receive(conversation);
      this.viewState = 'ready';
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
    this.#drafts.save();
    ++this.#openRequest;
    this.activeId = null;
    this.view = null;
    this.viewState = 'idle';
    this.viewError = null;
    this.answerEvent = null;
  }

  async rename(id: string, title: string): Promise<boolean> {
    const name = title.trim();
    const known = this.#list.get(id);
    if (!known || name === '' || name === known.title) return false;
    this.actionError = null;
    this.#list.retitle(id, name);
    try {
      this.#list.apply(await this.#api.renameConversation(id, name), false);
      return true;
    } catch (error) {
      if (this.#list.get(id)?.title === name) this.#list.retitle(id, known.title);
      this.actionError = errorViewOf(error);
      return false;
    }
  }

  /**
   * Deletes a conversation: it leaves the list and the chat at once (nothing more can be typed
   * into it); if main cannot delete it, it comes back with the reason shown.
   */
  async remove(id: string): Promise<boolean> {
    this.actionError = null;
    if (this.activeId === id) this.newChat();
    this.#list.drop(id);
    try {
      this.#list.applyList(await this.#api.deleteConversation(id));
    } catch (error) {
      this.#list.undrop(id);
      this.actionError = errorViewOf(error);
      void this.loadConversations();
      return false;
    }
    this.#events.forget(id);
    this.#views.delete(id);
    this.#drafts.forget(id);
    this.#sendErrors.delete(id);
    this.#models.forgetChoice(id);
    this.settings.forget(id);
    if (this.activeId === id) this.newChat();
    return true;
  }

  dismissActionError(): void {
    this.actionError = null;
  }

  // Drafts

  /** What the user typed in the open chat and did not send. */
  get draft(): string {
    return this.#drafts.get(this.activeKey);
  }

  set draft(text: string) {
    this.#drafts.type(this.activeKey, text);
  }

  /** Saves the pending draft now (on blur, switching conversations, closing). */
  saveDraft(): void {
    this.#drafts.save();
  }

  // Models

  /** The model a chat uses: picked for it, else its conversation's, else the default. */
  modelFor(key: string): string | null {
    const summary = key === NEW_CHAT ? null : this.#list.get(key);
    return this.#models.modelFor(key, this.#providerOf(key), summary?.model ?? null);
  }

  /**
   * Uses `model` for the open chat and makes it its provider's default for new chats. A
   * conversation keeps it at once (main stores it), not only from its next send.
   */
  async chooseModel(model: string): Promise<void> {
    const key = this.activeKey;
    if (this.provider === null) return;
    await Promise.all([
      this.#models.choose(key, this.provider, model),
      key === NEW_CHAT ? undefined : this.#saveModel(key, model),
    ]);
  }

  async #saveModel(id: string, model: string): Promise<void> {
    try {
      this.#list.apply(await this.#api.setConversationModel(id, model), false);
    } catch (error) {
      if (!this.#list.deleted(id)) this.actionError = errorViewOf(error);
    }
  }

  // Sending

  /**
   * Sends the draft of the open chat. The composer empties at once and the message shows; if
   * main refuses (offline, out of credits…) the message goes away, the text returns to the
   * composer and the reason is shown. Nothing typed is lost. A conversation whose messages are
   * still loading keeps the text until they are shown.
   */
  async send(): Promise<boolean> {
    let key = this.activeKey;
    const from = key;
    const text = this.draft;
    const provider = this.#providerOf(key);
    // Files waiting in the composer go with the text (or alone); never half-prepared ones.
    const files = this.attachments.refs(key);
    if (text.trim() === '' && files.length === 0) return false;
    if (this.#sending.has(key) || this.attachments.preparing(key)) return false;
    if (key !== NEW_CHAT && this.view?.id !== key) return false;
    this.#sendErrors.delete(key);
    this.#sending.add(key);
    this.#drafts.put(key, '');
    if (key === NEW_CHAT) this.#stopBeforeSend = false;

    const view = this.view ?? new ConversationView(NEW_CHAT);
    if (key === NEW_CHAT) {
      this.view = view;
      this.viewState = 'ready';
    }
    const optimistic = MessageEntry.optimistic(`local-${++this.#localIds}`, text);
    view.add(optimistic);
    try {
      let model: string;
      if (key === NEW_CHAT) {
        // Main moves the new chat's draft to the conversation it creates. From the moment Send
        // is pressed, the new chat's saves wait until the chat has taken on its id, so what is
        // typed meanwhile is never taken for the text being sent.
        const creating = this.#drafts.during(NEW_CHAT, async () => {
          const chosen = await this.#sendModel(NEW_CHAT, provider);
          // What main moves is exactly the text being sent (a restored draft may be shown now).
          await this.#drafts.store(NEW_CHAT, text);
          const created = await this.#api.createConversation(
            chosen.provider,
            chosen.model,
            this.settings.held ?? undefined,
          );
          return { id: this.#adopt(view, created, chosen.model), model: chosen.model };
        });
        this.#creating = creating;
        ({ id: key, model } = await creating.finally(() => {
          if (this.#creating === creating) this.#creating = null;
        }));
        if (this.#stopBeforeSend) throw new Error('CHAT_STOPPED: before it was sent');
      } else {
        ({ model } = await this.#sendModel(key, provider));
      }
      // Main empties the draft when it accepts the send: a save of this chat still on its way
      // (the text given back by a send that failed just before) must land before that.
      await this.#drafts.settled(key);
      const result = await this.#api.send(key, text, model, files.length ? files : undefined);
      this.attachments.clear(from);
      this.#applyResult(key, result);
      // Main empties a conversation's draft when it accepts a send: what was typed since (or
      // nothing) is saved again, after any save still on its way.
      this.#drafts.persist(key, true);
      return true;
    } catch (error) {
      view.remove(optimistic.id);
      if (key === NEW_CHAT && view.entries.length === 0 && this.view === view) this.view = null;
      // Deleted meanwhile: the text goes back to a new chat's composer.
      const home = this.#list.deleted(key) ? NEW_CHAT : key;
      // The files stay in the composer too, with the chat the text went back to.
      this.attachments.move(from, home);
      const typed = this.#drafts.get(home);
      this.#drafts.put(home, typed.trim() === '' ? text : `${text}\n\n${typed}`);
      this.#drafts.persist(home);
      // Stopped before the provider answered: the text is back, which says it all.
      const reason = errorViewOf(error);
      if (reason.code !== 'CHAT_STOPPED') this.#sendErrors.set(home, reason);
      return false;
    } finally {
      this.#sending.delete(key);
    }
  }

  /** Stops the answer streaming in the open chat (its partial text is kept). */
  async stop(): Promise<void> {
    const id = this.activeId;
    if (id === null) {
      // A new chat's first send still creating its conversation: it is not sent after all.
      if (this.#sending.has(NEW_CHAT)) this.#stopBeforeSend = true;
      return;
    }
    try {
      await this.#api.stop(id);
    } catch (error) {
      this.#sendErrors.set(id, errorViewOf(error));
    }
  }

  /** Asks again for the last answer of the open chat. */
  regenerate(): Promise<boolean> {
    const model = this.model;
    if (model === null) return Promise.resolve(false);
    return this.#answerAgain((id) => this.#api.regenerate(id, model));
  }

  /**
   * Continues the last answer of the open chat where it was cut off: main appends to it, so it
   * streams again in place (its text so far stays).
   */
  continueAnswer(): Promise<boolean> {
    const messageId = this.regenerable;
    if (messageId === null) return Promise.resolve(false);
    return this.#answerAgain((id) => this.#api.continueAnswer(id, messageId));
  }

  /** Regenerate and Continue: one request for the open chat's last answer, which it replaces. */
  async #answerAgain(request: (id: string) => Promise<SendResult>): Promise<boolean> {
    const id = this.activeId;
    if (id === null || this.view?.id !== id || this.#sending.has(id)) return false;
    this.#sendErrors.delete(id);
    this.#sending.add(id);
    try {
      const result = await request(id);
      this.#views.get(id)?.replaceAnswers(result.assistantMessage);
      this.#applyResult(id, result);
      return true;
    } catch (error) {
      const reason = errorViewOf(error);
      if (reason.code !== 'CHAT_STOPPED') this.#sendErrors.set(id, reason);
      return false;
    } finally {
      this.#sending.delete(id);
    }
  }

  /**
   * Edit and resend: replaces the user message `messageId` of the open chat, and everything
   * after it, with `text` and a new answer. Nothing changes until main accepted it; on failure
   * (offline, out of credits…) nothing is replaced and the reason is returned, for the edit box
   * that still holds the text. Null once the new answer streams.
   */
  async edit(messageId: string, text: string): Promise<ErrorView | null> {
    const id = this.activeId;
    const model = this.model;
    if (id === null || this.view?.id !== id || text.trim() === '') {
      return { code: 'CHAT_BAD_REQUEST' };
    }
    if (this.#sending.has(id) || this.streaming) return { code: 'CHAT_BUSY' };
    if (model === null) return { code: this.online ? 'CHAT_BAD_REQUEST' : 'NETWORK_OFFLINE' };
    this.#sendErrors.delete(id);
    this.#sending.add(id);
    try {
      const result = await this.#api.editMessage(id, messageId, text, model);
      const removed = result.removedMessageIds ?? [];
      const known = this.#views.removedOf(id);
      for (const gone of removed) known.add(gone);
      const view = this.#views.get(id);
      if (view && result.userMessage) {
        view.edited(removed, result.userMessage, result.assistantMessage);
      }
      this.#applyResult(id, result);
      return null;
    } catch (error) {
      return errorViewOf(error);
    } finally {
      this.#sending.delete(id);
    }
  }

  /** The open chat's last message of the user's own, for Up-arrow in an empty composer. */
  get lastUserMessageId(): string | null {
    return (
      this.view?.entries.findLast((entry) => entry.role === 'user' && !entry.optimistic)?.id ?? null
    );
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

  // Internals

  /** At startup the most recent conversation opens again, unless the user already moved on. */
  #reopenLatest(): void {
    const latest = this.conversations[0];
    if (!latest || this.activeId !== null || this.view !== null) return;
    if (this.#drafts.get(NEW_CHAT) !== '' || this.#sending.has(NEW_CHAT)) return;
    void this.open(latest.id);
  }

  #signedIn(): readonly ProviderId[] {
    return this.#providers();
  }

  #modelsOf(provider: ProviderId | null): {
    view: ModelsView | null;
    state: ModelsState;
    error: ErrorView | null;
  } {
    if (provider === null) return { view: null, state: 'idle', error: null };
    const lists = this.#models;
    return {
      view: lists.view(provider),
      state: lists.state(provider),
      error: lists.error(provider),
    };
  }

  /** The provider and model a send goes to; throws what main would when there is none. */
  async #sendModel(
    key: string,
    provider: ProviderId | null,
  ): Promise<{ provider: ProviderId; model: string }> {
    // The conversation's provider was signed out: say so, as main would.
    if (provider === null || !this.available.includes(provider)) {
      throw new Error('CHAT_NOT_SIGNED_IN: provider signed out');
    }
    // Sent before the model list arrived (right after signing in): wait for its default.
    if (this.modelFor(key) === null) {
      await (this.#models.loading(provider) ??
        (this.#models.has(provider) ? undefined : this.loadModels(false, provider)));
    }
    const model = this.modelFor(key);
    if (model === null) {
      throw new Error(this.online ? 'CHAT_BAD_REQUEST: no model' : 'NETWORK_OFFLINE: no model');
    }
    return { provider, model };
  }

  /** The provider of a chat: a conversation's own, or the one a new chat goes to. */
  #providerOf(key: string): ProviderId | null {
    if (key === NEW_CHAT) return this.newChatProvider;
    return this.#list.get(key)?.provider ?? null;
  }

  /**
   * A snapshot of a conversation arrived: it becomes its view (or is merged into the one
   * already there), then what main sent meanwhile is applied over it by revision.
   */
  #receive(conversation: Conversation): ConversationView {
    const view = this.#views.receive(conversation.id, conversation.messages);
    this.#events.deliver(view);
    this.#drafts.restore(conversation.id, conversation.draft);
    this.settings.know(conversation.id, conversation.settings);
    this.#list.apply(conversation, true);
    return view;
  }

  /** The first send of a new chat created its conversation: the chat takes on its id. */
  #adopt(view: ConversationView, created: Conversation, model: string): string {
    const id = created.id;
    const deleted = this.#list.deleted(id);
    // Main moved the new chat's draft to the conversation. Still looking at it: what was typed
    // meanwhile is the new conversation's draft.
    const stay = !deleted && this.activeId === null && this.view === view;
    this.#drafts.adopt(id, created.draft, stay);
    if (deleted) throw new Error('CHAT_NOT_FOUND: deleted while it was created');
    view.id = id;
    this.#views.keep(view);
    this.#events.deliver(view);
    this.#list.apply(created, true);
    this.settings.adopt(id, created.settings);
    this.#models.adoptChoice(id, created.provider, model);
    this.#sending.delete(NEW_CHAT);
    this.#sending.add(id);
    if (stay) {
      this.activeId = id;
      ++this.#openRequest;
    }
    return id;
  }

  /**
   * A send or regenerate was accepted: its messages go through the same door as main's events
   * (a view that already has a newer copy keeps it), its summary through the list's.
   */
  #applyResult(id: string, result: SendResult): void {
    if (result.userMessage) this.#events.message(id, result.userMessage);
    this.#events.message(id, result.assistantMessage);
    if (this.#views.get(id) === this.view && this.view?.last?.streaming) {
      this.answerEvent = 'streaming';
    }
    this.#list.apply(result.conversation, true);
  }
}
