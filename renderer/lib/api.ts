import type { ErrorView, LatchkeyApi } from '../../preload/api';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the harness bridge (browser); see preload/api.ts. */
    latchkey: LatchkeyApi;
  }
}

function bridge(): LatchkeyApi {
  const exposed = window.latchkey as LatchkeyApi | undefined;
  if (!exposed) throw new Error('INTERNAL: window.latchkey is missing (the preload did not run)');
  return exposed;
}

/**
 * The preload API. This is the only module that touches `window.latchkey`: components go
 * through the state classes in `lib/state/`, never through IPC directly (style.md 10). Each call
 * looks the bridge up when it is made, so a missing preload becomes a rejected call that the UI
 * reports, not a blank window.
 */
export const api: LatchkeyApi = {
  getAppInfo: async () => bridge().getAppInfo(),
  getAuthStates: async () => bridge().getAuthStates(),
  signIn: async (provider, route) => bridge().signIn(provider, route),
  cancelSignIn: async (provider) => bridge().cancelSignIn(provider),
  submitSignInLink: async (url) => bridge().submitSignInLink(url),
  signOut: async (provider) => bridge().signOut(provider),
  rememberAnyway: async (provider) => bridge().rememberAnyway(provider),
  dismissError: async (provider) => bridge().dismissError(provider),
  refreshAccount: async (provider) => bridge().refreshAccount(provider),
  configureProvider: async (settings) => bridge().configureProvider(settings),
  setLocale: async (locale) => bridge().setLocale(locale),
  openExternal: async (url) => bridge().openExternal(url),
  checkConnectivity: async () => bridge().checkConnectivity(),
  dismissNotice: async (id) => bridge().dismissNotice(id),
  listConversations: async (limit, after) => bridge().listConversations(limit, after),
  openConversation: async (id) => bridge().openConversation(id),
  createConversation: async (provider, model, settings) =>
    bridge().createConversation(provider, model, settings),
  setConversationSettings: async (id, settings) => bridge().setConversationSettings(id, settings),
  setConversationModel: async (id, model) => bridge().setConversationModel(id, model),
  getDefaultConversationSettings: async () => bridge().getDefaultConversationSettings(),
  setDefaultConversationSettings: async (settings) =>
    bridge().setDefaultConversationSettings(settings),
  renameConversation: async (id, title) => bridge().renameConversation(id, title),
  deleteConversation: async (id) => bridge().deleteConversation(id),
  setDraft: async (id, draft) => bridge().setDraft(id, draft),
  newChatDraft: async () => bridge().newChatDraft(),
  send: async (conversationId, text, model, attachments) =>
    bridge().send(conversationId, text, model, attachments),
  stop: async (conversationId) => bridge().stop(conversationId),
  regenerate: async (conversationId, model) => bridge().regenerate(conversationId, model),
  continueAnswer: async (conversationId, messageId) =>
    bridge().continueAnswer(conversationId, messageId),
  attachFile: async (upload) => bridge().attachFile(upload),
  attachmentData: async (conversationId, id) => bridge().attachmentData(conversationId, id),
  editMessage: async (conversationId, messageId, text, model) =>
    bridge().editMessage(conversationId, messageId, text, model),
  exportConversation: async (id) => bridge().exportConversation(id),
  conversationMarkdown: async (id) => bridge().conversationMarkdown(id),
  searchConversations: async (query, limit) => bridge().searchConversations(query, limit),
  listModels: async (provider, refresh) => bridge().listModels(provider, refresh),
  setDefaultModel: async (provider, model) => bridge().setDefaultModel(provider, model),
  onAuthState: (listener) => bridge().onAuthState(listener),
  onNotice: (listener) => bridge().onNotice(listener),
  onConnectivity: (listener) => bridge().onConnectivity(listener),
  onStreamDelta: (listener) => bridge().onStreamDelta(listener),
  onMessage: (listener) => bridge().onMessage(listener),
  onConversations: (listener) => bridge().onConversations(listener),
  onShowShortcuts: (listener) => bridge().onShowShortcuts(listener),
};

const CODE_PATTERN = /\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/;

/** A whole ErrorView serialized as JSON in the message, should the preload send it that way. */
function parseView(message: string): ErrorView | null {
  if (!message.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(message) as Partial<ErrorView> | null;
    if (typeof parsed?.code !== 'string') return null;
    return {
      code: parsed.code,
      ...(typeof parsed.status === 'number' && { status: parsed.status }),
      ...(typeof parsed.retryAfter === 'number' && { retryAfter: parsed.retryAfter }),
      ...(typeof parsed.providerMessage === 'string' && {
        providerMessage: parsed.providerMessage,
      }),
      ...(typeof parsed.field === 'string' && { field: parsed.field }),
    };
  } catch {
    return null;
  }
}

/**
 * The {@link ErrorView} behind a rejected API call. The preload throws `LatchkeyApiError` with
 * `.view`, but Electron's contextBridge re-creates thrown errors in the page with only their
 * `message` (the code), so the view is recovered from the message when `.view` did not survive.
 */
export function errorViewOf(error: unknown): ErrorView {
  if (typeof error === 'object' && error !== null) {
    const view = (error as { view?: unknown }).view;
    if (typeof view === 'object' && view !== null && typeof (view as ErrorView).code === 'string') {
      return view as ErrorView;
    }
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') {
      const serialized = parseView(message);
      if (serialized) return serialized;
      const code = CODE_PATTERN.exec(message)?.[1];
      if (code) return { code };
    }
  }
  return { code: 'INTERNAL' };
}
