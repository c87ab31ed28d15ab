/**
 * THE contract between the main process and the renderer (pure types and constants, no imports
 * from `electron`). Main handler types, the preload object and the renderer's types are all
 * derived from {@link InvokeContract} and {@link EventContract}; channel strings appear only here.
 *
 * Secrets (keys, codes, verifiers, tokens) never appear in any type in this file: the renderer
 * sees state, never credentials (security.md 16).
 */

/**
 * Providers the app can sign in to: OpenRouter (seed 000), YOO-AI (seed 002) and one generic
 * OAuth 2.0 / OpenID Connect server (e.g. a company SSO in front of an LLM gateway).
 */
export const PROVIDER_IDS = ['openrouter', 'yooai', 'oidc'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
/** Providers whose settings the user fills in (OpenRouter needs none). */
export type ConfigurableProviderId = Exclude<ProviderId, 'openrouter'>;

/** UI languages. */
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** How the browser hands the authorization response back to the app. */
export type CallbackRoute = 'deep-link' | 'loopback';

/** A serializable error crossing the process boundary: stable `code`, optional details. */
export interface ErrorView {
  /** Stable, namespaced code such as `AUTH_EXCHANGE_REJECTED` (see main/errors.ts). */
  readonly code: string;
  /** HTTP status when the error came from a provider response. */
  readonly status?: number;
  /** Seconds to wait before trying again, when the provider said so. */
  readonly retryAfter?: number;
  /** Text the provider sent (e.g. `error_description`); shown as plain text, never as HTML. */
  readonly providerMessage?: string;
  /** The settings field a `SETTINGS_INVALID` error is about. */
  readonly field?: string;
  /** The name of the attached file an `ATTACHMENT_*` error is about. */
  readonly file?: string;
  /** Why a `STORE_WRITE_FAILED` write failed: `disk-full`, `no-permission` or `disk-error`. */
  readonly reason?: 'disk-full' | 'no-permission' | 'disk-error';
}

/** Public, non-secret facts about the signed-in key (OpenRouter `GET /api/v1/key`). */
export interface AccountView {
  readonly label: string | null;
  readonly usage: number | null;
  readonly limit: number | null;
  readonly limitRemaining: number | null;
  readonly isFreeTier: boolean | null;
  /** When these values were fetched (epoch ms), or null when never. */
  readonly fetchedAt: number | null;
  /** True when the values are the last known ones (offline or not yet refreshed). */
  readonly stale: boolean;
}

/**
 * Whether the credential is kept on this device.
 * - `stored`: encrypted with the OS keyring and written to disk.
 * - `session-only`: the OS offers no real encryption (Linux `basic_text`/`unknown`); the key is
 *   kept in memory for this session until the user explicitly chooses to remember it anyway.
 * - `stored-weak`: the user chose to remember it anyway under weak protection.
 * - `memory-only`: the OS offers no encryption at all; the key is kept in memory for this
 *   session and cannot be remembered (no "remember anyway" is offered: it could not work).
 */
export type Persistence = 'stored' | 'session-only' | 'stored-weak' | 'memory-only';

/**
 * Why the provider is signed out, shown to the user.
 * - `revoked`: the provider rejected the key or access token (401).
 * - `session-ended`: the refresh token was rejected (`invalid_grant`) or is past its lifetime;
 *   signing in again is the only way back.
 */
export type SignedOutReason = 'user' | 'revoked' | 'session-ended' | 'store-corrupt';

/**
 * The lifetime of a token session (YOO-AI, generic OAuth). OpenRouter keys have none.
 * Times are epoch ms; null when the provider did not say.
 */
export interface SessionView {
  /** When the current access token ends (it is refreshed ahead of that). */
  readonly accessExpiresAt: number | null;
  /** When the session ends for good: the refresh token's end, or the access token's without one. */
  readonly endsAt: number | null;
  /** True while a refresh failed for a transient reason (offline, 5xx, 429) and will be retried. */
  readonly refreshPending: boolean;
}

/** YOO-AI settings (seed 002): all from the user's app registration, none of them secret. */
export interface YooaiSettings {
  /** Base URL of the YOO-AI API, e.g. `https://saas.api.yoo-ai.com`. */
  readonly baseUrl: string;
  readonly appId: string;
  readonly unionId: string;
  readonly scope: string;
  /**
   * Registered redirect URI: our custom-scheme callback (`app.latchkey://oauth/yooai`) or an
   * https bridge page on the app's registered domain that forwards to it.
   */
  readonly redirectUri: string;
  /** Path of the refresh endpoint (not documented in the seed, so a setting). */
  readonly refreshPath: string;
  /** Requested access-token lifetime in seconds (sent as `expire_date` = now + this). */
  readonly tokenLifetimeSeconds: number;
}

/** Generic OAuth 2.0 / OpenID Connect settings. */
export interface OidcSettings {
  /** What the UI calls this provider ("Sign in with <displayName>"). */
  readonly displayName: string;
  /** Issuer URL; metadata is discovered from it (RFC 8414 / OIDC Discovery). */
  readonly issuer: string;
  readonly clientId: string;
  /** Space-separated scopes; `offline_access` asks for a refresh token. */
  readonly scopes: string;
  /** Optional OpenAI-compatible base URL (`…/v1`) the chat uses with the access token. */
  readonly chatUrl: string | null;
}

export type ProviderSettings =
  | { readonly provider: 'yooai'; readonly settings: YooaiSettings }
  | { readonly provider: 'oidc'; readonly settings: OidcSettings };

/** Where the effective settings come from: the user's form, the environment, or defaults. */
export type SettingsSource = 'user' | 'env' | 'default';

/** One provider's sign-in state. A union: there is no way to be both signed in and signing in. */
export type AuthState =
  | { readonly status: 'signed-out'; readonly reason: SignedOutReason | null }
  | {
      readonly status: 'signing-in';
      readonly route: CallbackRoute;
      /** Epoch ms after which the pending sign-in is discarded. */
      readonly expiresAt: number;
      /** True once the browser's response arrived and the code is being exchanged. */
      readonly exchanging: boolean;
    }
  | {
      readonly status: 'signed-in';
      /** Account facts; for token providers `label` is who is signed in (union_id, name, …). */
      readonly account: AccountView;
      readonly persistence: Persistence;
      /** Epoch ms the key was obtained. */
      readonly since: number;
      /** Token lifetime for providers with expiring tokens; null for OpenRouter keys. */
      readonly session: SessionView | null;
    };

/** Everything the renderer shows about a provider. */
export interface ProviderState {
  readonly provider: ProviderId;
  /** The provider's name as shown ("Sign in with <displayName>"). */
  readonly displayName: string;
  /** False until the settings the provider needs are complete and valid ("Not configured"). */
  readonly configured: boolean;
  /** The effective settings (none for OpenRouter) and where they come from. */
  readonly settings: ProviderSettings | null;
  readonly settingsSource: SettingsSource;
  /** True when the chat window can talk to this provider once signed in. */
  readonly canChat: boolean;
  /** The routes back from the browser this provider accepts (YOO-AI: its registered redirect only). */
  readonly routes: readonly CallbackRoute[];
  readonly auth: AuthState;
  /** The last error of this provider, cleared by the next successful step. */
  readonly error: ErrorView | null;
  /** The page where the user can revoke the key on the provider's side, when there is one. */
  readonly revokeUrl: string | null;
  /**
   * Grows with every change of this provider's state. Responses and events may arrive in any
   * order (the harness uses two channels); the renderer keeps the highest revision.
   */
  readonly revision: number;
}

/**
 * Why the OS will not hand `app.latchkey:` links to the app (the UI says so, and signs in
 * through loopback or paste instead).
 * - `xdg-utils-missing`: Linux without `xdg-mime` (Debian/Ubuntu package `xdg-utils`).
 * - `applications-unwritable`: the user's applications folder (`~/.local/share/applications`)
 *   cannot be written.
 * - `foreign-entry`: a launcher named like ours was written by something else; it is left alone.
 * - `xdg-mime-failed`: xdg-mime ran but the association did not stick.
 * - `os-refused`: Windows or macOS refused the registration.
 */
export const DEEP_LINK_UNAVAILABLE_REASONS = [
  'xdg-utils-missing',
  'applications-unwritable',
  'foreign-entry',
  'xdg-mime-failed',
  'os-refused',
] as const;
export type DeepLinkUnavailableReason = (typeof DEEP_LINK_UNAVAILABLE_REASONS)[number];

/** What the app knows about its environment, sent once at startup. */
export interface AppInfo {
  readonly version: string;
  readonly locale: Locale;
  /**
   * Null when the OS hands `app.latchkey:` links to the app; else why not, and only loopback and
   * paste can bring the user back.
   */
  readonly deepLinksUnavailable: DeepLinkUnavailableReason | null;
  /** Where the OS keyring offers no real protection (security.md 15). */
  readonly weakEncryption: boolean;
  /** Notices raised and not yet dismissed (also those raised before the page loaded). */
  readonly notices: readonly RaisedNotice[];
  /** Whether the providers could be reached, as last observed (then `app:connectivity`). */
  readonly connectivity: Connectivity;
}

/** A model offered by the provider (OpenRouter `GET /api/v1/models`). */
export interface ModelInfo {
  readonly id: string;
  readonly name: string;
  readonly contextLength: number | null;
  /** USD per token, as the provider reports it; null when unknown. */
  readonly promptPrice: number | null;
  readonly completionPrice: number | null;
  /** True when both prices are zero (OpenRouter's `:free` variants). */
  readonly free: boolean;
  /**
   * The request parameters the model takes (OpenRouter `supported_parameters`: `temperature`,
   * `max_tokens`, `reasoning`, …); empty when the provider does not say (then none is sent).
   */
  readonly supportedParameters: readonly string[];
  /**
   * What the model reads (OpenRouter `architecture.input_modalities`: `text`, `image`, `file`,
   * …); `['text']` when the provider does not say. Images go only to models listing `image`,
   * PDFs only to models listing `file`.
   */
  readonly inputModalities: readonly string[];
}

/** The model list, possibly from the on-disk cache (offline). */
export interface ModelsView {
  readonly models: readonly ModelInfo[];
  /** The model new conversations use (remembered across restarts). */
  readonly defaultModel: string | null;
  readonly fetchedAt: number | null;
  /** True when the list comes from the cache because the provider could not be reached. */
  readonly stale: boolean;
}

export type MessageRole = 'user' | 'assistant';

/**
 * - `streaming`: tokens are arriving.
 * - `complete`: the provider sent a finish reason.
 * - `stopped`: the user pressed Stop; the partial answer is kept.
 * - `incomplete`: the stream ended without a finish reason; the partial answer is kept.
 * - `error`: the provider reported an error (before or during the answer).
 */
export type MessageStatus = 'streaming' | 'complete' | 'stopped' | 'incomplete' | 'error';

/** Token usage and cost of one answer, when the provider reports them. */
export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  /** USD, when reported. */
  readonly cost: number | null;
  /**
   * Of `completionTokens`, those spent reasoning, when the provider reports some (OpenRouter:
   * `usage.completion_tokens_details.reasoning_tokens`; 0 is left out).
   */
  readonly reasoningTokens?: number;
}

