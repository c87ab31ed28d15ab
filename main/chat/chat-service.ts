import { randomUUID } from 'node:crypto';
import type {
  ChatMessage,
  Conversation,
  ConversationSummary,
  ErrorView,
  EventChannel,
  EventContract,
  ModelInfo,
  ModelsView,
  SendResult,
  Usage,
} from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import { send, type FetchLike } from '../http/request';
import type { Logger } from '../log';
import { DeltaBatcher } from './batcher';
import type { ConversationStore } from './conversation-store';
import type { ModelsCache } from './models-cache';
import {
  buildChatRequest,
  buildModelsRequest,
  checkChatResponse,
  openStream,
  processModelsResponse,
  readChatStream,
  type ChatRequestInput,
} from './openrouter-chat';

/** Sends an event to the renderer. */
type Emit = <C extends EventChannel>(channel: C, payload: EventContract[C]) => void;

export interface ChatServiceOptions {
  readonly baseUrl: URL;
  readonly fetch: FetchLike;
  /** The signed-in key, read per request (never stored here). */
  readonly credential: () => string | null;
  /** A 401 from the provider: the key is gone (signs out with an explanation). */
  readonly onKeyRejected: () => void;
  readonly store: ConversationStore;
  readonly models: ModelsCache;
  readonly emit: Emit;
  readonly log: Logger;
  readonly now?: () => number;
  /** Frame budget for batching deltas (16 ms: one message per animation frame). */
  readonly batchIntervalMs?: number;
  readonly connectTimeoutMs?: number;
}

interface ActiveStream {
  readonly controller: AbortController;
  readonly messageId: string;
  readonly done: Promise<void>;
}

/** Models older than this are refreshed when the list is asked for. */
const MODELS_MAX_AGE_MS = 6 * 60 * 60 * 1000;
const PREFERRED_DEFAULT = 'openai/gpt-4o-mini';

/**
 * Conversations and streaming answers for OpenRouter, in main. Owns one AbortController per
 * streaming conversation (Stop really cancels the request), batches deltas to one message per
 * frame, and persists each answer when it ends — not per token. The key is read from the
 * credential store per request and never leaves main.
 */
export class ChatService {
  readonly #o: ChatServiceOptions;
  readonly #now: () => number;
  readonly #streams = new Map<string, ActiveStream>();
  #disposed = false;

