import {
  LatchkeyApiError,
  type EventChannel,
  type EventContract,
  type InvokeChannel,
  type LatchkeyApi,
  type RequestOf,
  type ResponseOf,
  type Result,
} from './api';

/**
 * How the API reaches main. In Electron it is `ipcRenderer` (preload/index.ts); in the browser
 * harness it is HTTP + server-sent events (harness/bridge.ts). Both carry the same channels.
 */
export interface Transport {
  invoke(channel: InvokeChannel, request: unknown): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void;
}

/** Builds `window.latchkey` over a transport: one named function per contract operation. */
export function createLatchkeyApi(transport: Transport): LatchkeyApi {
  async function invoke<C extends InvokeChannel>(
    channel: C,
    request: RequestOf<C>,
  ): Promise<ResponseOf<C>> {
    const result = await transport.invoke(channel, request);
    if (!result.ok) throw new LatchkeyApiError(result.error);
    return result.value as ResponseOf<C>;
  }
  function on<C extends EventChannel>(
    channel: C,
    listener: (payload: EventContract[C]) => void,
  ): () => void {
    return transport.subscribe(channel, (payload) => listener(payload as EventContract[C]));
  }
  return {
    getAppInfo: () => invoke('app:get-info', undefined),
    getAuthStates: () => invoke('auth:get-states', undefined),
    signIn: (provider, route) => invoke('auth:sign-in', { provider, route }),
    cancelSignIn: (provider) => invoke('auth:cancel', { provider }),
    submitSignInLink: (url) => invoke('auth:submit-link', { url }),
    signOut: (provider) => invoke('auth:sign-out', { provider }),
    rememberAnyway: (provider) => invoke('auth:remember-anyway', { provider }),
    dismissError: (provider) => invoke('auth:dismiss-error', { provider }),
    refreshAccount: (provider) => invoke('account:refresh', { provider }),
    configureProvider: (settings) => invoke('provider:configure', settings),
    setLocale: (locale) => invoke('settings:set-locale', { locale }),
    openExternal: async (url) => {
      await invoke('shell:open-external', { url });
    },
    checkConnectivity: () => invoke('app:check-connectivity', undefined),
    dismissNotice: async (id) => {
      await invoke('app:dismiss-notice', { id });
    },
    listConversations: (limit, after) =>
      invoke(
        'chat:list',
        limit === undefined ? undefined : after === undefined ? { limit } : { limit, after },
      ),
    openConversation: (id) => invoke('chat:open', { id }),
    createConversation: (provider, model, settings) =>
      invoke('chat:create', { provider, model, ...(settings && { settings }) }),
    setConversationSettings: (id, settings) => invoke('chat:set-settings', { id, settings }),
    setConversationModel: (id, model) => invoke('chat:set-model', { id, model }),
    getDefaultConversationSettings: () => invoke('chat:get-default-settings', undefined),
    setDefaultConversationSettings: (settings) => invoke('chat:set-default-settings', { settings }),
    renameConversation: (id, title) => invoke('chat:rename', { id, title }),
    deleteConversation: (id) => invoke('chat:delete', { id }),
    newChatDraft: () => invoke('chat:new-draft', undefined),
    setDraft: async (id, draft) => {
      await invoke('chat:set-draft', { id, draft });
    },
    send: (conversationId, text, model, attachments) =>
      invoke('chat:send', {
        conversationId,
        text,
        model,
        ...(attachments?.length ? { attachments } : {}),
      }),
    stop: async (conversationId) => {
      await invoke('chat:stop', { conversationId });
    },
    regenerate: (conversationId, model) => invoke('chat:regenerate', { conversationId, model }),
    continueAnswer: (conversationId, messageId) =>
      invoke('chat:continue', { conversationId, messageId }),
    attachFile: (upload) => invoke('chat:attach', upload),
    attachmentData: (conversationId, id) => invoke('chat:attachment', { conversationId, id }),
    editMessage: (conversationId, messageId, text, model) =>
      invoke('chat:edit', { conversationId, messageId, text, model }),
    exportConversation: (id) => invoke('chat:export', { id }),
    conversationMarkdown: (id) => invoke('chat:markdown', { id }),
    searchConversations: (query, limit) => invoke('search:query', { query, limit }),
    listModels: (provider, refresh) => invoke('models:list', { provider, refresh }),
    setDefaultModel: (provider, model) => invoke('models:set-default', { provider, model }),
    onAuthState: (listener) => on('auth:state', listener),
    onNotice: (listener) => on('app:notice', listener),
    onConnectivity: (listener) => on('app:connectivity', listener),
    onStreamDelta: (listener) => on('chat:delta', listener),
    onMessage: (listener) => on('chat:message', listener),
    onConversations: (listener) => on('chat:conversations', listener),
    onShowShortcuts: (listener) => on('app:show-shortcuts', () => listener()),
  };
}
