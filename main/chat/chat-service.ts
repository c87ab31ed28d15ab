import { randomUUID } from 'node:crypto';
import type {
  ChatMessage,
  Conversation,
  ConversationList,
  ConversationSettings,
  ConversationSummary,
  ErrorView,
  EventChannel,
  EventContract,
  ListCursor,
  ModelInfo,
  ModelsView,
  Notice,
  ProviderId,
  SendResult,
  Usage,
} from '../../preload/api';
import { REASONING_LIMITS } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import { send, type FetchLike } from '../http/request';
import type { Logger } from '../log';
import type { AttachmentData, AttachmentRef, AttachmentUpload } from '../../preload/api';
import type { AttachmentStore } from './attachment-store';
import { AnswerCheckpoints } from './answer-checkpoints';
import { DeltaBatcher } from './batcher';
import type { ConversationStore } from './conversation-store';
import { requestParameters, withSystemPrompt } from './conversation-settings';
import type { ModelsCache } from './models-cache';
import { ReasoningDetailsAccumulator } from './reasoning-details';
import { RequestMessages, type UserTurn } from './request-messages';
import {
  buildChatRequest,
  buildModelsRequest,
  checkChatResponse,
  openStream,
  processModelsResponse,
  OPENROUTER_CHAT,
  readChatStream,
  type ChatEndpoint,
  type ChatRequestInput,
} from './openrouter-chat';

/** Sends an event to the renderer. */
type Emit = <C extends EventChannel>(channel: C, payload: EventContract[C]) => void;

/**
 * Where and how a provider chats: an OpenAI-compatible server and the credential to use with it.
 * The auth side owns the credential; the chat service asks for a token per request and never
 * keeps it.
 */
export interface ChatTarget extends ChatEndpoint {
  /**
   * OpenAI-compatible base URL, e.g. https://openrouter.ai/api/v1 (requests go to
   * `${base}/chat/completions`, `${base}/models`; the base's path is kept).
   */
  readonly baseUrl: URL;
  /**
   * OpenRouter attribution headers (HTTP-Referer, X-Title), and OpenRouter's usage accounting
   * (`usage: {include: true}`; other servers get `stream_options: {include_usage: true}`).
   */
  readonly attribution: boolean;
  /**
   * The bearer to use now; may refresh ahead of expiry first. Throws LatchkeyError
   * (CHAT_NOT_SIGNED_IN, AUTH_SESSION_ENDED, NETWORK_OFFLINE, …).
   */
  token(): Promise<string>;
  /**
   * The provider answered 401 to `rejected`: resolves a fresh token to retry ONCE, or null when
   * the credential is gone (the auth side has signed out). Also called, its answer unused, when
   * the retry is refused too and when a 401 arrives mid-stream (a partial answer is never
   * retried). May throw LatchkeyError (e.g. NETWORK_OFFLINE while refreshing).
   */
  unauthorized(rejected: string): Promise<string | null>;
}

export interface ChatServiceOptions {
  /**
   * The provider's chat target, or null when it cannot chat (not signed in, no chat URL
   * configured): sending then fails with `CHAT_NOT_SIGNED_IN`.
   */
  readonly target: (provider: ProviderId) => ChatTarget | null;
  readonly fetch: FetchLike;
  readonly store: ConversationStore;
  readonly models: ModelsCache;
  readonly emit: Emit;
  /** Raises a notice kept until dismissed (main/notices.ts), e.g. an answer that was not saved. */
  readonly notify?: (notice: Notice) => void;
  readonly log: Logger;
  readonly now?: () => number;
  /** Frame budget for batching deltas (16 ms: one message per animation frame). */
  readonly batchIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  /** Where attachments are kept (absent: a send with attachments is `ATTACHMENT_NOT_FOUND`). */
  readonly attachments?: AttachmentStore;
  /** How old the unsaved text of a streaming answer may get (default 1 s; see AnswerCheckpoints). */
  readonly checkpointIntervalMs?: number;
}