/**
 * Every chat value main sends carries a revision, so the renderer can tell the newer of two
 * copies whichever channel they came by (an event, an invoke response, a snapshot): it never
 * lets a lower revision overwrite a higher one.
 */
export interface ChatMessage {
  readonly id: string;
  /**
   * Grows with every change main makes to this message: 0 when it is created (an answer starts
   * empty and `streaming`), +1 for each streamed piece (the piece's `StreamDelta.seq`), +1 for
   * its final state. Kept on disk with the message.
   */
  readonly revision: number;
  readonly role: MessageRole;
  readonly content: string;
  readonly createdAt: number;
  readonly status: MessageStatus;
  /** The model that answered (assistant messages). */
  readonly model: string | null;
  readonly usage: Usage | null;
  readonly finishReason: string | null;
  readonly error: ErrorView | null;
  /**
   * What a thinking model streamed as `delta.reasoning` (assistant messages), at most
   * {@link REASONING_LIMITS}`.maxChars`; never part of `content`. Absent when there was none.
   */
  readonly reasoning?: string;
  /**
   * OpenRouter's structured `reasoning_details` (JSON values: `reasoning.text` pieces merged by
   * `index`, summaries and encrypted blocks as sent), kept to send back with this message on
   * the next turn (https://openrouter.ai/docs/use-cases/reasoning-tokens#preserving-reasoning-blocks).
   * Dropped whole when over {@link REASONING_LIMITS}: a partial set would not verify.
   */
  readonly reasoningDetails?: readonly unknown[];
  /** How long the model reasoned: first reasoning delta to first answer delta (or the end). */
  readonly reasoningMs?: number;
  /** Files sent with a user message (stored beside the conversation, never inside its JSON). */
  readonly attachments?: readonly AttachmentRef[];
}

