import type {
  ConversationSettings,
  ChatMessage,
  Connectivity,
  Conversation,
  ConversationList,
  ConversationSummary,
  EventContract,
  LatchkeyApi,
  ModelsView,
  ProviderId,
  SendResult,
} from '../../../../preload/api';
import { DEFAULT_CONVERSATION_SETTINGS, LatchkeyApiError } from '../../../../preload/api';

/**
 * A scripted main process for the chat state: a model of `main/chat/chat-service.ts`'s contract
 * (what it stores, which events it emits, what it answers) whose every step is taken by the
 * test. Nothing happens on its own: a request waits until the test lets main handle it, a
 * stream sends a piece or ends when told, and every event and response waits in a queue until
 * the test delivers it.
 *
 * Delivery models both transports: events reach the renderer in the order main sent them (one
 * ordered channel: IPC, or the harness's server-sent events), while each response can arrive at
 * any moment after main produced it, before or after any event (the harness answers invokes over
 * separate HTTP requests; in Electron an async handler answers when it finishes).
 */

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface StoredConversation {
  summary: Mutable<Omit<ConversationSummary, 'id' | 'streaming' | 'revision'>>;
  messages: ChatMessage[];
  draft: string;
  settings?: ConversationSettings;
}

interface Stream {
  readonly conversationId: string;
  readonly messageId: string;
  /** Text of the pieces sent so far. */
  content: string;
  /** Reasoning of the pieces sent so far (every other answer thinks first). */
  reasoning: string;
  pieces: number;
  /** The message's revision after the last piece sent. */
  revision: number;
}

/** A send, regenerate or edit the provider has not accepted yet. */
interface Connecting {
  readonly kind: 'send' | 'regenerate' | 'edit';
  readonly conversationId: string;
  /** Edit: the user message replaced, with everything after it. */
  readonly messageId?: string;
  readonly text: string;
  readonly model: string;
  readonly answer: Settle<SendResult>;
}

interface Settle<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/** An invoke main has not handled yet. */
interface Request {
  readonly label: string;
  readonly handle: () => void;
}

/** A handler's answer that comes later (a send waits for the provider). */
const LATER = Symbol('later');

/** An answer produced by main, not yet delivered. */
export interface Response {
  readonly label: string;
  readonly deliver: () => void;
}

type Event = {
  [C in keyof EventContract]: { channel: C; payload: EventContract[C] };
}[keyof EventContract];

type Listeners = { [C in keyof EventContract]: Set<(payload: EventContract[C]) => void> };

const PROVIDER: ProviderId = 'openrouter';
export const MODEL = 'test/model';

function fail(code: string): LatchkeyApiError {
  return new LatchkeyApiError({ code });
}

/** What main persists, carried across a restart. */
export interface Disk {
  readonly conversations: ReadonlyMap<string, StoredConversation>;
  /** The new chat's draft (`setDraft('', …)`), which the next conversation created takes. */
  readonly newChatDraft: string;
}

export class ScriptedMain {
  readonly #conversations = new Map<string, StoredConversation>();
  #newChatDraft = '';
  readonly #streams = new Map<string, Stream>();
  readonly #connecting: Connecting[] = [];
  readonly requests: Request[] = [];
  readonly responses: Response[] = [];
  readonly events: Event[] = [];
  #listeners: Listeners = ScriptedMain.#noListeners();
  #ids = 0;
  /** What each answer had streamed at each revision (for checks mid-stream). */
  readonly #streamed = new Map<string, { content: string; reasoning: string }[]>();
  #clock = 0;
  /** Summary and list revisions, as `ChatService` keeps them: one clock per process. */
  #revision = 0;
  readonly #revisions = new Map<string, number>();
  readonly api: LatchkeyApi;

  constructor(disk?: Disk, ids = 0) {
    this.#ids = ids;
    if (disk) {
      for (const [id, stored] of disk.conversations) {
        this.#conversations.set(id, structuredClone(stored));
      }
      this.#newChatDraft = disk.newChatDraft;
    }
    this.api = this.#makeApi();
  }