/**
 * What the renderer has been sent of a streaming answer: a snapshot's text, reasoning and
 * revision.
 */
interface Sent {
  content: string;
  reasoning: string;
  revision: number;
}

interface ActiveStream {
  readonly provider: ProviderId;
  readonly controller: AbortController;
  readonly messageId: string;
  readonly sent: Sent;
  readonly done: Promise<void>;
}

/** A request between `send` and the provider's answer (the conversation is busy meanwhile). */
interface Connecting {
  readonly provider: ProviderId;
  readonly controller: AbortController;
}

/** Models older than this are refreshed when the list is asked for. */
const MODELS_MAX_AGE_MS = 6 * 60 * 60 * 1000;
/** OpenRouter's preselected model when the user chose none; other providers use their first. */
const PREFERRED_DEFAULT: Partial<Record<ProviderId, string>> = {
  openrouter: 'openai/gpt-4o-mini',
};

/** Why a request not yet accepted was aborted: its provider signed out (or the app quits). */
function signedOut(): LatchkeyError {
  return new LatchkeyError('CHAT_NOT_SIGNED_IN');
}

/** A 401 before any answer: the token was refused. */
function isUnauthorized(error: unknown): boolean {
  return error instanceof LatchkeyError && error.code === 'AUTH_KEY_REVOKED';
}

/**
 * Conversations and streaming answers, in main, for every provider that can chat: each
 * conversation chats through its provider's {@link ChatTarget} (OpenRouter, or the
 * OpenAI-compatible gateway of an OAuth / OIDC sign-in). Owns one AbortController per streaming
 * conversation (Stop really cancels the request), batches deltas to one message per frame,
 * checkpoints each answer's text about once a second while it streams and persists it when it
 * ends — never per token. Tokens are asked for per request, used once
 * more after a 401 when the auth side could refresh them, and never leave main.
 */
export class ChatService {
  readonly #o: ChatServiceOptions;
  /** Builds each request's `messages` (history with files, the new turn). */
  readonly #requests: RequestMessages;
  readonly #now: () => number;
  readonly #streams = new Map<string, ActiveStream>();
  readonly #connecting = new Map<string, Connecting>();
  /**
   * Revisions of conversation summaries and lists: one clock per process, ticked by every change
   * of a summary or of the set of conversations (preload/api.ts `ConversationSummary.revision`).
   */
  #clock = 0;
  readonly #revisions = new Map<string, number>();
  #disposed = false;

  constructor(options: ChatServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#requests = new RequestMessages(options);
  }