/**
 * How an attachment reaches the model: `image` as an `image_url` data-URL part (models whose
 * input modalities include `image`), `pdf` as a `file` part (models listing `file`), `text`
 * inlined into the message as a fenced block named after the file.
 */
export type AttachmentKind = 'image' | 'pdf' | 'text';

/**
 * A file attached to a message. Main decides `kind` and `mediaType` from the bytes themselves
 * (magic numbers; text = valid UTF-8 without NUL), never from the name. The bytes are stored
 * once per conversation, content-addressed by `id` (the SHA-256 of the bytes, hex).
 */
export interface AttachmentRef {
  /** SHA-256 of the bytes, 64 lowercase hex digits. */
  readonly id: string;
  /** The file's name as the user had it (no path), at most `ATTACHMENT_LIMITS.maxNameChars`. */
  readonly name: string;
  /** `image/png`, `image/jpeg`, `image/gif`, `image/webp`, `application/pdf` or `text/plain`. */
  readonly mediaType: string;
  /** Bytes. */
  readonly size: number;
  readonly kind: AttachmentKind;
  /** Pixels, for images whose header says. */
  readonly width?: number;
  readonly height?: number;
}

/** Caps on attachments, enforced in main (the IPC schemas included) and checked early in the page. */
export const ATTACHMENT_LIMITS = {
  /** Per file, in bytes (20 MB). */
  maxBytes: 20 * 1024 * 1024,
  maxFilesPerMessage: 10,
  /** Text and code files are inlined up to this many bytes (512 KB). */
  maxTextBytes: 512 * 1024,
  maxNameChars: 255,
  /** Images are downscaled in the page to at most this many pixels on the long side. */
  maxImageSide: 2048,
} as const;