  static #noListeners(): Listeners {
    return {
      'auth:state': new Set(),
      'app:notice': new Set(),
      'app:connectivity': new Set(),
      'chat:delta': new Set(),
      'chat:message': new Set(),
      'chat:conversations': new Set(),
      'app:show-shortcuts': new Set(),
    };
  }

  // What the test reads

  /** Main's truth: the conversations as `chat:list` would answer them now. */
  list(): ConversationSummary[] {
    return [...this.#conversations.entries()]
      .map(([id, stored]) => this.#summary(id, stored))
      .sort(
        (a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1),
      );
  }

  #listed(): ConversationList {
    return { revision: this.#revision, conversations: this.list() };
  }

  /** Main's truth: one conversation as `chat:open` would answer it now. */
  /** The new chat's draft as main stored it. */
  get newChatDraft(): string {
    return this.#newChatDraft;
  }

  conversation(id: string): Conversation | null {
    const stored = this.#conversations.get(id);
    if (!stored) return null;
    return {
      ...this.#summary(id, stored),
      draft: stored.draft,
      settings: stored.settings ?? DEFAULT_CONVERSATION_SETTINGS,
      messages: stored.messages.map((m) => {
        if (m.status !== 'streaming') return m;
        const stream = this.#streams.get(id);
        if (stream?.messageId === m.id) {
          const { content, reasoning, revision } = stream;
          return { ...m, content, revision, ...(reasoning && { reasoning }) };
        }
        return { ...m, status: 'incomplete', revision: m.revision + 1 };
      }),
    };
  }

  get streaming(): number {
    return this.#streams.size;
  }

  get connecting(): number {
    return this.#connecting.length;
  }

  get ids(): number {
    return this.#ids;
  }

  get idle(): boolean {
    return (
      this.requests.length === 0 &&
      this.responses.length === 0 &&
      this.events.length === 0 &&
      this.#streams.size === 0 &&
      this.#connecting.length === 0
    );
  }

  /**
   * What survives a crash (the process killed): what was stored, with answers still marked
   * streaming (main saves an answer when it ends); nothing more reaches the renderer.
   */
  crash(): Disk {
    this.#listeners = ScriptedMain.#noListeners();
    return {
      conversations: structuredClone(this.#conversations),
      newChatDraft: this.#newChatDraft,
    };
  }

  /**
   * What survives a quit: requests not yet accepted fail and streams are stopped, as
   * `ChatService.stopAll` does; nothing more reaches the renderer.
   */
  quit(): Disk {
    this.#connecting.length = 0;
    for (const stream of [...this.#streams.values()]) this.#end(stream, 'stopped');
    this.#listeners = ScriptedMain.#noListeners();
    return {
      conversations: structuredClone(this.#conversations),
      newChatDraft: this.#newChatDraft,
    };
  }

  // Steps the test takes

  /** Main handles the `n`-th waiting request (requests may be handled in any order). */
  handle(n: number): string | null {
    const request = this.#take(this.requests, n);
    if (!request) return null;
    request.handle();
    return request.label;
  }

  /** The provider answers the `n`-th send/regenerate: accepted, or refused when `refuse`. */
  accept(n: number, refuse: boolean): string | null {
    const pending = this.#take(this.#connecting, n);
    if (!pending) return null;
    const label = `${pending.kind} ${refuse ? 'refused' : 'accepted'}`;
    const stored = this.#conversations.get(pending.conversationId);
    if (refuse || !stored) {
      this.#answer(label, pending.answer, fail(stored ? 'NETWORK_OFFLINE' : 'CHAT_NOT_FOUND'));
      return label;
    }
    const added: ChatMessage[] = [];
    let removed: string[] | null = null;
    if (pending.kind === 'edit') {
      const at = stored.messages.findIndex((m) => m.id === pending.messageId);
      if (at === -1) {
        this.#answer(label, pending.answer, fail('CHAT_NOT_FOUND'));
        return label;
      }
      removed = stored.messages.splice(at).map((m) => m.id);
      added.push(this.#message('user', pending.text, 'complete', null));
    } else if (pending.kind === 'regenerate') {
      while (stored.messages.at(-1)?.role === 'assistant') stored.messages.pop();
    } else {
      added.push(this.#message('user', pending.text, 'complete', null));
    }
    const assistant = this.#message('assistant', '', 'streaming', pending.model);
    added.push(assistant);
    stored.messages.push(...added);
    if (stored.summary.title === '' && pending.kind === 'send') {
      stored.summary.title = pending.text.trim().split('\n', 1)[0] ?? '';
    }
    stored.summary.model = pending.model;
    stored.summary.messageCount = stored.messages.length;
    stored.summary.updatedAt = ++this.#clock;
    // Only a send takes the composer's text: a regenerate or an edit leaves the draft alone.
    if (pending.kind === 'send') stored.draft = '';
    this.#streams.set(pending.conversationId, {
      conversationId: pending.conversationId,
      messageId: assistant.id,
      content: '',
      reasoning: '',
      pieces: 0,
      revision: 0,
    });
    this.#streamed.set(assistant.id, [{ content: '', reasoning: '' }]);
    this.#changed(pending.conversationId);
    this.#publishList();
    this.#answer(label, pending.answer, {
      conversation: this.#summary(pending.conversationId, stored),
      userMessage: added.find((m) => m.role === 'user') ?? null,
      assistantMessage: assistant,
      ...(removed && { removedMessageIds: removed }),
    });
    return label;
  }

  /** What an answer's text and reasoning were at `revision` while it streamed, if known. */
  streamedAt(
    messageId: string,
    revision: number,
  ): { readonly content: string; readonly reasoning: string } | undefined {
    return this.#streamed.get(messageId)?.[revision];
  }

  /** The `n`-th stream sends one piece of text. */
  piece(n: number): string | null {
    const stream = [...this.#streams.values()][this.#index(this.#streams.size, n)];
    if (!stream) return null;
    // A thinking model (every other answer): two pieces of reasoning only, then one with
    // reasoning and text (one batch may carry both), then text, as main's batcher sends them.
    const thinks = Math.floor(Number(stream.messageId.slice(1)) / 2) % 2 === 1;
    const reasoning = thinks && stream.pieces <= 2 ? `r${stream.pieces} ` : '';
    const text = thinks && stream.pieces < 2 ? '' : `t${stream.pieces} `;
    stream.pieces += 1;
    stream.revision += 1;
    stream.content += text;
    stream.reasoning += reasoning;
    this.#streamed
      .get(stream.messageId)
      ?.push({ content: stream.content, reasoning: stream.reasoning });
    this.#emit('chat:delta', {
      conversationId: stream.conversationId,
      messageId: stream.messageId,
      seq: stream.revision,
      text,
      ...(reasoning && { reasoning }),
    });
    return 'piece';
  }

  /** The `n`-th stream ends with a finish reason. */
  finish(n: number): string | null {
    const stream = [...this.#streams.values()][this.#index(this.#streams.size, n)];
    if (!stream) return null;
    this.#end(stream, 'complete');
    return 'finish';
  }

  /** Delivers the oldest event. */
  deliverEvent(): string | null {
    const event = this.events.shift();
    if (!event) return null;
    const { channel, payload } = event;
    for (const listener of this.#listeners[channel] as Set<(payload: unknown) => void>) {
      listener(payload);
    }
    return `event ${event.channel}`;
  }

  /** Delivers the `n`-th produced response. */
  deliverResponse(n: number): string | null {
    const response = this.#take(this.responses, n);
    if (!response) return null;
    response.deliver();
    return `response ${response.label}`;
  }

  // Internals

  #take<T>(list: T[], n: number): T | undefined {
    if (list.length === 0) return undefined;
    return list.splice(this.#index(list.length, n), 1)[0];
  }

  #index(length: number, n: number): number {
    return length === 0 ? 0 : n % length;
  }

  #summary(id: string, stored: StoredConversation): ConversationSummary {
    return {
      ...stored.summary,
      id,
      streaming: this.#streams.has(id),
      revision: this.#revisions.get(id) ?? 0,
    };
  }

  #changed(id: string): void {
    this.#revisions.set(id, ++this.#revision);
  }

  #message(
    role: ChatMessage['role'],
    content: string,
    status: ChatMessage['status'],
    model: string | null,
  ): ChatMessage {
    return {
      id: `m${++this.#ids}`,
      revision: 0,
      role,
      content,
      createdAt: ++this.#clock,
      status,
      model,
      usage: null,
      finishReason: null,
      error: null,
    };
  }

  #end(stream: Stream, status: 'complete' | 'stopped'): void {
    this.#streams.delete(stream.conversationId);
    const stored = this.#conversations.get(stream.conversationId);
    const at = stored?.messages.findIndex((m) => m.id === stream.messageId) ?? -1;
    if (!stored || at === -1) return;
    const before = stored.messages[at] as ChatMessage;
    const final: ChatMessage = {
      ...before,
      revision: stream.revision + 1,
      content: stream.content,
      ...(stream.reasoning && { reasoning: stream.reasoning }),
      status,
      usage:
        status === 'complete'
          ? {
              promptTokens: 3,
              completionTokens: stream.pieces,
              totalTokens: 3 + stream.pieces,
              cost: null,
            }
          : null,
      finishReason: status === 'complete' ? 'stop' : null,
    };
    stored.messages[at] = final;
    stored.summary.updatedAt = ++this.#clock;
    this.#emit('chat:message', { conversationId: stream.conversationId, message: final });
    this.#changed(stream.conversationId);
    this.#publishList();
  }

  #emit<C extends keyof EventContract>(channel: C, payload: EventContract[C]): void {
    this.events.push({ channel, payload } as Event);
  }

  #publishList(): void {
    this.#emit('chat:conversations', this.#listed());
  }

  #answer<T>(label: string, settle: Settle<T>, outcome: T | LatchkeyApiError): void {
    this.responses.push({
      label,
      deliver: () => {
        if (outcome instanceof LatchkeyApiError) settle.reject(outcome);
        else settle.resolve(structuredClone(outcome));
      },
    });
  }

  /** An invoke: waits in `requests` until main handles it; `run` answers, throws or defers. */
  #invoke<T>(label: string, run: (settle: Settle<T>) => T | typeof LATER): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle: Settle<T> = { resolve, reject };
      this.requests.push({
        label,
        handle: () => {
          let outcome: T | typeof LATER;
          try {
            outcome = run(settle);
          } catch (error) {
            this.#answer(label, settle, error as LatchkeyApiError);
            return;
          }
          if (outcome !== LATER) this.#answer(label, settle, outcome);
        },
      });
    });
  }

  #stored(id: string): StoredConversation {
    const stored = this.#conversations.get(id);
    if (!stored) throw fail('CHAT_NOT_FOUND');
    return stored;
  }

  #busy(id: string): boolean {
    return this.#streams.has(id) || this.#connecting.some((c) => c.conversationId === id);
  }

  #makeApi(): LatchkeyApi {
    const models: ModelsView = {
      models: [
        {
          id: MODEL,
          name: 'Test model',
          contextLength: 1000,
          promptPrice: 0,
          completionPrice: 0,
          free: true,
          inputModalities: ['text'],
          supportedParameters: ['temperature', 'max_tokens'],
        },
      ],
      defaultModel: MODEL,
      fetchedAt: 1,
      stale: false,
    };
    const connectivity: Connectivity = { online: true, checkedAt: 1, seq: 1 };
    const unused = (): never => {
      throw new Error('not used by the chat state');
    };
    const on =
      <C extends keyof EventContract>(channel: C) =>
      (listener: (payload: EventContract[C]) => void) => {
        this.#listeners[channel].add(listener);
        return () => void this.#listeners[channel].delete(listener);
      };
    return {
      getAppInfo: unused,
      getAuthStates: unused,
      signIn: unused,
      cancelSignIn: unused,
      submitSignInLink: unused,
      signOut: unused,
      rememberAnyway: unused,
      dismissError: unused,
      refreshAccount: unused,
      configureProvider: unused,
      setLocale: unused,
      openExternal: unused,
      dismissNotice: unused,
      continueAnswer: unused,
      exportConversation: unused,
      conversationMarkdown: unused,
      searchConversations: unused,
      checkConnectivity: () => this.#invoke('check-connectivity', () => connectivity),
      listConversations: () => this.#invoke('list', () => this.#listed()),
      openConversation: (id) =>
        this.#invoke('open', () => {
          this.#stored(id);
          return this.conversation(id) as Conversation;
        }),
      createConversation: (provider, model, settings) =>
        this.#invoke('create', () => {
          const id = `c${++this.#ids}`;
          const stored: StoredConversation = {
            summary: {
              provider,
              title: '',
              createdAt: ++this.#clock,
              updatedAt: this.#clock,
              model,
              messageCount: 0,
            },
            messages: [],
            // The new chat became this conversation: its draft moves with it.
            draft: this.#newChatDraft,
            ...(settings && { settings }),
          };
          this.#newChatDraft = '';
          this.#conversations.set(id, stored);
          this.#changed(id);
          this.#publishList();
          return this.conversation(id) as Conversation;
        }),
      renameConversation: (id, title) =>
        this.#invoke('rename', () => {
          const stored = this.#stored(id);
          stored.summary.title = title.trim();
          this.#changed(id);
          this.#publishList();
          return this.#summary(id, stored);
        }),
      deleteConversation: (id) =>
        this.#invoke('delete', () => {
          const stream = this.#streams.get(id);
          if (stream) this.#end(stream, 'stopped');
          this.#stored(id);
          this.#conversations.delete(id);
          this.#revisions.delete(id);
          this.#revision += 1;
          this.#publishList();
          return this.#listed();
        }),
      setDraft: (id, draft) =>
        this.#invoke('set-draft', () => {
          if (id === '') this.#newChatDraft = draft;
          else this.#stored(id).draft = draft;
          return undefined;
        }),
      newChatDraft: () => this.#invoke('new-draft', () => this.#newChatDraft),
      send: (conversationId, text, model) =>
        this.#invoke<SendResult>('send', (answer) => {
          this.#stored(conversationId);
          if (this.#busy(conversationId)) throw fail('CHAT_BUSY');
          this.#connecting.push({ kind: 'send', conversationId, text, model, answer });
          return LATER;
        }),
      stop: (conversationId) =>
        this.#invoke('stop', () => {
          const pending = this.#connecting.findIndex((c) => c.conversationId === conversationId);
          if (pending !== -1) {
            const [called] = this.#connecting.splice(pending, 1);
            if (called) this.#answer(`${called.kind} stopped`, called.answer, fail('CHAT_STOPPED'));
          }
          const stream = this.#streams.get(conversationId);
          if (stream) this.#end(stream, 'stopped');
          return undefined;
        }),
      regenerate: (conversationId, model) =>
        this.#invoke<SendResult>('regenerate', (answer) => {
          const stored = this.#stored(conversationId);
          if (!stored.messages.some((m) => m.role === 'user')) throw fail('CHAT_BAD_REQUEST');
          if (this.#busy(conversationId)) throw fail('CHAT_BUSY');
          this.#connecting.push({ kind: 'regenerate', conversationId, text: '', model, answer });
          return LATER;
        }),
      // Files go through the composer's attachment list, not the chat state tested here.
      attachFile: unused,
      attachmentData: unused,
      editMessage: (conversationId, messageId, text, model) =>
        this.#invoke<SendResult>('edit', (answer) => {
          const stored = this.#stored(conversationId);
          const message = stored.messages.find((m) => m.id === messageId);
          if (!message) throw fail('CHAT_NOT_FOUND');
          if (message.role !== 'user') throw fail('CHAT_BAD_REQUEST');
          if (this.#busy(conversationId)) throw fail('CHAT_BUSY');
          this.#connecting.push({ kind: 'edit', conversationId, messageId, text, model, answer });
          return LATER;
        }),
      listModels: (provider: ProviderId) =>
        this.#invoke('models', () => {
          if (provider !== PROVIDER) throw fail('CHAT_NOT_SIGNED_IN');
          return models;
        }),
      setDefaultModel: () => this.#invoke('set-default-model', () => models),
      setConversationSettings: (id, settings) =>
        this.#invoke('set-settings', () => {
          this.#stored(id).settings = settings;
          return settings;
        }),
      setConversationModel: (id, model) =>
        this.#invoke('set-model', () => {
          const stored = this.#stored(id);
          stored.summary.model = model;
          this.#changed(id);
          this.#publishList();
          return this.#summary(id, stored);
        }),
      getDefaultConversationSettings: () =>
        this.#invoke('default-settings', () => DEFAULT_CONVERSATION_SETTINGS),
      setDefaultConversationSettings: (settings) =>
        this.#invoke('set-default-settings', () => settings),
      onAuthState: on('auth:state'),
      onNotice: on('app:notice'),
      onConnectivity: on('app:connectivity'),
      onStreamDelta: on('chat:delta'),
      onMessage: on('chat:message'),
      onConversations: on('chat:conversations'),
      onShowShortcuts: (listener) => on('app:show-shortcuts')(() => listener()),
    };
  }
}
