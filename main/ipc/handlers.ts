import type {
  AppInfo,
  Connectivity,
  ConversationSettings,
  Locale,
  SearchResult,
} from '../../preload/api';
import type { AuthService } from '../auth/auth-service';
import type { ChatService } from '../chat/chat-service';
import { conversationMarkdown } from '../chat/export-markdown';
import type { SaveFile } from '../chat/save-file';
import { INVOKE_CHANNELS } from '../../preload/api';
import { LatchkeyError } from '../errors';
import type { Handlers } from './dispatch';

/** What the handlers need from the services around the composition root. */
export interface HandlerDeps {
  readonly auth: AuthService;
  readonly chat: ChatService;
  /** Probes the provider and returns what was observed. */
  readonly checkConnectivity: () => Promise<Connectivity>;
  readonly appInfo: () => AppInfo;
  readonly setLocale: (locale: Locale) => Locale;
  /** Opens an https URL from the renderer (revocation page, model links). */
  readonly openExternal: (url: string) => Promise<void>;
  /** Asks where to save a file and writes it (Electron's save dialog); null in the harness. */
  readonly saveFile: SaveFile | null;
  /** Forgets a notice the user dismissed (main/notices.ts). */
  readonly dismissNotice?: (id: string) => void;
  /** Search over all history (absent: every search finds nothing). */
  readonly search?: {
    query(query: string, limit: number): Promise<readonly SearchResult[]>;
  };
  /** The settings new chats start with (the default system prompt), kept across restarts. */
  readonly conversationDefaults: {
    get(): ConversationSettings;
    /** @throws LatchkeyError `CHAT_SETTINGS_INVALID`, `STORE_WRITE_FAILED`. */
    set(settings: ConversationSettings): ConversationSettings;
  };
}

/**
 * The invoke handlers, Electron-free: registered with `ipcMain.handle` in the app and served
 * over HTTP by the browser harness, so both run exactly this code.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const { auth, chat } = deps;
  return withConversationErrors({
    'app:get-info': () => deps.appInfo(),
    'auth:get-states': () => auth.states(),
    'auth:sign-in': ({ provider, route }) => auth.signIn(provider, route),
    'auth:cancel': ({ provider }) => auth.cancel(provider),
    'auth:submit-link': async ({ url }) => {
      const state = await auth.handleCallbackUrl(url.trim(), 'paste');
      if (!state) throw new Error('unreachable: paste always reports');
      return state;
    },
    'auth:sign-out': async ({ provider }) => {
      await chat.stopProvider(provider);
      return auth.signOut(provider);
    },
    'auth:remember-anyway': ({ provider }) => auth.rememberAnyway(provider),
    'auth:dismiss-error': ({ provider }) => auth.dismissError(provider),
    'account:refresh': async ({ provider }) => {
      await auth.refreshAccount(provider);
      return auth.state(provider);
    },
    'provider:configure': (settings) => auth.configure(settings),
    'settings:set-locale': ({ locale }) => deps.setLocale(locale),
    'shell:open-external': async ({ url }) => {
      await deps.openExternal(url);
      return undefined;
    },
    'app:check-connectivity': () => deps.checkConnectivity(),
    'app:dismiss-notice': ({ id }) => {
      deps.dismissNotice?.(id);
      return undefined;
    },
    'chat:list': (request) => chat.list(request?.limit, request?.after),
    'chat:open': ({ id }) => chat.open(id),
    'chat:create': ({ provider, model, settings }) =>
      chat.create(provider, model, settings ?? deps.conversationDefaults.get()),
    'chat:set-settings': ({ id, settings }) => chat.setSettings(id, settings),
    'chat:set-model': ({ id, model }) => chat.setModel(id, model),
    'chat:get-default-settings': () => deps.conversationDefaults.get(),
    'chat:set-default-settings': ({ settings }) => deps.conversationDefaults.set(settings),
    'chat:rename': ({ id, title }) => chat.rename(id, title),
    'chat:delete': ({ id }) => chat.delete(id),
    'chat:set-draft': ({ id, draft }) => {
      chat.setDraft(id, draft);
      return undefined;
    },
    'chat:new-draft': () => chat.newChatDraft(),
    'chat:send': ({ conversationId, text, model, attachments }) =>
      chat.send(conversationId, text, model, attachments),
    'chat:stop': ({ conversationId }) => {
      chat.stop(conversationId);
      return undefined;
    },
    'chat:regenerate': ({ conversationId, model }) => chat.regenerate(conversationId, model),
    'chat:continue': ({ conversationId, messageId }) => chat.continue(conversationId, messageId),
    'chat:attach': (upload) => chat.attach(upload),
    'chat:attachment': ({ conversationId, id }) => chat.attachmentData(conversationId, id),
    'chat:edit': ({ conversationId, messageId, text, model }) =>
      chat.edit(conversationId, messageId, text, model),
    'chat:export': async ({ id }) => {
      const document = conversationMarkdown(chat.open(id));
      if (!deps.saveFile) return { kind: 'download', ...document };
      const saved = await deps.saveFile(document.filename, document.markdown);
      return saved === null ? { kind: 'cancelled' } : { kind: 'saved', filename: saved.filename };
    },
    'chat:markdown': ({ id }) => conversationMarkdown(chat.open(id)),
    'search:query': ({ query, limit }) => deps.search?.query(query, limit) ?? [],
    'models:list': ({ provider, refresh }) => chat.listModels(provider, refresh),
    'models:set-default': ({ provider, model }) => chat.setDefaultModel(provider, model),
  });
}

/** A damaged or unreadable conversation file, as the conversation store reports it. */
function conversationError(error: unknown): unknown {
  return error instanceof LatchkeyError && error.code === 'STORE_CORRUPT'
    ? new LatchkeyError('CHAT_DAMAGED', {}, { cause: error })
    : error;
}

/**
 * The conversation store's `STORE_CORRUPT` is about a conversation file, never the saved
 * sign-in (whose wording that code has): the `chat:` channels report it as `CHAT_DAMAGED`.
 */
function withConversationErrors(handlers: Handlers): Handlers {
  const wrapped = { ...handlers } as unknown as Record<string, (request: unknown) => unknown>;
  for (const channel of INVOKE_CHANNELS) {
    const handler = wrapped[channel];
    if (!channel.startsWith('chat:') || !handler) continue;
    wrapped[channel] = (request) => {
      try {
        const value = handler(request);
        return value instanceof Promise
          ? value.catch((error: unknown) => {
              throw conversationError(error);
            })
          : value;
      } catch (error) {
        throw conversationError(error);
      }
    };
  }
  return wrapped as unknown as Handlers;
}
