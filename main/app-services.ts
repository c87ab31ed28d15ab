import {
  DEFAULT_CONVERSATION_SETTINGS,
  type AppInfo,
  type EventChannel,
  type EventContract,
  type Locale,
} from '../preload/api';
import { AuthService, type StoragePolicy } from './auth/auth-service';
import type { Config } from './config';
import { resolveLocale } from './config';
import type { EncryptionPort } from './credentials/encryption';
import { isWeakBackend } from './credentials/encryption';
import { CredentialStore, type CredentialStoreOptions } from './credentials/credential-store';
import { SettingsStore } from './credentials/settings-store';
import { DeepLinkIntake } from './deep-link/intake';
import type { SchemeRegistration } from './deep-link/scheme-registration';
import { fetchPreconnect, type Preconnect } from './http/preconnect';
import type { FetchLike } from './http/request';
import { createHandlers } from './ipc/handlers';
import { ChatService } from './chat/chat-service';
import type { SaveFile } from './chat/save-file';
import { ConversationStore } from './chat/conversation-store';
import { ModelsCache } from './chat/models-cache';
import { SearchService } from './search/search-service';
import { AttachmentStore } from './chat/attachment-store';
import { checkConversationSettings } from './chat/conversation-settings';
import { ConnectivityTracker } from './connectivity';
import type { Handlers } from './ipc/dispatch';
import type { Logger } from './log';
import { checkExternalUrl } from './shell';
import { ProviderRegistry } from './auth/registry';
import { conversationStoreOf, damagedFileNotice, NoticeBoard } from './notices';

/** Sends an event to the renderer (Electron: webContents.send; harness: server-sent events). */
export type EventSink = <C extends EventChannel>(channel: C, payload: EventContract[C]) => void;

/** Everything the composition root hands to the Electron-free services. */
export interface AppServicesOptions {
  readonly config: Config;
  readonly dataDir: string;
  readonly fetch: FetchLike;
  /**
   * Warms a provider's origin when a sign-in begins (Electron: `session.preconnect`). Default: an
   * `OPTIONS` of the origin through `fetch` (Node's fetch loads its client on the first request).
   */
  readonly preconnect?: Preconnect;
  readonly encryption: EncryptionPort;
  readonly createContainer?: CredentialStoreOptions['createContainer'];
  /** The OS "open in browser" (Electron: shell.openExternal; harness: recorded). */
  readonly openExternal: (url: string) => Promise<void>;
  /** Asks where to save a file and writes it (Electron: save dialog); absent in the harness. */
  readonly saveFile?: SaveFile;
  readonly scheme: string;
  readonly hostname: string;
  readonly version: string;
  readonly systemLanguages: readonly string[];
  /** Whether the OS hands our scheme's links to the app (see `scheme-registration.ts`). */
  readonly deepLinks: SchemeRegistration;
  /** The intake the OS adapters already deliver to (created before `ready` in Electron). */
  readonly intake?: DeepLinkIntake;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly now?: () => number;
}

/** The app's services, wired once, with one `dispose`. */
export interface AppServices {
  readonly auth: AuthService;
  readonly chat: ChatService;
  readonly handlers: Handlers;
  readonly intake: DeepLinkIntake;
  /** Loads stored state (no network), reports a corrupt store, starts background refreshes. */
  start(): void;
  /** Attaches the callback handler to the intake, replaying URLs queued until now. */
  acceptDeepLinks(): void;
  /**
   * Emits every provider's state, the connectivity and the notices not dismissed as they are now,
   * for a page that has just
   * loaded: events are not sent while it loads, so a change after it asked for them would be
   * lost. Revisions and `seq` let the page drop whatever it already has newer.
   */
  replayStates(): void;
  dispose(): void;
}

function storagePolicy(encryption: EncryptionPort): StoragePolicy {
  if (!encryption.isAvailable()) return 'unavailable';
  return isWeakBackend(encryption.backend) ? 'weak' : 'secure';
}

/**
 * The composition of Electron-free services shared by the Electron app (main/index.ts) and the
 * browser harness (harness/server.ts): only the adapters passed in differ.
 */