  /**
   * Every conversation, newest first; with `limit`, only the newest `limit` (`partial` when
   * there are more), or the `limit` after `after` (a page further down: always `partial`),
   * taken from the store's kept order without building the rest.
   */
  list(limit?: number, after?: ListCursor): ConversationList {
    const partial = limit !== undefined && (after !== undefined || this.#o.store.count() > limit);
    return {
      revision: this.#clock,
      conversations: this.#o.store.list(limit, after).map((s) => this.#listed(s)),
      ...(partial && { partial }),
    };
  }

  /**
   * One conversation as it is now. A streaming answer holds the text sent so far, at the
   * revision of the last delta sent, so the deltas after it apply on top; one left streaming by
   * an earlier run (the app was killed) is `incomplete`.
   */
  open(id: string): Conversation {
    const conversation = this.#o.store.load(id);
    const stream = this.#streams.get(id);
    return {
      ...this.#current(conversation),
      messages: conversation.messages.map((m) => {
        if (m.status !== 'streaming') return m;
        if (stream?.messageId === m.id) {
          const { content, reasoning, revision } = stream.sent;
          return { ...m, content, revision, ...(reasoning && { reasoning }) };
        }
        return { ...m, status: 'incomplete', revision: m.revision + 1 };
      }),
    };
  }

  /**
   * A new, empty conversation that chats through `provider`, with `settings` (system prompt and
   * parameters; `CHAT_SETTINGS_INVALID` when out of bounds).
   */
  create(
    provider: ProviderId,
    model: string | null,
    settings?: ConversationSettings,
  ): Conversation {
    const conversation = this.#o.store.create(provider, model, settings);
    this.#changed(conversation.id);
    this.#publishList(conversation.id);
    return this.#current(conversation);
  }

  /**
   * Sets a conversation's system prompt and parameters, used from its next request on.
   * @throws LatchkeyError `CHAT_SETTINGS_INVALID` (the field named; nothing stored changes).
   */
  setSettings(id: string, settings: ConversationSettings): ConversationSettings {
    return this.#o.store.setSettings(id, settings);
  }

  /** Saves the model picked for a conversation at once (not only with the next send). */
  setModel(id: string, model: string): ConversationSummary {
    const summary = this.#o.store.setModel(id, model);
    this.#changed(id);
    this.#publishList(id);
    return this.#current(summary);
  }

  rename(id: string, title: string): ConversationSummary {
    const summary = this.#o.store.rename(id, title);
    this.#changed(id);
    this.#publishList(id);
    return this.#current(summary);
  }

  /** Deletes a conversation, stopping its answer first; the list without it. */
  async delete(id: string): Promise<ConversationList> {
    const active = this.#streams.get(id);
    if (active) {
      active.controller.abort();
      await active.done;
    }
    this.#o.store.delete(id);
    this.#o.attachments?.deleteConversation(id);
    this.#revisions.delete(id);
    this.#clock += 1;
    this.#publishList();
    return this.list();
  }

  /** `id` is a conversation's, or `''` for the new chat (kept until its first send creates one). */
  setDraft(id: string, draft: string): void {
    this.#o.store.setDraft(id, draft);
  }

  /** What was typed into the new chat and not sent. */
  newChatDraft(): string {
    return this.#o.store.newChatDraft();
  }

  /**
   * Sends `text` through the conversation's provider and starts streaming the answer. Resolves
   * once the provider accepted the request; on any failure before that nothing is stored and
   * the error is thrown, so the renderer keeps the text (not signed in, offline, 401 after one
   * refresh → `AUTH_KEY_REVOKED`, 402, 429, 5xx).
   */
  async send(
    conversationId: string,
    text: string,
    model: string,
    attachments: readonly AttachmentRef[] = [],
  ): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    // Every attachment is checked (bytes, model) before anything is stored or sent.
    const turn = this.#requests.userTurn(conversation, text, attachments, model);
    if (turn.loaded.length > 0) this.#o.attachments?.keep(conversationId, turn.loaded);
    const history = this.#requests.history(conversation, conversation.messages, model);
    const userMessage = this.#userMessage(text, turn);
    const content = turn.content;
    return this.#start(conversation, model, [...history, { role: 'user', content }], [userMessage]);
  }

