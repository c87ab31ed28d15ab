import type {
  AuthState,
  CallbackRoute,
  ErrorView,
  Notice,
  ProviderId,
  ProviderSettings,
  ProviderState,
  SignedOutReason,
} from '../../preload/api';
import { PROVIDER_IDS } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import type { Preconnect } from '../http/preconnect';
import type { FetchLike } from '../http/request';
import type { Logger } from '../log';
import { AccountInfo, signedInAccount } from './account-info';
import type { Credential, FlowContext, ProviderFlow } from './flow';
import type { ProviderRegistry } from './registry';
import type { Session } from './session';
import { SessionStorage, type CredentialStorePort, type StoragePolicy } from './session-storage';
import { SignInAttempts, type CallbackSource } from './sign-in-attempts';
import { DEFAULT_RETRY_MS, TokenLifecycle } from './token-lifecycle';

export type { CredentialStorePort, StoragePolicy } from './session-storage';
export type { CallbackSource } from './sign-in-attempts';

export interface AuthServiceOptions {
  readonly registry: ProviderRegistry;
  readonly fetch: FetchLike;
  /** Warms the provider's origin when a sign-in begins (see {@link Preconnect}). */
  readonly preconnect?: Preconnect;
  readonly store: CredentialStorePort;
  readonly storagePolicy: StoragePolicy;
  /**
   * Opens the user's own browser (RFC 8252 §8.12: never a BrowserWindow or webview). http is
   * allowed only for a provider configured on a loopback host (tests, the harness).
   */
  readonly openExternal: (url: string, options: { allowLoopbackHttp: boolean }) => Promise<void>;
  /** `app.latchkey` in packaged builds, `app.latchkey.dev` in development. */
  readonly scheme: string;
  /** "Latchkey on <hostname>": how the OpenRouter key is named on the provider's side. */
  readonly keyLabel: string;
  readonly emit: (state: ProviderState) => void;
  readonly notify: (notice: Notice) => void;
  readonly log: Logger;
  readonly now?: () => number;
  readonly pendingTtlMs?: number;
  /** Overrides of the request timeouts (tests of a server that never answers). */
  readonly timeouts?: {
    readonly exchangeMs?: number;
    readonly accountMs?: number;
    readonly refreshMs?: number;
  };
  /**
   * Access tokens are refreshed this long before they end: clock skew between us and the
   * provider plus the time a request takes. Default 2 minutes.
   */
  readonly refreshSkewMs?: number;
  /** First delay before retrying a refresh that failed transiently (doubles up to 10 min). */
  readonly retryDelayMs?: number;
}

/** What the chat needs from a signed-in provider (see ChatService). */
export interface ChatCredentials {
  readonly baseUrl: URL;
  readonly attribution: boolean;
  token(): Promise<string>;
  unauthorized(rejected: string): Promise<string | null>;
}

const TIMEOUTS = { exchangeMs: 20_000, accountMs: 15_000, refreshMs: 20_000 } as const;

/**
 * Sign-in, sessions, token refresh and sign-out for every provider of the registry, in the
 * main process. Holds verifiers, codes, keys and tokens; the renderer only ever receives
 * {@link ProviderState}. Provider differences live in the flows (main/auth/flow.ts); this class
 * composes what is common — sign-in attempts (main/auth/sign-in-attempts.ts), session storage
 * (session-storage.ts), the token lifecycle (token-lifecycle.ts) and account info
 * (account-info.ts) — and owns the sessions and the state it publishes. Data goes one way:
 * callback → exchange → session stored → state event. Electron-free: the browser, the network,
 * storage and the clock are injected.
 */