export function createAppServices(options: AppServicesOptions): AppServices {
  const { config, log } = options;
  // Kept until dismissed: most are raised before any page is connected (see NoticeBoard).
  const notices = new NoticeBoard({ emit: (notice) => options.emit('app:notice', notice) });
  const credentials = CredentialStore.open({
    dir: options.dataDir,
    encryption: options.encryption,
    ...(options.createContainer && { createContainer: options.createContainer }),
  });
  const settings = SettingsStore.open({ dir: options.dataDir });
  const conversations = ConversationStore.open({
    dir: options.dataDir,
    // A conversation file found damaged when it is opened (after startup).
    onProblem: (report) => {
      log.warn('store.corrupt-moved', { store: 'conversation', path: report.movedTo });
      notices.raise(damagedFileNotice('conversation', report));
      // It left the list: the page's copy must follow (after the store has finished with it).
      queueMicrotask(() => options.emit('chat:conversations', chat.list()));
    },
  });
  // Loaded on the first search, never at startup; told about every change that reaches the disk.
  const search = new SearchService({
    dir: options.dataDir,
    source: conversations.store,
    log,
    onProblem: (report) => notices.raise(damagedFileNotice('search-index', report)),
    ...(options.now && { now: options.now }),
  });
  const stopObserving = conversations.store.observe((change) => search.changed(change));
  const modelsCache = ModelsCache.open({ dir: options.dataDir });
  const attachments = AttachmentStore.open({ dir: options.dataDir });
  const connectivity = new ConnectivityTracker({
    onChange: (state) => options.emit('app:connectivity', state),
  });
  const fetchFn = connectivity.wrap(options.fetch);
  const policy = storagePolicy(options.encryption);
  let locale: Locale = resolveLocale(
    config.locale,
    settings.store.get('locale'),
    options.systemLanguages,
  );

  const keyLabel = `Latchkey on ${options.hostname}`;
  const registry = new ProviderRegistry({
    config,
    scheme: options.scheme,
    keyLabel,
    settings: {
      read: () => settings.store.get('providers') ?? {},
      write: (next) => settings.store.set('providers', next),
    },
  });

  const auth = new AuthService({
    registry,
    fetch: fetchFn,
    preconnect: options.preconnect ?? fetchPreconnect(options.fetch),
    store: credentials.store,
    storagePolicy: policy,
    // Authorization URLs come from provider definitions (security.md 3): https only, except a
    // provider configured on a loopback host (tests, the harness).
    openExternal: (url, { allowLoopbackHttp }) =>
      options.openExternal(checkExternalUrl(url, { allowLoopbackHttp })),
    scheme: options.scheme,
    keyLabel,
    emit: (state) => options.emit('auth:state', state),
    notify: (notice) => notices.raise(notice),
    log,
    ...(options.now && { now: options.now }),
  });

  const chat = new ChatService({
    target: (provider) => auth.chatCredentials(provider),
    fetch: fetchFn,
    store: conversations.store,
    models: modelsCache.cache,
    attachments,
    emit: options.emit,
    notify: (notice) => notices.raise(notice),
    log,
    ...(options.now && { now: options.now }),
  });

  /**
   * Probes the providers the user is signed in to, each with a request that really goes out
   * (OpenRouter: the key's info; token providers: the refresh if due, else a cheap probe, see
   * AuthService.refreshAccount); the OpenRouter model list otherwise. Every answer or
   * unreachable failure is an observation of the tracker, so the result carries a new `seq`.
   */
  const checkConnectivity = async () => {
    const signedIn = auth.states().filter((s) => s.auth.status === 'signed-in');
    if (signedIn.length > 0) {
      await Promise.all(signedIn.map((s) => auth.refreshAccount(s.provider)));
    } else {
      await chat.listModels('openrouter', true).catch(() => undefined);
    }
    return connectivity.state;
  };

  const intake =
    options.intake ??
    new DeepLinkIntake({
      onError: (error) => log.warn('deep-link.handler-failed', { name: (error as Error).name }),
    });
  const appInfo = (): AppInfo => ({
    version: options.version,
    locale,
    deepLinksUnavailable: options.deepLinks.available ? null : options.deepLinks.reason,
    weakEncryption: policy !== 'secure',
    notices: notices.list(),
    connectivity: connectivity.state,
  });

  const handlers = createHandlers({
    auth,
    chat,
    checkConnectivity,
    appInfo,
    setLocale: (next) => {
      locale = next;
      try {
        settings.store.set('locale', next);
      } catch (error) {
        log.warn('settings.write-failed', { name: (error as Error).name });
      }
      return locale;
    },
    openExternal: (url) => options.openExternal(checkExternalUrl(url)),
    saveFile: options.saveFile ?? null,
    dismissNotice: (id) => notices.dismiss(id),
    search,
    conversationDefaults: {
      get: () => settings.store.get('conversationDefaults') ?? DEFAULT_CONVERSATION_SETTINGS,
      set: (next) => {
        const checked = checkConversationSettings(next);
        settings.store.set('conversationDefaults', checked);
        return checked;
      },
    },
  });

  let detach: (() => void) | null = null;
  return {
    auth,
    chat,
    handlers,
    intake,
    start() {
      auth.restore();
      const problems = [
        ...(credentials.corrupt
          ? [{ store: 'credentials' as const, report: credentials.corrupt }]
          : []),
        ...(settings.corrupt ? [{ store: 'settings' as const, report: settings.corrupt }] : []),
        ...conversations.problems.map((report) => ({ store: conversationStoreOf(report), report })),
        ...modelsCache.problems.map((report) => ({ store: 'models-cache' as const, report })),
      ];
      for (const { store, report } of problems) {
        log.warn('store.corrupt-moved', { store, path: report.movedTo });
        notices.raise(damagedFileNotice(store, report));
      }
      auth.refreshAllInBackground();
      // The search index is not warmed up here: it loads when the search opens (search-service).
    },
    replayStates() {
      for (const state of auth.states()) options.emit('auth:state', state);
      options.emit('app:connectivity', connectivity.state);
      notices.replay();
    },
    acceptDeepLinks() {
      detach ??= intake.attach((url) => {
        void auth.handleCallbackUrl(url, 'os').catch((error: unknown) => {
          log.warn('deep-link.failed', { name: (error as Error).name });
        });
      });
    },
    dispose() {
      detach?.();
      stopObserving();
      search.dispose();
      chat.dispose();
      // The conversation list is written a second after a change; on quit, now.
      try {
        conversations.store.flush();
      } catch {
        // Repaired at the next start from the conversations' logs.
      }
      auth.dispose();
    },
  };
}