  /**
   * Checks a file by its bytes and keeps it for the next send (see {@link AttachmentStore.stage}).
   * @throws LatchkeyError `ATTACHMENT_*`, `STORE_WRITE_FAILED`.
   */
  attach(upload: AttachmentUpload): AttachmentRef {
    if (!this.#o.attachments) throw new LatchkeyError('ATTACHMENT_UNSUPPORTED');
    return this.#o.attachments.stage(upload);
  }

  /**
   * A stored attachment of a conversation with its type (checked from its bytes again), for
   * thumbnails and the image viewer.
   * @throws LatchkeyError `ATTACHMENT_NOT_FOUND`, `CHAT_NOT_FOUND`.
   */
  attachmentData(conversationId: string, id: string): AttachmentData {
    if (!this.#o.attachments) throw new LatchkeyError('ATTACHMENT_NOT_FOUND');
    const ref = this.#o.store
      .load(conversationId)
      .messages.flatMap((m) => m.attachments ?? [])
      .find((a) => a.id === id);
    if (!ref) throw new LatchkeyError('ATTACHMENT_NOT_FOUND');
    const [loaded] = this.#o.attachments.load(conversationId, [ref]);
    if (!loaded) throw new LatchkeyError('ATTACHMENT_NOT_FOUND');
    const { bytes } = loaded;
    return {
      mediaType: loaded.ref.mediaType,
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  }

  /** Replaces the last assistant answer with a new one, from the same history. */
  async regenerate(conversationId: string, model: string): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    const messages = [...conversation.messages];
    while (messages.length > 0 && messages.at(-1)?.role === 'assistant') messages.pop();
    if (messages.length === 0) throw new LatchkeyError('CHAT_BAD_REQUEST');
    const history = this.#requests.history(conversation, messages, model);
    const result = await this.#start(conversation, model, history, [], () => {
      for (const old of conversation.messages.slice(messages.length)) {
        this.#o.store.removeMessage(conversationId, old.id);
      }
    });
    return result;
  }