export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #now: () => number;
  readonly #signIns: SignInAttempts;
  readonly #storage: SessionStorage;
  readonly #lifecycle: TokenLifecycle;
  readonly #accounts: AccountInfo;
  readonly #retryDelayMs: number;
  readonly #sessions = new Map<ProviderId, Session>();
  readonly #reasons = new Map<ProviderId, SignedOutReason | null>();
  readonly #errors = new Map<ProviderId, ErrorView | null>();
  readonly #revisions = new Map<ProviderId, number>();
  #disposed = false;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_MS;
    const { log } = options;
    const now = this.#now;
    const publish = (provider: ProviderId) => this.#publish(provider);
    const fail = (provider: ProviderId, error: unknown) => this.#fail(provider, error);
    this.#storage = new SessionStorage({
      store: options.store,
      storagePolicy: options.storagePolicy,
      notify: options.notify,
      log,
      now,
    });
    this.#signIns = new SignInAttempts({
      registry: options.registry,
      scheme: options.scheme,
      openExternal: options.openExternal,
      preconnect: options.preconnect,
      context: (signal) => this.#context('exchangeMs', signal),
      log,
      now,
      pendingTtlMs: options.pendingTtlMs,
      signedIn: (provider) => this.#sessions.has(provider),
      state: (provider) => this.state(provider),
      fail,
      started: (provider) => {
        this.#clearOutcome(provider);
        this.#publish(provider);
      },
      publish,
      exchanged: (provider, flow, fingerprint, credential) =>
        this.#signedIn(provider, flow, fingerprint, credential),
    });
    this.#lifecycle = new TokenLifecycle({
      storage: this.#storage,
      context: () => this.#context('refreshMs'),
      log,
      now,
      refreshSkewMs: options.refreshSkewMs,
      retryDelayMs: this.#retryDelayMs,
      isCurrent: (provider, session) => this.#sessions.get(provider) === session,
      endSession: (provider, reason) => this.#endSession(provider, reason),
      fail,
      publish,
    });
    this.#accounts = new AccountInfo({
      storage: this.#storage,
      lifecycle: this.#lifecycle,
      context: () => this.#context('accountMs'),
      log,
      session: (provider) => this.#sessions.get(provider),
      setError: (provider, error) => this.#errors.set(provider, error),
      keyRejected: (provider) => this.keyRejected(provider),
      publish,
    });
  }

  /**
   * Loads stored credentials without touching the network, so the app starts signed in even
   * offline; account facts are the last known ones until refreshed. A token session whose
   * refresh token has ended is signed out with an explanation.
   */
  restore(): void {
    for (const provider of PROVIDER_IDS) {
      const entry = this.#o.registry.entry(provider);
      if (!entry.flow) continue;
      const restored = this.#storage.restore(provider, entry.fingerprint);
      if (restored === null) continue;
      // A state read from now on differs from the one before: a new revision (nothing is sent,
      // no page is listening yet).
      this.#bump(provider);
      if (restored === 'ended') {
        this.#reasons.set(provider, 'session-ended');
        continue;
      }
      this.#sessions.set(provider, {
        ...restored,
        flow: entry.flow,
        obtainedAt: 0,
        refreshing: null,
        fingerprint: entry.fingerprint,
        refreshPending: false,
        timer: null,
        retryDelayMs: this.#retryDelayMs,
      });
      this.#o.log.info('auth.restored', { provider });
    }
  }

  /** Refreshes restored sessions in the background: account facts, and tokens that are due. */
  refreshAllInBackground(): void {
    for (const [provider, session] of this.#sessions) {
      if (session.credential.kind === 'tokens') this.#lifecycle.schedule(provider, session, 0);
      else void this.refreshAccount(provider, { background: true });
    }
  }

  states(): ProviderState[] {
    return PROVIDER_IDS.map((provider) => this.state(provider));
  }

  state(provider: ProviderId): ProviderState {
    const entry = this.#o.registry.entry(provider);
    return {
      provider,
      displayName: entry.displayName,
      configured: entry.flow !== null,
      settings: entry.settings,
      settingsSource: entry.source,
      canChat: entry.flow?.canChat ?? false,
      routes: entry.flow?.routes ?? [],
      auth: this.#authState(provider),
      error: this.#errors.get(provider) ?? null,
      revokeUrl: entry.flow?.revokeUrl ?? null,
      revision: this.#revisions.get(provider) ?? 0,
    };
  }

  /** The OpenRouter key (or a provider's current access token) for tests and account calls. */
  credential(provider: ProviderId): string | null {
    const credential = this.#sessions.get(provider)?.credential;
    if (!credential) return null;
    return credential.kind === 'key' ? credential.key : credential.accessToken;
  }

  /**
   * The credential to call the provider's API with now. Access tokens that end within the skew
   * margin are refreshed first (single-flight: concurrent callers share one refresh), and the
   * rotated pair is stored before the new token is handed out.
   * @throws LatchkeyError `CHAT_NOT_SIGNED_IN`, `AUTH_SESSION_ENDED`, or the transient error of a
   *   refresh when the current token has already ended (offline, 5xx, 429).
   */
  accessToken(provider: ProviderId): Promise<string> {
    return this.#lifecycle.accessToken(provider, this.#sessions.get(provider));
  }

  /**
   * The provider answered 401 to `rejected`. A key is gone: signed out (null). An access token
   * is refreshed once (unless someone already did) and the fresh one returned; null when the
   * session is over.
   */
  unauthorized(provider: ProviderId, rejected: string): Promise<string | null> {
    return this.#lifecycle.unauthorized(provider, this.#sessions.get(provider), rejected);
  }

  /** What the chat uses for a provider that can chat and is signed in; null otherwise. */
  chatCredentials(provider: ProviderId): ChatCredentials | null {
    const flow = this.#sessions.get(provider)?.flow;
    if (!flow?.canChat || !flow.chatUrl) return null;
    return {
      baseUrl: flow.chatUrl,
      attribution: provider === 'openrouter',
      token: () => this.accessToken(provider),
      unauthorized: (rejected) => this.unauthorized(provider, rejected),
    };
  }

  /**
   * Saves a provider's settings (validated by its module). Only while signed out and not
   * signing in: a session belongs to the server it was obtained from.
   */
  configure(input: ProviderSettings): ProviderState {
    const { provider } = input;
    if (this.#sessions.has(provider) || this.#signIns.busy(provider)) {
      throw new LatchkeyError('SETTINGS_LOCKED');
    }
    this.#o.registry.configure(input);
    this.#errors.set(provider, null);
    this.#o.log.info('auth.configured', { provider });
    this.#publish(provider);
    return this.state(provider);
  }

  /**
   * Starts a sign-in, or joins the live one when the route is the same (a second click reopens
   * the browser on the same URL: never two verifiers at once), then opens the user's browser.
   */
  signIn(provider: ProviderId, requested: CallbackRoute): Promise<ProviderState> {
    return this.#signIns.signIn(provider, requested);
  }

  /** "Cancel sign-in": discards the pending attempt and its verifier. */
  cancel(provider: ProviderId): ProviderState {
    this.#signIns.cancel(provider);
    this.#errors.set(provider, null);
    this.#publish(provider);
    return this.state(provider);
  }

  /**
   * The one intake for every route back (security.md 4, 6, 7): OS deep links, the loopback
   * listener and the paste form. Invalid, unknown, replayed, expired or foreign callbacks
   * (another provider's path or state: mix-up defence) cause no exchange and no state change;
   * only the paste form is told why (as an error it shows).
   */
  handleCallbackUrl(raw: string, source: CallbackSource): Promise<ProviderState | null> {
    return this.#signIns.handleCallbackUrl(raw, source);
  }

  /** Deletes the stored credential and the in-memory copy. Revocation happens on the provider's page. */
  signOut(provider: ProviderId): ProviderState {
    this.cancel(provider);
    this.#dropSession(provider);
    this.#reasons.set(provider, 'user');
    this.#storage.deleteOnSignOut(provider);
    this.#o.log.info('auth.signed-out', { provider, reason: 'user' });
    this.#publish(provider);
    return this.state(provider);
  }

  /** Stores a session-only credential although the OS offers only weak protection (security.md 15). */
  rememberAnyway(provider: ProviderId): ProviderState {
    const session = this.#sessions.get(provider);
    if (!session || session.persistence !== 'session-only') return this.state(provider);
    try {
      this.#storage.rememberAnyway(provider, session);
    } catch (error) {
      return this.#fail(provider, error);
    }
    this.#publish(provider);
    return this.state(provider);
  }

  dismissError(provider: ProviderId): ProviderState {
    this.#errors.set(provider, null);
    this.#publish(provider);
    return this.state(provider);
  }

  /**
   * OpenRouter: `GET /api/v1/key` (label, usage, limit); 401 signs out with an explanation,
   * other failures keep the last known values marked stale. Token providers: a refresh that is
   * due or was postponed by a transient failure is run now, else the provider is probed (OIDC:
   * discovery; YOO-AI: its authorize endpoint), so every call reaches the network. Single-flight
   * per provider.
   */
  refreshAccount(provider: ProviderId, options: { background?: boolean } = {}): Promise<void> {
    return this.#accounts.refresh(provider, options.background ?? false);
  }

  /** A 401 from any call with the credential (chat included): it is gone, sign out and explain. */
  keyRejected(provider: ProviderId): void {
    this.#endSession(provider, 'revoked');
  }

  dispose(): void {
    this.#disposed = true;
    this.#lifecycle.dispose();
    this.#signIns.dispose();
    for (const session of this.#sessions.values()) this.#lifecycle.stop(session);
  }

  #authState(provider: ProviderId): AuthState {
    const session = this.#sessions.get(provider);
    if (session) {
      const credential = session.credential;
      return {
        status: 'signed-in',
        account: session.account,
        persistence: session.persistence,
        since: session.since,
        session:
          credential.kind === 'tokens'
            ? {
                accessExpiresAt: credential.accessExpiresAt,
                endsAt:
                  credential.refreshToken !== null
                    ? credential.refreshExpiresAt
                    : credential.accessExpiresAt,
                refreshPending: session.refreshPending,
              }
            : null,
      };
    }
    return (
      this.#signIns.authState(provider) ?? {
        status: 'signed-out',
        reason: this.#reasons.get(provider) ?? null,
      }
    );
  }

  /**
   * The code was exchanged: the session is live and shown as signed in at once; it is persisted,
   * its account fetched and its refresh armed right after.
   */
  #signedIn(
    provider: ProviderId,
    flow: ProviderFlow,
    fingerprint: string,
    credential: Credential,
  ): ProviderState {
    if (this.#disposed) return this.state(provider);
    const now = this.#now();
    const session: Session = {
      credential,
      flow,
      obtainedAt: now,
      refreshing: null,
      since: now,
      fingerprint,
      account: signedInAccount(credential, this.#o.keyLabel),
      persistence: this.#storage.initialPersistence(),
      refreshPending: false,
      timer: null,
      retryDelayMs: this.#retryDelayMs,
    };
    this.#sessions.set(provider, session);
    this.#clearOutcome(provider);
    this.#o.log.info('auth.signed-in', { provider, persistence: session.persistence });
    this.#publish(provider);
    setImmediate(() => {
      this.#persist(provider, session);
      if (flow.account) void this.refreshAccount(provider, { background: true });
      if (credential.kind === 'tokens') this.#lifecycle.schedule(provider, session);
    });
    return this.state(provider);
  }

  #persist(provider: ProviderId, session: Session): void {
    if (this.#sessions.get(provider) !== session) return;
    if (!this.#storage.persist(provider, session)) this.#publish(provider);
  }

  /** Ends a session the provider no longer accepts: deleted here and on disk, explained. */
  #endSession(provider: ProviderId, reason: SignedOutReason): void {
    if (!this.#dropSession(provider)) return;
    this.#reasons.set(provider, reason);
    this.#storage.delete(provider);
    this.#o.log.info('auth.signed-out', { provider, reason });
    this.#publish(provider);
  }

  #dropSession(provider: ProviderId): boolean {
    const session = this.#sessions.get(provider);
    if (!session) return false;
    this.#lifecycle.stop(session);
    this.#sessions.delete(provider);
    return true;
  }

  #context(timeout: keyof typeof TIMEOUTS, signal?: AbortSignal): FlowContext {
    return {
      fetch: this.#o.fetch,
      now: this.#now,
      timeoutMs: this.#o.timeouts?.[timeout] ?? TIMEOUTS[timeout],
      ...(signal && { signal }),
    };
  }

  #clearOutcome(provider: ProviderId): void {
    this.#errors.set(provider, null);
    this.#reasons.set(provider, null);
  }

  #fail(provider: ProviderId, error: unknown): ProviderState {
    this.#errors.set(provider, toErrorView(error));
    this.#publish(provider);
    return this.state(provider);
  }

  #publish(provider: ProviderId): void {
    this.#bump(provider);
    if (!this.#disposed) this.#o.emit(this.state(provider));
  }

  #bump(provider: ProviderId): void {
    this.#revisions.set(provider, (this.#revisions.get(provider) ?? 0) + 1);
  }
}