/**
 * A file the page hands to main (`chat:attach`). The bytes travel as bytes — a structured clone
 * over Electron's IPC, a binary frame in the harness — never as base64 text the page would have
 * to build and parse on its main thread.
 */
export interface AttachmentUpload {
  readonly name: string;
  /** At most `ATTACHMENT_LIMITS.maxBytes`. */
  readonly bytes: Uint8Array;
}

/** A stored attachment's bytes, for thumbnails and the image viewer (a `blob:` URL in the page). */
export interface AttachmentData {
  /** As main read it from the bytes (`image/png`, …). */
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/** Caps on the reasoning kept with a message (main truncates or drops beyond them). */
export const REASONING_LIMITS = {
  maxChars: 1_000_000,
  maxDetails: 1_000,
  /** Of `JSON.stringify(reasoningDetails)`. */
  maxDetailsChars: 4_000_000,
} as const;

export interface ConversationSummary {
  readonly id: string;
  /**
   * Grows with every change of this summary (title, model, messages, streaming) and of the
   * conversation's message list. Taken from one clock per main process, the one
   * {@link ConversationList.revision} reads, so a summary and a list can be compared.
   */
  readonly revision: number;
  /** The provider the conversation chats through. */
  readonly provider: ProviderId;
  readonly title: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly model: string | null;
  readonly messageCount: number;
  /** True while an answer is streaming in this conversation. */
  readonly streaming: boolean;
}

export interface Conversation extends ConversationSummary {
  readonly messages: readonly ChatMessage[];
  /** What the user typed but did not send, kept across restarts. */
  readonly draft: string;
  /** System prompt and parameters of this conversation (stored in its file). */
  readonly settings: ConversationSettings;
}

/** Reasoning effort a conversation asks for (OpenRouter `reasoning.effort`); `none` turns it off. */
export const REASONING_EFFORTS = ['none', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * A conversation's system prompt and parameters. `null` means the model's default: the
 * parameter is not sent. A parameter is sent only when set and listed in the model's
 * {@link ModelInfo.supportedParameters} (`temperature`, `max_tokens`, `reasoning`); the system
 * prompt, when not empty, is always the first message.
 */
export interface ConversationSettings {
  readonly systemPrompt: string;
  /** 0–2. */
  readonly temperature: number | null;
  /** A positive integer, at most {@link CONVERSATION_SETTINGS_LIMITS}`.maxTokens`. */
  readonly maxTokens: number | null;
  readonly reasoningEffort: ReasoningEffort | null;
}

/** Bounds main enforces on {@link ConversationSettings} (`CHAT_SETTINGS_INVALID` with `field`). */
export const CONVERSATION_SETTINGS_LIMITS = {
  /** UTF-16 code units (64 Ki), well above any real system prompt, far below a runaway paste. */
  systemPromptMaxChars: 65_536,
  temperatureMin: 0,
  temperatureMax: 2,
  maxTokens: 1_000_000,
} as const;

/** What a conversation starts with when no default was saved: every parameter the model's. */
export const DEFAULT_CONVERSATION_SETTINGS: ConversationSettings = {
  systemPrompt: '',
  temperature: null,
  maxTokens: null,
  reasoningEffort: null,
};

/**
 * Every conversation, newest activity first, as of `revision`: a summary missing from a list is
 * gone only if its own revision is not newer than the list's (it may have been created after).
 */
export interface ConversationList {
  readonly revision: number;
  readonly conversations: readonly ConversationSummary[];
  /**
   * Only some conversations: the newest `limit` (`listConversations(limit)`, for a first paint
   * that does not wait for 10,000), or a page of `limit` after a cursor. It adds and updates
   * summaries, and decides nothing about which conversations exist.
   */
  readonly partial?: boolean;
}

/**
 * Where a page of the list starts: just after a conversation with these fields, in the list's
 * order (newest activity first; ties by creation, then id). The conversation itself need not
 * exist any more: the page starts where it would be.
 */
export interface ListCursor {
  readonly updatedAt: number;
  readonly createdAt: number;
  readonly id: string;
}

/**
 * What `chat:send`, `chat:regenerate` and `chat:edit` return once the provider accepted the
 * request.
 */
export interface SendResult {
  readonly conversation: ConversationSummary;
  /** The user's message as stored (absent for regenerate). */
  readonly userMessage: ChatMessage | null;
  /** The assistant message being streamed (status `streaming`). */
  readonly assistantMessage: ChatMessage;
  /**
   * Messages main removed from the conversation with this request (`chat:edit`: the edited
   * message and every one after it). Ids are never reused, so the renderer drops them for good:
   * a copy of one arriving later (an event sent before the edit, a snapshot) does not bring it
   * back.
   */
  readonly removedMessageIds?: readonly string[];
}

/**
 * New text of a streaming answer. Batched in main: at most one per animation frame (16 ms) per
 * stream, the first one sent at once. `seq` is the message's revision once this text is added:
 * a copy of the message at revision `r` (a snapshot) already holds every delta with `seq ≤ r`,
 * and the delta with `seq = r + 1` is the next to append to it.
 */
export interface StreamDelta {
  readonly conversationId: string;
  readonly messageId: string;
  readonly seq: number;
  /** New answer text ('' when this piece only carries reasoning). */
  readonly text: string;
  /** New reasoning text, when the model is thinking; applied under the same `seq`. */
  readonly reasoning?: string;
}

/** One conversation as a Markdown document (main/chat/export-markdown.ts). */
export interface ConversationMarkdown {
  /** `<title>.md`, the title made safe as a file name on every OS. */
  readonly filename: string;
  readonly markdown: string;
}

/**
 * What `chat:export` did. Main saves the file itself where it can ask the user where (Electron's
 * save dialog); where it cannot (the browser harness), it hands the document back and the page
 * downloads it. The page acts on the answer, never on which shell it runs in.
 * - `saved`: written where the user chose; `filename` is the name chosen.
 * - `cancelled`: the user closed the save dialog (not an error).
 * - `download`: the page is to save the document as a download.
 */
export type ExportResult =
  | { readonly kind: 'saved'; readonly filename: string }
  | { readonly kind: 'cancelled' }
  | ({ readonly kind: 'download' } & ConversationMarkdown);

/**
 * A plain-text excerpt around a search match, with the ranges to highlight (UTF-16 offsets
 * into `text`, ascending, not overlapping). Plain text: the page marks the ranges itself.
 */
export interface SearchSnippet {
  readonly text: string;
  readonly ranges: readonly (readonly [start: number, end: number])[];
}

/** One conversation a search found, at its best-matching message (null: the title matched). */
export interface SearchResult {
  readonly conversationId: string;
  readonly messageId: string | null;
  readonly title: string;
  readonly snippet: SearchSnippet;
  readonly score: number;
}

/** The longest query `search:query` accepts (about 10 KB of text; only the start is used). */
export const MAX_SEARCH_QUERY_CHARS = 20_000;

/** Whether the providers can be reached, as last observed by main. */
export interface Connectivity {
  readonly online: boolean;
  /** When main observed it (epoch ms): for display only, never to order observations. */
  readonly checkedAt: number;
  /**
   * Orders observations: main's tracker gives every one the next number (whether or not
   * `online` changed), from 0 at startup of the main process. Of two, the larger `seq` is newer;
   * equal `seq` is the same observation.
   */
  readonly seq: number;
}

/** Which stored file a `STORE_CORRUPT_MOVED` notice is about (each has its own wording). */
export type DamagedStore =
  | 'conversation'
  | 'conversation-index'
  | 'credentials'
  | 'settings'
  | 'models-cache'
  | 'search-index';

/** A message from main that is not tied to a provider state, as it is raised. */
export interface Notice {
  readonly code: 'STORE_CORRUPT_MOVED' | 'STORE_WRITE_FAILED';
  /** The store whose file was damaged and moved aside (`STORE_CORRUPT_MOVED`). */
  readonly store?: DamagedStore;
  /** A damaged conversation's title, when it could still be read. */
  readonly title?: string;
  /** The damaged file's name before it was moved (e.g. `<uuid>.json`). */
  readonly file?: string;
  /** Where the unreadable file was moved, for the user to inspect. */
  readonly path?: string;
}

/**
 * A notice as main keeps it (main/notices.ts) until the user dismisses it: a page that loads
 * later still gets it (`AppInfo.notices`), and dismissing it names its `id`.
 */
export interface RaisedNotice extends Notice {
  readonly id: string;
}

/** Result envelope: `ipcMain.handle` only carries an error's message, so errors are values. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorView };

/** Request/response pairs of every invoke channel. */
export interface InvokeContract {
  'app:get-info': { request: undefined; response: AppInfo };
  'auth:get-states': { request: undefined; response: ProviderState[] };
  /** Starts (or joins) a sign-in and opens the user's browser. */
  'auth:sign-in': {
    request: { provider: ProviderId; route: CallbackRoute };
    response: ProviderState;
  };
  'auth:cancel': { request: { provider: ProviderId }; response: ProviderState };
  /** Completes a sign-in from the full redirected URL pasted by the user. */
  'auth:submit-link': { request: { url: string }; response: ProviderState };
  'auth:sign-out': { request: { provider: ProviderId }; response: ProviderState };
  /** Stores the key under weak protection after the user chose to (security.md 15). */
  'auth:remember-anyway': { request: { provider: ProviderId }; response: ProviderState };
  'auth:dismiss-error': { request: { provider: ProviderId }; response: ProviderState };
  'account:refresh': { request: { provider: ProviderId }; response: ProviderState };
  /** Saves a provider's settings after validating them; only while signed out. */
  'provider:configure': { request: ProviderSettings; response: ProviderState };
  'settings:set-locale': { request: { locale: Locale }; response: Locale };
  /** Opens an https URL in the user's browser (the only way out of the app). */
  'shell:open-external': { request: { url: string }; response: undefined };
  /** Probes the provider (after being offline); the answer also arrives as `app:connectivity`. */
  'app:check-connectivity': { request: undefined; response: Connectivity };
  /** The user dismissed a notice: main forgets it, so a reload does not show it again. */
  'app:dismiss-notice': { request: { id: string }; response: undefined };
  'chat:list': {
    request: { limit: number; after?: ListCursor } | undefined;
    response: ConversationList;
  };
  /** Loads one conversation from disk (conversations are loaded lazily). */
  'chat:open': { request: { id: string }; response: Conversation };
  /** Without `settings`, the conversation starts with the saved defaults for new chats. */
  'chat:create': {
    request: { provider: ProviderId; model: string | null; settings?: ConversationSettings };
    response: Conversation;
  };
  /** Sets a conversation's system prompt and parameters (validated: `CHAT_SETTINGS_INVALID`). */
  'chat:set-settings': {
    request: { id: string; settings: ConversationSettings };
    response: ConversationSettings;
  };
  /** Saves the model picker's choice on the conversation at once. */
  'chat:set-model': { request: { id: string; model: string }; response: ConversationSummary };
  /** The settings new chats start with (the default system prompt and parameters). */
  'chat:get-default-settings': { request: undefined; response: ConversationSettings };
  'chat:set-default-settings': {
    request: { settings: ConversationSettings };
    response: ConversationSettings;
  };
  'chat:rename': { request: { id: string; title: string }; response: ConversationSummary };
  /** Deletes a conversation (stopping its answer first); answers the list without it. */
  'chat:delete': { request: { id: string }; response: ConversationList };
  /** `id` is a conversation's, or `''` for the new chat (its draft goes to the conversation it creates). */
  'chat:set-draft': { request: { id: string; draft: string }; response: undefined };
  /** The new chat's draft, kept across restarts. */
  'chat:new-draft': { request: undefined; response: string };
  /**
   * Sends a message. Resolves once the provider accepted the request (the answer then streams
   * as `chat:delta` / `chat:message`); rejects with the error otherwise (offline, 401, 402,
   * 429, …) and stores nothing, so the caller keeps the text.
   */
  'chat:send': {
    request: {
      conversationId: string;
      text: string;
      model: string;
      /** Files from `chat:attach`; refused before anything is sent if the model can't take one. */
      attachments?: readonly AttachmentRef[];
    };
    response: SendResult;
  };
  /** Stops the streaming answer: the request is aborted, the partial answer kept. */
  'chat:stop': { request: { conversationId: string }; response: undefined };
  /** Replaces the last assistant answer with a new one. */
  'chat:regenerate': {
    request: { conversationId: string; model: string };
    response: SendResult;
  };
  /**
   * Continues the last answer when it was cut off (incomplete, stopped, failed): its text is
   * sent as an assistant prefill and the new text is appended to the same message.
   */
  'chat:continue': {
    request: { conversationId: string; messageId: string };
    response: SendResult;
  };
  /**
   * Checks a file by its bytes and keeps it for the next send (not yet part of any
   * conversation); refuses files over 20 MB (`ATTACHMENT_TOO_LARGE`), files whose bytes are not
   * what their name says (`ATTACHMENT_TYPE_MISMATCH`) and types no model reads
   * (`ATTACHMENT_UNSUPPORTED`).
   */
  'chat:attach': { request: AttachmentUpload; response: AttachmentRef };
  /** A stored attachment of a conversation, with its type (thumbnails, the image viewer). */
  'chat:attachment': {
    request: { conversationId: string; id: string };
    response: AttachmentData;
  };
  /**
   * Edit and resend: replaces the user message `messageId` and everything after it with `text`
   * and a new answer, in one write once the provider accepted the request (see `chat:send`);
   * on any failure nothing is replaced. `SendResult.removedMessageIds` lists what went.
   */
  'chat:edit': {
    request: { conversationId: string; messageId: string; text: string; model: string };
    response: SendResult;
  };
  /** Saves one conversation as `<title>.md` (see {@link ExportResult}). */
  'chat:export': { request: { id: string }; response: ExportResult };
  /** One conversation as Markdown, for "Copy conversation". */
  'chat:markdown': { request: { id: string }; response: ConversationMarkdown };
  /**
   * Searches titles and message text (user, assistant, reasoning) of every conversation, best
   * first, one result per conversation. A query without words (`*`, `"`, blank) finds nothing.
   */
  'search:query': {
    request: { query: string; limit: number };
    response: readonly SearchResult[];
  };
  'models:list': { request: { provider: ProviderId; refresh: boolean }; response: ModelsView };
  'models:set-default': {
    request: { provider: ProviderId; model: string };
    response: ModelsView;
  };
}

/** Payloads of every main → renderer event channel. */
export interface EventContract {
  'auth:state': ProviderState;
  'app:notice': RaisedNotice;
  'app:connectivity': Connectivity;
  'chat:delta': StreamDelta;
  /** A message changed state (streaming finished, stopped, failed). */
  'chat:message': { readonly conversationId: string; readonly message: ChatMessage };
  /**
   * The list changed: after a change of one conversation, its summary alone (`partial`); after
   * one left the list (a delete, a damaged file moved aside), the whole list.
   */
  'chat:conversations': ConversationList;
  /** The app menu's "Keyboard Shortcuts" was chosen: the page opens its shortcut sheet. */
  'app:show-shortcuts': null;
}

export type InvokeChannel = keyof InvokeContract;
export type EventChannel = keyof EventContract;
export type RequestOf<C extends InvokeChannel> = InvokeContract[C]['request'];
export type ResponseOf<C extends InvokeChannel> = InvokeContract[C]['response'];

/** Every invoke channel, for registration loops (kept in sync by a compile-time check). */
export const INVOKE_CHANNELS = [
  'app:get-info',
  'auth:get-states',
  'auth:sign-in',
  'auth:cancel',
  'auth:submit-link',
  'auth:sign-out',
  'auth:remember-anyway',
  'auth:dismiss-error',
  'account:refresh',
  'provider:configure',
  'settings:set-locale',
  'shell:open-external',
  'app:check-connectivity',
  'app:dismiss-notice',
  'chat:list',
  'chat:open',
  'chat:create',
  'chat:set-settings',
  'chat:set-model',
  'chat:get-default-settings',
  'chat:set-default-settings',
  'chat:rename',
  'chat:delete',
  'chat:set-draft',
  'chat:new-draft',
  'chat:send',
  'chat:stop',
  'chat:regenerate',
  'chat:continue',
  'chat:attach',
  'chat:attachment',
  'chat:edit',
  'chat:export',
  'chat:markdown',
  'search:query',
  'models:list',
  'models:set-default',
] as const satisfies readonly InvokeChannel[];

export const EVENT_CHANNELS = [
  'auth:state',
  'app:notice',
  'app:connectivity',
  'chat:delta',
  'chat:message',
  'chat:conversations',
  'app:show-shortcuts',
] as const satisfies readonly EventChannel[];

type Missing<All, Listed> = Exclude<All, Listed>;
/** Compile-time proof that the lists above name every channel of the contract. */
export const channelsComplete: [
  Missing<InvokeChannel, (typeof INVOKE_CHANNELS)[number]>,
  Missing<EventChannel, (typeof EVENT_CHANNELS)[number]>,
] extends [never, never]
  ? true
  : never = true;

/** The API the preload exposes as `window.latchkey`: one named function per operation. */
export interface LatchkeyApi {
  getAppInfo(): Promise<AppInfo>;
  getAuthStates(): Promise<ProviderState[]>;
  signIn(provider: ProviderId, route: CallbackRoute): Promise<ProviderState>;
  cancelSignIn(provider: ProviderId): Promise<ProviderState>;
  submitSignInLink(url: string): Promise<ProviderState>;
  signOut(provider: ProviderId): Promise<ProviderState>;
  rememberAnyway(provider: ProviderId): Promise<ProviderState>;
  dismissError(provider: ProviderId): Promise<ProviderState>;
  refreshAccount(provider: ProviderId): Promise<ProviderState>;
  configureProvider(settings: ProviderSettings): Promise<ProviderState>;
  setLocale(locale: Locale): Promise<Locale>;
  openExternal(url: string): Promise<void>;
  checkConnectivity(): Promise<Connectivity>;
  /** Main forgets the notice (it stays gone after a reload). */
  dismissNotice(id: string): Promise<void>;
  /**
   * Every conversation, newest first; only the newest `limit` (then `partial`) when given, or
   * the `limit` after `after` (always `partial`).
   */
  listConversations(limit?: number, after?: ListCursor): Promise<ConversationList>;
  openConversation(id: string): Promise<Conversation>;
  createConversation(
    provider: ProviderId,
    model: string | null,
    settings?: ConversationSettings,
  ): Promise<Conversation>;
  setConversationSettings(
    id: string,
    settings: ConversationSettings,
  ): Promise<ConversationSettings>;
  setConversationModel(id: string, model: string): Promise<ConversationSummary>;
  getDefaultConversationSettings(): Promise<ConversationSettings>;
  setDefaultConversationSettings(settings: ConversationSettings): Promise<ConversationSettings>;
  renameConversation(id: string, title: string): Promise<ConversationSummary>;
  deleteConversation(id: string): Promise<ConversationList>;
  setDraft(id: string, draft: string): Promise<void>;
  /** The new chat's draft, as saved with `setDraft('', …)`. */
  newChatDraft(): Promise<string>;
  send(
    conversationId: string,
    text: string,
    model: string,
    attachments?: readonly AttachmentRef[],
  ): Promise<SendResult>;
  stop(conversationId: string): Promise<void>;
  regenerate(conversationId: string, model: string): Promise<SendResult>;
  /** Continues a cut-off answer in place (`chat:continue`). */
  continueAnswer(conversationId: string, messageId: string): Promise<SendResult>;
  attachFile(upload: AttachmentUpload): Promise<AttachmentRef>;
  attachmentData(conversationId: string, id: string): Promise<AttachmentData>;
  editMessage(
    conversationId: string,
    messageId: string,
    text: string,
    model: string,
  ): Promise<SendResult>;
  exportConversation(id: string): Promise<ExportResult>;
  conversationMarkdown(id: string): Promise<ConversationMarkdown>;
  searchConversations(query: string, limit: number): Promise<readonly SearchResult[]>;
  listModels(provider: ProviderId, refresh: boolean): Promise<ModelsView>;
  setDefaultModel(provider: ProviderId, model: string): Promise<ModelsView>;
  /** Subscriptions return a function that unsubscribes. */
  onAuthState(listener: (state: ProviderState) => void): () => void;
  onNotice(listener: (notice: RaisedNotice) => void): () => void;
  onConnectivity(listener: (connectivity: Connectivity) => void): () => void;
  onStreamDelta(listener: (delta: StreamDelta) => void): () => void;
  onMessage(listener: (event: EventContract['chat:message']) => void): () => void;
  onConversations(listener: (list: ConversationList) => void): () => void;
  onShowShortcuts(listener: () => void): () => void;
}

/** Thrown in the renderer when an invoke returns `{ ok: false }`. */
export class LatchkeyApiError extends Error {
  readonly code: string;
  readonly view: ErrorView;
  constructor(view: ErrorView) {
    // contextBridge keeps only an error's message: the view travels in it as JSON.
    super(JSON.stringify(view));
    this.name = 'LatchkeyApiError';
    this.code = view.code;
    this.view = view;
  }
}