  /**
   * Continues an answer that was cut off (incomplete, stopped, failed, or left streaming by an
   * earlier run): the history up to it is sent with the partial answer as the last, assistant,
   * message, which the provider continues (OpenRouter's assistant prefill); the new text is
   * appended to the same message, which streams again.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `CHAT_BAD_REQUEST` (not the
   *   last message, not an assistant's, complete, or streaming now), `CHAT_BUSY`, and every error
   *   of {@link send}.
   */
  async continue(conversationId: string, messageId: string): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    const partial = conversation.messages.at(-1);
    if (!conversation.messages.some((m) => m.id === messageId)) {
      throw new LatchkeyError('CHAT_NOT_FOUND');
    }
    if (
      partial?.id !== messageId ||
      partial.role !== 'assistant' ||
      partial.status === 'complete' ||
      this.#streams.get(conversationId)?.messageId === messageId
    ) {
      throw new LatchkeyError('CHAT_BAD_REQUEST');
    }
    const model = partial.model ?? conversation.model;
    if (!model) throw new LatchkeyError('CHAT_BAD_REQUEST');
    const history = this.#requests.history(conversation, conversation.messages.slice(0, -1), model);
    const prefill = partial.content
      ? [{ role: 'assistant' as const, content: partial.content }]
      : [];
    return this.#start(
      conversation,
      model,
      [...history, ...prefill],
      [],
      undefined,
      undefined,
      partial,
    );
  }

  /**
   * Edit and resend: asks for an answer to `text` given the history before the user message
   * `messageId`; once the provider accepted, that message and everything after it are replaced
   * by `text` and the new answer in one write (the draft stays). On any failure before that
   * nothing is replaced and the error is thrown, as for {@link send}.
   * @throws LatchkeyError `CHAT_NOT_FOUND` (conversation or message), `CHAT_BAD_REQUEST` (not a
   *   user message), `CHAT_BUSY`, and every error of {@link send}.
   */
  async edit(
    conversationId: string,
    messageId: string,
    text: string,
    model: string,
  ): Promise<SendResult> {
    const conversation = this.#o.store.load(conversationId);
    const at = conversation.messages.findIndex((m) => m.id === messageId);
    if (at < 0) throw new LatchkeyError('CHAT_NOT_FOUND');
    const original = conversation.messages[at];
    if (original?.role !== 'user') throw new LatchkeyError('CHAT_BAD_REQUEST');
    const history = this.#requests.history(conversation, conversation.messages.slice(0, at), model);
    // The edited message keeps its files (stored with the conversation): they are sent again,
    // checked as on the first send (a model that cannot read them refuses the edit).
    const turn = this.#requests.userTurn(conversation, text, original.attachments ?? [], model);
    const userMessage = this.#userMessage(text, turn);
    const content = turn.content;
    return this.#start(
      conversation,
      model,
      [...history, { role: 'user', content }],
      [userMessage],
      undefined,
      messageId,
    );
  }

  /**
   * Stops the streaming answer of a conversation; its final state arrives as `chat:message`.
   * A send the provider has not accepted yet is called off: it fails with `CHAT_STOPPED` and
   * stores nothing.
   */
  stop(conversationId: string): void {
    this.#connecting.get(conversationId)?.controller.abort(new LatchkeyError('CHAT_STOPPED'));
    this.#streams.get(conversationId)?.controller.abort();
  }

  /**
   * The provider's model list: from the cache when fresh, else from the provider
   * (`GET {base}/models` with its token); offline, or without a signed-in target, the cached
   * list marked stale (`CHAT_NOT_SIGNED_IN` or the failure when nothing is cached). The default
   * model is remembered per provider across restarts.
   */
  async listModels(provider: ProviderId, refresh: boolean): Promise<ModelsView> {
    const cached = this.#o.models.read(provider);
    if (!refresh && cached && this.#now() - cached.fetchedAt < MODELS_MAX_AGE_MS) {
      return this.#modelsView(provider, cached.models, cached.fetchedAt, false);
    }
    try {
      const target = this.#o.target(provider);
      if (!target) throw new LatchkeyError('CHAT_NOT_SIGNED_IN');
      const { value: models } = await this.#authorized(target, async (token) =>
        processModelsResponse(
          await send(this.#o.fetch, buildModelsRequest(target, token), {
            timeoutMs: OPENROUTER_CHAT.modelsTimeoutMs,
            maxBytes: OPENROUTER_CHAT.modelsMaxBytes,
          }),
        ),
      );
      const fetchedAt = this.#now();
      try {
        this.#o.models.write(provider, models, fetchedAt);
      } catch (error) {
        // The cache only saves a fetch next time: a full disk must not hide the list just fetched.
        this.#o.log.warn('chat.models.cache-write-failed', {
          provider,
          code: toErrorView(error).code,
        });
      }
      return this.#modelsView(provider, models, fetchedAt, false);
    } catch (error) {
      this.#o.log.warn('chat.models.failed', { provider, code: toErrorView(error).code });
      if (cached) return this.#modelsView(provider, cached.models, cached.fetchedAt, true);
      throw error;
    }
  }

  setDefaultModel(provider: ProviderId, model: string): ModelsView {
    this.#o.models.setDefaultModel(provider, model);
    const cached = this.#o.models.read(provider);
    return this.#modelsView(provider, cached?.models ?? [], cached?.fetchedAt ?? null, false);
  }

  /** Aborts every stream and pending request, and waits for the streams to end (quit). */
  async stopAll(): Promise<void> {
    await this.#stopWhere(() => true);
  }

  /**
   * Aborts the streams and pending requests of one provider, and waits for the streams to end
   * (sign-out). A request still waiting for the provider's answer fails with
   * `CHAT_NOT_SIGNED_IN` and stores nothing.
   */
  async stopProvider(provider: ProviderId): Promise<void> {
    await this.#stopWhere((p) => p === provider);
  }

  dispose(): void {
    this.#disposed = true;
    for (const pending of this.#connecting.values()) pending.controller.abort(signedOut());
    for (const stream of this.#streams.values()) stream.controller.abort();
  }

  async #stopWhere(match: (provider: ProviderId) => boolean): Promise<void> {
    for (const pending of this.#connecting.values()) {
      if (match(pending.provider)) pending.controller.abort(signedOut());
    }
    const active = [...this.#streams.values()].filter((s) => match(s.provider));
    for (const stream of active) stream.controller.abort();
    await Promise.all(active.map((s) => s.done));
  }

  /**
   * Runs `attempt` with the target's token. On a 401 (`AUTH_KEY_REVOKED`) the target is told;
   * with the fresh token it gives back, `attempt` runs once more; a second 401 is thrown, as is
   * the first when the credential is gone.
   */
  async #authorized<T>(
    target: ChatTarget,
    attempt: (token: string) => Promise<T>,
  ): Promise<{ value: T; token: string }> {
    const token = await target.token();
    try {
      return { value: await attempt(token), token };
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      const fresh = await target.unauthorized(token);
      if (fresh === null) throw error;
      // Once: a fresh token refused again means the endpoint does not take this credential at
      // all (e.g. a gateway expecting another audience); refreshing again would not help.
      return { value: await attempt(fresh), token: fresh };
    }
  }

  /** Tells the target its token was refused, when nothing more is to be done with it here. */
  async #reportUnauthorized(target: ChatTarget, token: string): Promise<void> {
    try {
      await target.unauthorized(token);
    } catch (error) {
      this.#o.log.warn('chat.unauthorized.failed', { code: toErrorView(error).code });
    }
  }

  async #start(
    conversation: Conversation,
    model: string,
    history: ChatRequestInput['messages'],
    newMessages: ChatMessage[],
    onAccepted?: () => void,
    /** Edit and resend: the message from which on the conversation is replaced. */
    replaceFrom?: string,
    /** Continue: the cut-off answer the new text is appended to. */
    resume?: ChatMessage,
  ): Promise<SendResult> {
    const { provider } = conversation;
    const target = this.#o.target(provider);
    if (!target) throw new LatchkeyError('CHAT_NOT_SIGNED_IN');
    if (this.#streams.has(conversation.id) || this.#connecting.has(conversation.id)) {
      throw new LatchkeyError('CHAT_BUSY');
    }
    const controller = new AbortController();
    this.#connecting.set(conversation.id, { provider, controller });
    const supported =
      this.#o.models.read(provider)?.models.find((m) => m.id === model)?.supportedParameters ?? [];
    const input: ChatRequestInput = {
      model,
      messages: withSystemPrompt(conversation.settings, history),
      parameters: requestParameters(conversation.settings, supported),
    };
    let body: ReadableStream<Uint8Array>;
    let token: string;
    try {
      ({ value: body, token } = await this.#authorized(target, async (bearer) => {
        const response = await openStream(this.#o.fetch, buildChatRequest(target, bearer, input), {
          connectTimeoutMs: this.#o.connectTimeoutMs ?? OPENROUTER_CHAT.connectTimeoutMs,
          signal: controller.signal,
        });
        await checkChatResponse(response);
        if (!response.body) {
          throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: response.status });
        }
        return response.body;
      }));
      if (controller.signal.aborted) {
        await body.cancel().catch(() => undefined);
        throw controller.signal.reason;
      }
    } catch (error) {
      // Aborted by Stop, sign-out or quit: the abort's reason (`CHAT_STOPPED`,
      // `CHAT_NOT_SIGNED_IN`) rather than whatever the aborted request failed with.
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : null;
      const failure = reason instanceof LatchkeyError ? reason : error;
      this.#o.log.warn('chat.send.failed', { provider, code: toErrorView(failure).code });
      throw failure;
    } finally {
      this.#connecting.delete(conversation.id);
    }

    onAccepted?.();
    const assistant: ChatMessage = resume
      ? { ...resume, status: 'streaming', revision: resume.revision + 1, error: null }
      : this.#message('assistant', '', model, 'streaming');
    let summary: ConversationSummary;
    let removed: string[] | null = null;
    if (resume) {
      summary = this.#o.store.updateMessage(conversation.id, assistant);
    } else if (replaceFrom === undefined) {
      summary = this.#o.store.appendMessages(conversation.id, [...newMessages, assistant]);
    } else {
      try {
        ({ summary, removed } = this.#o.store.replaceFrom(conversation.id, replaceFrom, [
          ...newMessages,
          assistant,
        ]));
      } catch (error) {
        // Nothing was replaced: the answer is not wanted.
        controller.abort();
        await body.cancel().catch(() => undefined);
        throw error;
      }
    }
    if (summary.model !== model) summary = this.#o.store.setModel(conversation.id, model);
    // Only a send takes the composer's text: a regenerate or an edit leaves the draft alone.
    if (replaceFrom === undefined && newMessages.length > 0) {
      this.#o.store.setDraft(conversation.id, '');
    }

    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const sent: Sent = {
      content: assistant.content,
      reasoning: assistant.reasoning ?? '',
      revision: assistant.revision,
    };
    this.#streams.set(conversation.id, {
      provider,
      controller,
      messageId: assistant.id,
      sent,
      done,
    });
    const onUnauthorized = () => void this.#reportUnauthorized(target, token);
    void this.#pump(conversation.id, assistant, sent, body, controller, onUnauthorized).finally(
      () => {
        this.#streams.delete(conversation.id);
        resolveDone();
        if (this.#revisions.has(conversation.id)) this.#changed(conversation.id);
        this.#publishList(conversation.id);
      },
    );
    this.#changed(conversation.id);
    this.#publishList(conversation.id);
    return {
      conversation: this.#current(summary),
      userMessage: newMessages.find((m) => m.role === 'user') ?? null,
      assistantMessage: assistant,
      ...(removed && { removedMessageIds: removed }),
    };
  }

  /**
   * Reads the answer, sending its text as deltas (each one revision of the message, tracked in
   * `sent`) and its final state, one revision more, as `chat:message`.
   */
  async #pump(
    conversationId: string,
    assistant: ChatMessage,
    sent: Sent,
    body: ReadableStream<Uint8Array>,
    controller: AbortController,
    onUnauthorized: () => void,
  ): Promise<void> {
    const batcher = new DeltaBatcher(
      (text, _seq, reasoning) => {
        sent.content += text;
        sent.reasoning += reasoning;
        sent.revision += 1;
        this.#o.emit('chat:delta', {
          conversationId,
          messageId: assistant.id,
          seq: sent.revision,
          text,
          ...(reasoning && { reasoning }),
        });
      },
      { intervalMs: this.#o.batchIntervalMs ?? 16 },
    );
    // A continued answer goes on from its text so far.
    let content = assistant.content;
    let reasoning = assistant.reasoning ?? '';
    const details = new ReasoningDetailsAccumulator();
    let thinkingSince: number | null = null;
    let reasoningMs: number | undefined;
    let usage: Usage | null = null;
    let finishReason: string | null = null;
    let answeredBy: string | null = assistant.model;
    let status: ChatMessage['status'] = 'complete';
    let error: ErrorView | null = null;
    // The text so far is saved about once a second (a crash loses at most that), not per token.
    const checkpoints = new AnswerCheckpoints({
      save: () => this.#o.store.checkpoint(conversationId, assistant.id, content, reasoning),
      failed: (caught) =>
        this.#o.log.warn('chat.checkpoint.failed', { code: toErrorView(caught).code }),
      ...(this.#o.checkpointIntervalMs !== undefined && {
        intervalMs: this.#o.checkpointIntervalMs,
      }),
    });
    try {
      for await (const event of readChatStream(body, controller.signal)) {
        if (event.type === 'delta') {
          if (thinkingSince !== null && reasoningMs === undefined) {
            reasoningMs = Math.max(0, this.#now() - thinkingSince);
          }
          content += event.text;
          batcher.push(event.text);
          checkpoints.grew(event.text.length);
        } else if (event.type === 'reasoning') {
          details.add(event.details);
          // Past the cap the rest of the reasoning is dropped, on screen and on disk alike.
          const room = REASONING_LIMITS.maxChars - reasoning.length;
          const piece = event.text.length > room ? event.text.slice(0, room) : event.text;
          if (piece.length > 0) {
            thinkingSince ??= this.#now();
            reasoning += piece;
            batcher.push('', piece);
            checkpoints.grew(piece.length);
          }
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
        // A 401 mid-stream (an error chunk under HTTP 200): the token was refused. The auth side
        // is told (OpenRouter signs out, a token session refreshes for the next request); the
        // partial answer is kept, never retried. Not awaited: a sign-out waits for this stream.
        if (view.code === 'AUTH_KEY_REVOKED' || view.status === 401) onUnauthorized();
        this.#o.log.warn('chat.stream.ended', { code: view.code });
      }
    } finally {
      checkpoints.dispose();
      batcher.drain();
      batcher.dispose();
    }
    if (thinkingSince !== null && reasoningMs === undefined) {
      reasoningMs = Math.max(0, this.#now() - thinkingSince);
    }
    const reasoningDetails = details.result();
    const final: ChatMessage = {
      ...assistant,
      revision: sent.revision + 1,
      content,
      status,
      model: answeredBy,
      usage,
      finishReason,
      error,
      ...(reasoning && { reasoning }),
      ...(reasoningDetails && { reasoningDetails }),
      ...(reasoningMs !== undefined && { reasoningMs }),
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
      this.#o.notify?.({ code: 'STORE_WRITE_FAILED' });
    }
  }

  /** A new user message as stored: its text and, with files, their references. */
  #userMessage(text: string, turn: UserTurn): ChatMessage {
    return {
      ...this.#message('user', text, null, 'complete'),
      ...(turn.attachments && { attachments: turn.attachments }),
    };
  }

  #message(
    role: ChatMessage['role'],
    content: string,
    model: string | null,
    status: ChatMessage['status'],
  ): ChatMessage {
    return {
      id: randomUUID(),
      revision: 0,
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

  #modelsView(
    provider: ProviderId,
    models: readonly ModelInfo[],
    fetchedAt: number | null,
    stale: boolean,
  ): ModelsView {
    const preferred = PREFERRED_DEFAULT[provider];
    const defaultModel =
      this.#o.models.defaultModel(provider) ??
      models.find((m) => m.id === preferred)?.id ??
      models[0]?.id ??
      null;
    return { models, defaultModel, fetchedAt, stale };
  }

  /** A summary as the renderer sees it: with its streaming flag and revision. */
  #current<T extends ConversationSummary>(summary: T): T {
    return {
      ...summary,
      streaming: this.#streams.has(summary.id),
      revision: this.#revisions.get(summary.id) ?? 0,
    };
  }

  /**
   * {@link #current} for a list's summaries, field by field: a spread adding fields costs
   * microseconds per object in Node 20, tens of milliseconds over 10,000 summaries.
   */
  #listed(summary: ConversationSummary): ConversationSummary {
    return {
      id: summary.id,
      revision: this.#revisions.get(summary.id) ?? 0,
      provider: summary.provider,
      title: summary.title,
      createdAt: summary.createdAt,
      updatedAt: summary.updatedAt,
      model: summary.model,
      messageCount: summary.messageCount,
      streaming: this.#streams.has(summary.id),
    };
  }

  #changed(id: string): void {
    this.#clock += 1;
    this.#revisions.set(id, this.#clock);
  }

  /**
   * Tells the page the list changed: with `id`, that one conversation's summary, as a partial
   * list (a change of one summary once sent all of them: 2.3 MB at 10,000 conversations, twice
   * per answer); without, the whole list (a conversation left it).
   */
  #publishList(id?: string): void {
    if (this.#disposed) return;
    if (id === undefined) {
      this.#o.emit('chat:conversations', this.list());
      return;
    }
    const summary = this.#o.store.summary(id);
    if (!summary) return;
    this.#o.emit('chat:conversations', {
      revision: this.#clock,
      conversations: [this.#listed(summary)],
      partial: true,
    });
  }
}