  constructor(options: ChatServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  list(): ConversationSummary[] {
    return this.#o.store.list().map((s) => this.#withStreaming(s));
  }

  open(id: string): Conversation {
    const conversation = this.#o.store.load(id);
    return {
      ...this.#withStreaming(conversation),
      messages: conversation.messages.map((m) =>
        m.status === 'streaming' && !this.#streams.has(id) ? { ...m, status: 'incomplete' } : m,
      ),
    };
  }

  create(model: string | null): Conversation {
    const conversation = this.#o.store.create(model);
    this.#publishList();
    return conversation;
  }

  rename(id: string, title: string): ConversationSummary {
    const summary = this.#o.store.rename(id, title);
    this.#publishList();
    return this.#withStreaming(summary);
  }

  async delete(id: string): Promise<void> {
    const active = this.#streams.get(id);
    if (active) {
      active.controller.abort();
      await active.done;
    }
    this.#o.store.delete(id);
    this.#publishList();
  }

  setDraft(id: string, draft: string): void {
    this.#o.store.setDraft(id, draft);
  }

  /**
   * Sends `text` and starts streaming the answer. Resolves once the provider accepted the
   * request; on any failure before that nothing is stored and the error is thrown, so the
   * renderer keeps the text (offline, 401 → signed out, 402, 429, 5xx).
   */
  async send(conversationId: string, text: string, model: string): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    const history = this.#history(conversation.messages);
    const userMessage = this.#message('user', text, null, 'complete');
    return this.#start(
      conversation,
      model,
      [...history, { role: 'user', content: text }],
      [userMessage],
    );
  }

  /** Replaces the last assistant answer with a new one, from the same history. */
  async regenerate(conversationId: string, model: string): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    const messages = [...conversation.messages];
    while (messages.length > 0 && messages.at(-1)?.role === 'assistant') messages.pop();
    if (messages.length === 0) throw new LatchkeyError('CHAT_BAD_REQUEST');
    const result = await this.#start(conversation, model, this.#history(messages), [], () => {
      for (const old of conversation.messages.slice(messages.length)) {
        this.#o.store.removeMessage(conversationId, old.id);
      }
    });
    return result;
  }

  /** Stops the streaming answer of a conversation; its final state arrives as `chat:message`. */
  stop(conversationId: string): void {
    this.#streams.get(conversationId)?.controller.abort();
  }

  /**
   * The model list: from the cache when fresh, else from the provider; offline, the cached list
   * marked stale. The default model is remembered across restarts.
   */
  async listModels(refresh: boolean): Promise<ModelsView> {
    const cached = this.#o.models.read();
    if (!refresh && cached && this.#now() - cached.fetchedAt < MODELS_MAX_AGE_MS) {
      return this.#modelsView(cached.models, cached.fetchedAt, false);
    }
    try {
      const response = await send(this.#o.fetch, buildModelsRequest(this.#o.baseUrl), {
        timeoutMs: 20_000,
        maxBytes: 5 * 1024 * 1024,
      });
      const models = processModelsResponse(response);
      const fetchedAt = this.#now();
      this.#o.models.write(models, fetchedAt);
      return this.#modelsView(models, fetchedAt, false);
    } catch (error) {
      this.#o.log.warn('chat.models.failed', { code: toErrorView(error).code });
      if (cached) return this.#modelsView(cached.models, cached.fetchedAt, true);
      throw error;
    }
  }

  setDefaultModel(model: string): ModelsView {
    this.#o.models.setDefaultModel(model);
    const cached = this.#o.models.read();
    return this.#modelsView(cached?.models ?? [], cached?.fetchedAt ?? null, false);
  }

  /** Aborts every stream (quit, sign-out). */
  async stopAll(): Promise<void> {
    const active = [...this.#streams.values()];
    for (const stream of active) stream.controller.abort();
    await Promise.all(active.map((s) => s.done));
  }

  dispose(): void {
    this.#disposed = true;
    for (const stream of this.#streams.values()) stream.controller.abort();
  }

  async #start(
    conversation: Conversation,
    model: string,
    history: ChatRequestInput['messages'],
    newMessages: ChatMessage[],
    onAccepted?: () => void,
  ): Promise<SendResult> {
    const key = this.#o.credential();
    if (!key) throw new LatchkeyError('CHAT_NOT_SIGNED_IN');
    if (this.#streams.has(conversation.id)) throw new LatchkeyError('CHAT_BUSY');
    const controller = new AbortController();
    const request = buildChatRequest(this.#o.baseUrl, key, { model, messages: history });
    let body: ReadableStream<Uint8Array>;
    try {
      const response = await openStream(this.#o.fetch, request, {
        connectTimeoutMs: this.#o.connectTimeoutMs ?? 30_000,
        signal: controller.signal,
      });
      await checkChatResponse(response);
      if (!response.body) throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: response.status });
      body = response.body;
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'AUTH_KEY_REVOKED') {
        this.#o.onKeyRejected();
      }
      this.#o.log.warn('chat.send.failed', { code: toErrorView(error).code });
      throw error;
    }

    onAccepted?.();
    const assistant = this.#message('assistant', '', model, 'streaming');
    let summary = this.#o.store.appendMessages(conversation.id, [...newMessages, assistant]);
    if (summary.model !== model) summary = this.#o.store.setModel(conversation.id, model);
    this.#o.store.setDraft(conversation.id, '');

    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    this.#streams.set(conversation.id, { controller, messageId: assistant.id, done });
    void this.#pump(conversation.id, assistant, body, controller).finally(() => {
      this.#streams.delete(conversation.id);
      resolveDone();
      this.#publishList();
    });
    this.#publishList();
    return {
      conversation: this.#withStreaming(summary),
      userMessage: newMessages.find((m) => m.role === 'user') ?? null,
      assistantMessage: assistant,
    };
  }

  async #pump(
    conversationId: string,
    assistant: ChatMessage,
    body: ReadableStream<Uint8Array>,
    controller: AbortController,
  ): Promise<void> {
    const batcher = new DeltaBatcher(
      (text, seq) =>
        this.#o.emit('chat:delta', { conversationId, messageId: assistant.id, seq, text }),
      { intervalMs: this.#o.batchIntervalMs ?? 16 },
    );
    let content = '';
    let usage: Usage | null = null;
    let finishReason: string | null = null;
    let answeredBy: string | null = assistant.model;
    let status: ChatMessage['status'] = 'complete';
    let error: ErrorView | null = null;
    try {
      for await (const event of readChatStream(body, controller.signal)) {
        if (event.type === 'delta') {
          content += event.text;
          batcher.push(event.text);
        } else if (event.type === 'usage') {
          usage = event.usage;
          if (event.model) answeredBy = event.model;
        } else {
          finishReason = event.reason;
        }
      }
    } catch (caught) {
      if (controller.signal.aborted) {
        status = 'stopped';
      } else {
        const view = toErrorView(caught);
        status = view.code === 'CHAT_STREAM_INCOMPLETE' ? 'incomplete' : 'error';
        error = view;
        // A 401 mid-stream (an error chunk under HTTP 200) means the key is gone too.
        if (view.code === 'AUTH_KEY_REVOKED' || view.status === 401) this.#o.onKeyRejected();
        this.#o.log.warn('chat.stream.ended', { code: view.code });
      }
    } finally {
      batcher.drain();
      batcher.dispose();
    }
    const final: ChatMessage = {
      ...assistant,
      content,
      status,
      model: answeredBy,
      usage,
      finishReason,
      error,
    };
    this.#persist(conversationId, final);
    if (!this.#disposed) this.#o.emit('chat:message', { conversationId, message: final });
  }

  #persist(conversationId: string, message: ChatMessage): void {
    try {
      this.#o.store.updateMessage(conversationId, message);
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'CHAT_NOT_FOUND') return;
      this.#o.log.warn('chat.persist.failed', { code: toErrorView(error).code });
      this.#o.emit('app:notice', { code: 'STORE_WRITE_FAILED' });
    }
  }

  #history(messages: readonly ChatMessage[]): ChatRequestInput['messages'] {
    return messages
      .filter((m) => m.content.length > 0 && (m.role === 'user' || m.status !== 'error'))
      .map((m) => ({ role: m.role, content: m.content }));
  }

  #message(
    role: ChatMessage['role'],
    content: string,
    model: string | null,
    status: ChatMessage['status'],
  ): ChatMessage {
    return {
      id: randomUUID(),
      role,
      content,
      createdAt: this.#now(),
      status,
      model,
      usage: null,
      finishReason: null,
      error: null,
    };
  }

  #modelsView(models: readonly ModelInfo[], fetchedAt: number | null, stale: boolean): ModelsView {
    const remembered = this.#o.models.defaultModel();
    const defaultModel =
      remembered ?? models.find((m) => m.id === PREFERRED_DEFAULT)?.id ?? models[0]?.id ?? null;
    return { models, defaultModel, fetchedAt, stale };
  }

  #withStreaming<T extends ConversationSummary>(summary: T): T {
    return { ...summary, streaming: this.#streams.has(summary.id) };
  }

  #publishList(): void {
    if (!this.#disposed) this.#o.emit('chat:conversations', this.list());
  }
}
