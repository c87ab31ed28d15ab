import { z } from 'zod';
import type {
  AccountView,
  AuthState,
  CallbackRoute,
  ErrorView,
  Notice,
  Persistence,
  ProviderId,
  ProviderSettings,
  ProviderState,
  SignedOutReason,
} from '../../preload/api';
import { PROVIDER_IDS } from '../../preload/api';
import { parseDeepLink, type DeepLink } from '../deep-link/parse';
import { assertNever, LatchkeyError, toErrorView } from '../errors';
import type { FetchLike } from '../http/request';
import type { Logger } from '../log';
import type { Credential, FlowContext, ProviderFlow, TokenCredential } from './flow';
import { openLoopbackListener, type LoopbackListener } from './loopback';
import { PendingSignIns, type PendingSignIn } from './pending';
import type { ProviderRegistry } from './registry';

/** The slice of the credential store the auth service needs (main/credentials). */
export interface CredentialStorePort {
  load(
    provider: string,
  ): { secret: string; savedAt: number; meta: Record<string, unknown>; weak: boolean } | null;
  save(
    provider: string,
    secret: string,
    meta?: Record<string, unknown>,
    options?: { allowWeak?: boolean },
  ): void;
  updateMeta(provider: string, meta: Record<string, unknown>): void;
  delete(provider: string): void;
}

/**
 * What the OS keyring offers: `secure` persists silently; `weak` (Linux `basic_text`/`unknown`)
 * keeps the key for the session unless the user explicitly chooses otherwise; `unavailable`
 * never persists (security.md 15).
 */
export type StoragePolicy = 'secure' | 'weak' | 'unavailable';

/** How a new session is kept under `policy`: only `secure` writes without asking. */
function initialPersistence(policy: StoragePolicy): Persistence {
  switch (policy) {
    case 'secure':
      return 'stored';
    case 'weak':
      return 'session-only';
    case 'unavailable':
      return 'memory-only';
    default:
      return assertNever(policy);
  }
}

/** True when the session's credential is on disk (so rotations and metadata are written too). */
function isStored(persistence: Persistence): boolean {
  return persistence === 'stored' || persistence === 'stored-weak';
}

/** Where a callback URL came from; only the paste form reports failures to the user. */
export type CallbackSource = 'os' | 'paste' | 'loopback';

export interface AuthServiceOptions {
  readonly registry: ProviderRegistry;
  readonly fetch: FetchLike;
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

interface Session {
  credential: Credential;
  /**
   * The flow the session was obtained with: refresh, account and chat use it, never a flow built
   * later from other settings (a refresh token only ever goes back to the server that issued it).
   */
  readonly flow: ProviderFlow;
  /** When the current credential was received (0 when restored: unknown). */
  obtainedAt: number;
  /** The refresh in flight for this session (single-flight), if any. */
  refreshing: Promise<TokenCredential> | null;
  readonly since: number;
  readonly fingerprint: string;
  account: AccountView;
  persistence: Persistence;
  /** A refresh failed for a transient reason and is scheduled again. */
  refreshPending: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  retryDelayMs: number;
}

interface Attempt {
  readonly pending: PendingSignIn;
  readonly authorizationUrl: string;
  readonly redirectUri: string;
  readonly context: unknown;
  readonly loopback: LoopbackListener | null;
  readonly timer: ReturnType<typeof setTimeout>;
}

const storedAccountSchema = z.object({
  label: z.string().nullable(),
  usage: z.number().nullable(),
  limit: z.number().nullable(),
  limitRemaining: z.number().nullable(),
  isFreeTier: z.boolean().nullable(),
  fetchedAt: z.number().nullable(),
});

/** Tokens as stored: the whole pair and its lifetimes, encrypted together as one secret. */
const storedTokensSchema = z.object({
  v: z.literal(1),
  kind: z.literal('tokens'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  accessExpiresAt: z.number().nullable(),
  refreshExpiresAt: z.number().nullable(),
  label: z.string().nullable(),
  extra: z.record(z.string(), z.string()),
});

const EMPTY_ACCOUNT: AccountView = {
  label: null,
  usage: null,
  limit: null,
  limitRemaining: null,
  isFreeTier: null,
  fetchedAt: null,
  stale: true,
};

const DEFAULT_SKEW_MS = 2 * 60 * 1000;
const DEFAULT_RETRY_MS = 30 * 1000;
/**
 * The least time between receiving tokens and refreshing them again, so a server that grants
 * lifetimes shorter than the skew margin (or already past) cannot drive a refresh storm.
 */
const MIN_REFRESH_GAP_MS = 10 * 1000;
const MAX_RETRY_MS = 10 * 60 * 1000;
/** setTimeout overflows past 2^31-1 ms (24.8 days): long waits are re-armed in steps. */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;
const TIMEOUTS = { exchangeMs: 20_000, accountMs: 15_000, refreshMs: 20_000 } as const;

/**
 * Sign-in, sessions, token refresh and sign-out for every provider of the registry, in the
 * main process. Holds verifiers, codes, keys and tokens; the renderer only ever receives
 * {@link ProviderState}. Provider differences live in the flows (main/auth/flow.ts); this class
 * owns what is common: one pending sign-in per provider, the routes back, exchange, storage, and
 * the refresh lifecycle (ahead of expiry, single-flight, persisted before use). Electron-free:
 * the browser, the network, storage and the clock are injected.
 */
export class AuthService {
  readonly #o: AuthServiceOptions;
  readonly #now: () => number;
  readonly #pending: PendingSignIns;
  readonly #attempts = new Map<ProviderId, Attempt>();
  readonly #exchanging = new Map<ProviderId, { route: CallbackRoute; expiresAt: number }>();
  readonly #sessions = new Map<ProviderId, Session>();
  readonly #reasons = new Map<ProviderId, SignedOutReason | null>();
  readonly #errors = new Map<ProviderId, ErrorView | null>();
  readonly #accountRefreshes = new Map<ProviderId, Promise<void>>();
  /** Attempts whose preparation (OIDC discovery, loopback listener) is still running. */
  readonly #creating = new Map<ProviderId, { pending: PendingSignIn; run: Promise<Attempt> }>();
  /** Aborts the code exchange in flight: cancel and sign-out win over a late response. */
  readonly #exchangeAborts = new Map<ProviderId, AbortController>();
  readonly #revisions = new Map<ProviderId, number>();
  #disposed = false;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#pending = new PendingSignIns({
      now: this.#now,
      ...(options.pendingTtlMs !== undefined && { ttlMs: options.pendingTtlMs }),
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
      const stored = this.#o.store.load(provider);
      if (!stored) continue;
      const fingerprint = stored.meta['fingerprint'];
      if (fingerprint !== undefined && fingerprint !== entry.fingerprint) {
        // Signed in to another server, app or chat endpoint than the one configured now: those
        // tokens must not go to the new one, and nothing in the UI could sign them out: deleted.
        this.#o.log.info('auth.restore.other-server', { provider });
        this.#deleteStored(provider);
        continue;
      }
      const credential = decodeCredential(stored.secret);
      if (!credential) {
        this.#o.log.warn('auth.restore.unreadable', { provider });
        this.#deleteStored(provider);
        continue;
      }
      const account = storedAccountSchema.safeParse(stored.meta['account']);
      const since =
        typeof stored.meta['since'] === 'number' ? stored.meta['since'] : stored.savedAt;
      const session: Session = {
        credential,
        flow: entry.flow,
        obtainedAt: 0,
        refreshing: null,
        since,
        fingerprint: entry.fingerprint,
        account: account.success
          ? { ...account.data, stale: true }
          : { ...EMPTY_ACCOUNT, label: credential.kind === 'tokens' ? credential.label : null },
        persistence: stored.weak ? 'stored-weak' : 'stored',
        refreshPending: false,
        timer: null,
        retryDelayMs: this.#o.retryDelayMs ?? DEFAULT_RETRY_MS,
      };
      if (credential.kind === 'tokens' && this.#refreshEnded(credential)) {
        this.#o.log.info('auth.restore.session-ended', { provider });
        this.#deleteStored(provider);
        this.#reasons.set(provider, 'session-ended');
        continue;
      }
      this.#sessions.set(provider, session);
      this.#o.log.info('auth.restored', { provider });
    }
  }

  /** Refreshes restored sessions in the background: account facts, and tokens that are due. */
  refreshAllInBackground(): void {
    for (const [provider, session] of this.#sessions) {
      if (session.credential.kind === 'tokens') this.#schedule(provider, session, 0);
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
  async accessToken(provider: ProviderId): Promise<string> {
    const session = this.#sessions.get(provider);
    if (!session) throw new LatchkeyError('CHAT_NOT_SIGNED_IN');
    const credential = session.credential;
    if (credential.kind === 'key') return credential.key;
    if (!this.#due(session)) return credential.accessToken;
    try {
      return (await this.#refreshTokens(provider, session)).accessToken;
    } catch (error) {
      const ended =
        credential.accessExpiresAt !== null && this.#now() >= credential.accessExpiresAt;
      if (this.#sessions.get(provider) === session && !ended) return credential.accessToken;
      throw error;
    }
  }

  /**
   * The provider answered 401 to `rejected`. A key is gone: signed out (null). An access token
   * is refreshed once (unless someone already did) and the fresh one returned; null when the
   * session is over.
   */
  async unauthorized(provider: ProviderId, rejected: string): Promise<string | null> {
    const session = this.#sessions.get(provider);
    if (!session) return null;
    const credential = session.credential;
    if (credential.kind === 'key' || credential.refreshToken === null) {
      this.keyRejected(provider);
      return null;
    }
    if (credential.accessToken !== rejected) return credential.accessToken;
    try {
      return (await this.#refreshTokens(provider, session)).accessToken;
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'AUTH_SESSION_ENDED') return null;
      throw error;
    }
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
    if (
      this.#sessions.has(provider) ||
      this.#attempts.has(provider) ||
      this.#creating.has(provider) ||
      this.#exchanging.has(provider) ||
      this.#pending.peek(provider)
    ) {
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
  async signIn(provider: ProviderId, requested: CallbackRoute): Promise<ProviderState> {
    if (this.#sessions.has(provider)) return this.state(provider);
    if (this.#exchanging.has(provider)) throw new LatchkeyError('AUTH_EXCHANGE_IN_PROGRESS');
    const entry = this.#o.registry.entry(provider);
    const flow = entry.flow;
    if (!flow) return this.#fail(provider, new LatchkeyError('AUTH_NOT_CONFIGURED'));
    const route = flow.routes.includes(requested) ? requested : (flow.routes[0] ?? 'deep-link');
    const { pending, joined, replaced } = this.#pending.begin(provider, route);
    let attempt = this.#attempts.get(provider);
    const creating = this.#creating.get(provider);
    if (joined && !attempt && creating?.pending === pending) {
      // A second click while the first is still preparing: join it, never a second listener.
      try {
        attempt = await creating.run;
      } catch {
        return this.state(provider); // The first click reports the failure.
      }
      if (this.#attempts.get(provider) !== attempt) return this.state(provider);
    } else if (!joined || !attempt) {
      if (replaced || attempt) this.#endAttempt(provider);
      const run = this.#createAttempt(pending, flow);
      this.#creating.set(provider, { pending, run });
      try {
        attempt = await run;
      } catch (error) {
        if (this.#pending.peek(provider) === pending) this.#pending.cancel(provider);
        return this.#fail(provider, error);
      } finally {
        if (this.#creating.get(provider)?.run === run) this.#creating.delete(provider);
      }
      if (this.#pending.peek(provider) !== pending) {
        // Cancelled or replaced while discovery was running.
        clearTimeout(attempt.timer);
        void attempt.loopback?.close();
        return this.state(provider);
      }
      this.#attempts.set(provider, attempt);
    }
    this.#errors.set(provider, null);
    this.#reasons.set(provider, null);
    this.#publish(provider);
    this.#o.log.info('auth.sign-in.open-browser', { provider, route, joined });
    try {
      await this.#o.openExternal(attempt.authorizationUrl, {
        allowLoopbackHttp: entry.allowLoopbackHttp,
      });
    } catch (error) {
      this.#endAttempt(provider);
      this.#pending.cancel(provider);
      return this.#fail(
        provider,
        new LatchkeyError('AUTH_BROWSER_OPEN_FAILED', {}, { cause: error }),
      );
    }
    return this.state(provider);
  }

  /** "Cancel sign-in": discards the pending attempt and its verifier. */
  cancel(provider: ProviderId): ProviderState {
    this.#endAttempt(provider);
    this.#pending.cancel(provider);
    const exchange = this.#exchangeAborts.get(provider);
    if (exchange) {
      this.#exchangeAborts.delete(provider);
      this.#exchanging.delete(provider);
      exchange.abort();
    }
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
  async handleCallbackUrl(raw: string, source: CallbackSource): Promise<ProviderState | null> {
    const link = this.#parse(source === 'paste' ? this.#fromBridge(raw) : raw);
    if (link.kind === 'unknown') {
      this.#o.log.warn('auth.callback.ignored', { source, reason: link.reason });
      if (source === 'paste') throw new LatchkeyError('AUTH_CALLBACK_INVALID');
      return null;
    }
    const { provider } = link;
    const taken = this.#pending.take(provider, link.nonce);
    if (!taken.ok) {
      this.#o.log.warn('auth.callback.ignored', { source, provider, reason: taken.reason });
      if (taken.reason === 'expired') {
        this.#endAttempt(provider);
        this.#fail(provider, new LatchkeyError('AUTH_SIGN_IN_EXPIRED'));
      }
      if (source !== 'paste') return null;
      throw new LatchkeyError(
        taken.reason === 'expired' ? 'AUTH_SIGN_IN_EXPIRED' : 'AUTH_CALLBACK_UNKNOWN',
      );
    }
    const attempt = this.#attempts.get(provider);
    this.#endAttempt(provider);
    if (attempt?.pending !== taken.pending) {
      if (source === 'paste') throw new LatchkeyError('AUTH_CALLBACK_UNKNOWN');
      return null;
    }
    return this.#complete(attempt, link, source);
  }

  /** Deletes the stored credential and the in-memory copy. Revocation happens on the provider's page. */
  signOut(provider: ProviderId): ProviderState {
    this.cancel(provider);
    this.#dropSession(provider);
    this.#reasons.set(provider, 'user');
    try {
      this.#o.store.delete(provider);
    } catch (error) {
      this.#o.log.warn('auth.sign-out.delete-failed', { provider, code: toErrorView(error).code });
      this.#o.notify({ code: 'STORE_WRITE_FAILED' });
    }
    this.#o.log.info('auth.signed-out', { provider, reason: 'user' });
    this.#publish(provider);
    return this.state(provider);
  }

  /** Stores a session-only credential although the OS offers only weak protection (security.md 15). */
  rememberAnyway(provider: ProviderId): ProviderState {
    const session = this.#sessions.get(provider);
    if (!session || session.persistence !== 'session-only') return this.state(provider);
    if (this.#o.storagePolicy === 'unavailable') {
      return this.#fail(provider, new LatchkeyError('STORE_WRITE_FAILED'));
    }
    try {
      this.#o.store.save(provider, encodeCredential(session.credential), this.#meta(session), {
        allowWeak: true,
      });
      session.persistence = 'stored-weak';
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
   * due or was postponed by a transient failure is run now. Single-flight per provider.
   */
  refreshAccount(provider: ProviderId, options: { background?: boolean } = {}): Promise<void> {
    const running = this.#accountRefreshes.get(provider);
    if (running) return running;
    const run = this.#refreshAccount(provider, options.background ?? false).finally(() => {
      this.#accountRefreshes.delete(provider);
    });
    this.#accountRefreshes.set(provider, run);
    return run;
  }

  /** A 401 from any call with the credential (chat included): it is gone, sign out and explain. */
  keyRejected(provider: ProviderId): void {
    this.#endSession(provider, 'revoked');
  }

  dispose(): void {
    this.#disposed = true;
    for (const provider of PROVIDER_IDS) {
      this.#endAttempt(provider);
      const session = this.#sessions.get(provider);
      if (session?.timer) clearTimeout(session.timer);
    }
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
    const exchanging = this.#exchanging.get(provider);
    if (exchanging) return { status: 'signing-in', ...exchanging, exchanging: true };
    const pending = this.#pending.peek(provider);
    if (pending) {
      return {
        status: 'signing-in',
        route: pending.route,
        expiresAt: pending.expiresAt,
        exchanging: false,
      };
    }
    return { status: 'signed-out', reason: this.#reasons.get(provider) ?? null };
  }

  async #createAttempt(pending: PendingSignIn, flow: ProviderFlow): Promise<Attempt> {
    const path =
      flow.binding === 'path'
        ? `/oauth/${pending.provider}/${pending.nonce}`
        : `/oauth/${pending.provider}`;
    let loopback: LoopbackListener | null = null;
    if (pending.route === 'loopback') {
      try {
        loopback = await openLoopbackListener({
          path,
          timeoutMs: pending.expiresAt - this.#now(),
          onCallback: (url) => this.#acceptLoopback(url, loopback?.port),
        });
      } catch (error) {
        throw new LatchkeyError('AUTH_LOOPBACK_FAILED', {}, { cause: error });
      }
    }
    const redirectUri = loopback
      ? loopback.redirectUri
      : (flow.registeredRedirectUri ?? `${this.#o.scheme}:/${path}`);
    let prepared;
    try {
      prepared = await flow.prepare(
        { redirectUri, state: pending.nonce, codeChallenge: pending.challenge },
        this.#context('exchangeMs'),
      );
    } catch (error) {
      void loopback?.close();
      throw error;
    }
    const timer = setTimeout(() => this.#expire(pending), pending.expiresAt - this.#now());
    timer.unref?.();
    return {
      pending,
      authorizationUrl: prepared.url.href,
      redirectUri,
      context: prepared.context,
      loopback,
      timer,
    };
  }

  /**
   * The listener already matched the exact path; the callback must carry the live attempt's
   * nonce or state, so a forged request cannot close the listener before the real one arrives
   * (security.md 8: closed after the first VALID callback).
   */
  #acceptLoopback(url: string, port: number | undefined): boolean {
    const link = parseDeepLink(url, { scheme: this.#o.scheme, loopbackPort: port });
    if (link.kind === 'unknown' || !this.#pending.matches(link.provider, link.nonce)) return false;
    void this.handleCallbackUrl(url, 'loopback').catch(() => undefined);
    return true;
  }

  /** Loopback URLs parse only while a listener is open, on its port. */
  #parse(raw: string): DeepLink {
    let link = parseDeepLink(raw, { scheme: this.#o.scheme });
    if (link.kind !== 'unknown' || link.reason !== 'wrong-scheme') return link;
    for (const attempt of this.#attempts.values()) {
      if (!attempt.loopback) continue;
      link = parseDeepLink(raw, { scheme: this.#o.scheme, loopbackPort: attempt.loopback.port });
      if (link.kind !== 'unknown' || link.reason !== 'wrong-port') return link;
    }
    return link;
  }

  /**
   * YOO-AI redirects only to registered domains, so its redirect URI may be an https bridge
   * page that forwards to our scheme. A pasted link to that page is read as if forwarded:
   * only when it is exactly the configured redirect URI plus a query.
   */
  #fromBridge(raw: string): string {
    for (const provider of PROVIDER_IDS) {
      const bridge = this.#o.registry.entry(provider).flow?.registeredRedirectUri;
      if (bridge && raw.startsWith(`${bridge}?`)) {
        return `${this.#o.scheme}://oauth/${provider}${raw.slice(bridge.length)}`;
      }
    }
    return raw;
  }

  #expire(pending: PendingSignIn): void {
    if (this.#attempts.get(pending.provider)?.pending !== pending) return;
    this.#endAttempt(pending.provider);
    this.#pending.cancel(pending.provider);
    this.#fail(pending.provider, new LatchkeyError('AUTH_SIGN_IN_EXPIRED'));
  }

  #endAttempt(provider: ProviderId): void {
    const attempt = this.#attempts.get(provider);
    if (!attempt) return;
    this.#attempts.delete(provider);
    clearTimeout(attempt.timer);
    void attempt.loopback?.close();
  }

  async #complete(
    attempt: Attempt,
    link: Exclude<DeepLink, { kind: 'unknown' }>,
    source: CallbackSource,
  ): Promise<ProviderState> {
    const { pending } = attempt;
    const { provider } = pending;
    if (link.kind === 'oauth-error') {
      this.#o.log.info('auth.callback.error', { provider, source });
      const code = link.error === 'access_denied' ? 'AUTH_DENIED' : 'AUTH_PROVIDER_ERROR';
      const providerMessage = (link.description ?? link.error).slice(0, 300);
      return this.#fail(provider, new LatchkeyError(code, { providerMessage }));
    }
    const entry = this.#o.registry.entry(provider);
    const flow = entry.flow;
    if (!flow) return this.#fail(provider, new LatchkeyError('AUTH_NOT_CONFIGURED'));
    if (
      link.iss !== null &&
      entry.expectedIssuer !== null &&
      !sameIssuer(link.iss, entry.expectedIssuer)
    ) {
      // RFC 9207: the response came from another authorization server (mix-up): no exchange.
      this.#o.log.warn('auth.callback.issuer-mismatch', { provider, source });
      return this.#fail(provider, new LatchkeyError('AUTH_ISSUER_MISMATCH'));
    }
    this.#exchanging.set(provider, { route: pending.route, expiresAt: pending.expiresAt });
    const abort = new AbortController();
    this.#exchangeAborts.set(provider, abort);
    this.#publish(provider);
    this.#o.log.info('auth.exchange.start', { provider, source });
    let credential: Credential;
    try {
      credential = await flow.exchange(
        {
          code: link.code,
          verifier: pending.verifier,
          redirectUri: attempt.redirectUri,
          state: pending.nonce,
          iss: link.iss,
          context: attempt.context,
        },
        this.#context('exchangeMs', abort.signal),
      );
    } catch (error) {
      if (abort.signal.aborted) return this.state(provider);
      this.#exchangeAborts.delete(provider);
      this.#exchanging.delete(provider);
      this.#o.log.warn('auth.exchange.failed', { provider, code: toErrorView(error).code });
      return this.#fail(provider, error);
    }
    if (abort.signal.aborted) {
      // Cancelled or signed out while the exchange ran: the credential is dropped, never stored.
      this.#o.log.info('auth.exchange.discarded', { provider });
      return this.state(provider);
    }
    this.#exchangeAborts.delete(provider);
    this.#exchanging.delete(provider);
    if (this.#disposed) return this.state(provider);
    const now = this.#now();
    const session: Session = {
      credential,
      flow,
      obtainedAt: now,
      refreshing: null,
      since: now,
      fingerprint: entry.fingerprint,
      account: {
        ...EMPTY_ACCOUNT,
        label: credential.kind === 'key' ? this.#o.keyLabel : credential.label,
        stale: credential.kind === 'key',
      },
      persistence: initialPersistence(this.#o.storagePolicy),
      refreshPending: false,
      timer: null,
      retryDelayMs: this.#o.retryDelayMs ?? DEFAULT_RETRY_MS,
    };
    this.#sessions.set(provider, session);
    this.#errors.set(provider, null);
    this.#reasons.set(provider, null);
    this.#o.log.info('auth.signed-in', { provider, persistence: session.persistence });
    this.#publish(provider);
    setImmediate(() => {
      this.#persist(provider, session);
      if (flow.account) void this.refreshAccount(provider, { background: true });
      if (credential.kind === 'tokens') this.#schedule(provider, session);
    });
    return this.state(provider);
  }

  #persist(provider: ProviderId, session: Session): void {
    if (session.persistence !== 'stored' || this.#sessions.get(provider) !== session) return;
    try {
      this.#o.store.save(provider, encodeCredential(session.credential), this.#meta(session));
    } catch (error) {
      this.#o.log.warn('auth.persist.failed', { provider, code: toErrorView(error).code });
      session.persistence = 'session-only';
      this.#o.notify({ code: 'STORE_WRITE_FAILED' });
      this.#publish(provider);
    }
  }

  async #refreshAccount(provider: ProviderId, background: boolean): Promise<void> {
    const session = this.#sessions.get(provider);
    if (!session) return;
    const flow = session.flow;
    if (session.credential.kind === 'tokens') {
      if (!session.refreshPending && !this.#due(session)) {
        this.#publish(provider);
        return;
      }
      try {
        await this.#refreshTokens(provider, session);
        if (!background) this.#errors.set(provider, null);
      } catch (error) {
        if (this.#sessions.get(provider) === session && !background) {
          this.#errors.set(provider, toErrorView(error));
        }
      }
      this.#publish(provider);
      return;
    }
    if (!flow.account) return;
    try {
      const account = await flow.account(session.credential, this.#context('accountMs'));
      if (this.#sessions.get(provider) !== session) return;
      session.account = account;
      if (!background) this.#errors.set(provider, null);
      if (isStored(session.persistence)) {
        try {
          this.#o.store.updateMeta(provider, this.#meta(session));
        } catch (error) {
          this.#o.log.warn('auth.account.meta-failed', { code: toErrorView(error).code });
        }
      }
    } catch (error) {
      if (this.#sessions.get(provider) !== session) return;
      if (error instanceof LatchkeyError && error.code === 'AUTH_KEY_REVOKED') {
        this.keyRejected(provider);
        return;
      }
      this.#o.log.warn('auth.account.failed', { provider, code: toErrorView(error).code });
      session.account = { ...session.account, stale: true };
      if (!background) this.#errors.set(provider, toErrorView(error));
    }
    this.#publish(provider);
  }

  /** Single-flight: concurrent callers share one refresh of a provider's tokens. */
  #refreshTokens(provider: ProviderId, session: Session): Promise<TokenCredential> {
    if (session.refreshing) return session.refreshing;
    const run = this.#runRefresh(provider, session).finally(() => {
      session.refreshing = null;
    });
    session.refreshing = run;
    return run;
  }

  async #runRefresh(provider: ProviderId, session: Session): Promise<TokenCredential> {
    const current = session.credential;
    const flow = session.flow;
    if (current.kind !== 'tokens') throw new LatchkeyError('INTERNAL');
    if (!flow.refresh || current.refreshToken === null || this.#refreshEnded(current)) {
      this.#endSession(provider, 'session-ended');
      throw new LatchkeyError('AUTH_SESSION_ENDED');
    }
    this.#o.log.info('auth.refresh.start', { provider });
    let next: TokenCredential;
    try {
      next = await flow.refresh(current, this.#context('refreshMs'));
    } catch (error) {
      if (this.#sessions.get(provider) !== session) throw error;
      const view = toErrorView(error);
      if (!isTransientRefreshFailure(view)) {
        this.#o.log.info('auth.refresh.rejected', { provider, code: view.code });
        this.#endSession(provider, 'session-ended');
        // The specific reason stays on the card ("session ended" alone would hide a 404 path).
        if (view.code !== 'AUTH_SESSION_ENDED') this.#fail(provider, error);
        throw error instanceof LatchkeyError && error.code === 'AUTH_SESSION_ENDED'
          ? error
          : new LatchkeyError('AUTH_SESSION_ENDED', {}, { cause: error });
      }
      this.#o.log.warn('auth.refresh.failed', { provider, code: view.code });
      session.refreshPending = true;
      const delay = view.retryAfter !== undefined ? view.retryAfter * 1000 : session.retryDelayMs;
      session.retryDelayMs = Math.min(session.retryDelayMs * 2, MAX_RETRY_MS);
      this.#schedule(provider, session, Math.max(delay, 1000));
      this.#publish(provider);
      throw error;
    }
    if (this.#sessions.get(provider) !== session) {
      // Signed out while the refresh was in flight: the new pair is dropped, never used.
      throw new LatchkeyError('AUTH_SESSION_ENDED');
    }
    // security.md 12: the rotated pair is on disk before anyone uses the new access token, so a
    // restart never replays a refresh token the provider has already rotated away.
    if (isStored(session.persistence)) {
      try {
        this.#o.store.save(
          provider,
          encodeCredential(next),
          this.#meta({ ...session, credential: next }),
          {
            allowWeak: session.persistence === 'stored-weak',
          },
        );
      } catch (error) {
        this.#o.log.warn('auth.refresh.persist-failed', {
          provider,
          code: toErrorView(error).code,
        });
        // The stored pair is rotated away now: remove it so a restart asks to sign in.
        this.#deleteStored(provider);
        session.persistence = 'session-only';
        this.#o.notify({ code: 'STORE_WRITE_FAILED' });
      }
    }
    session.credential = next;
    session.obtainedAt = this.#now();
    session.refreshPending = false;
    session.retryDelayMs = this.#o.retryDelayMs ?? DEFAULT_RETRY_MS;
    if (next.label !== null) session.account = { ...session.account, label: next.label };
    this.#o.log.info('auth.refresh.done', { provider });
    this.#schedule(provider, session);
    this.#publish(provider);
    return next;
  }

  /**
   * Arms the background refresh: `delayMs` from now, or ahead of the access token's end by the
   * skew margin. Long waits are re-armed in steps (setTimeout overflows past 24.8 days).
   */
  #schedule(provider: ProviderId, session: Session, delayMs?: number): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
    const credential = session.credential;
    if (this.#disposed || credential.kind !== 'tokens') return;
    let wait = delayMs;
    if (wait === undefined) {
      const dueAt = this.#dueAt(session);
      if (dueAt === null) return;
      wait = dueAt - this.#now();
    }
    wait = Math.max(0, wait);
    const step = Math.min(wait, MAX_TIMER_MS);
    session.timer = setTimeout(() => {
      session.timer = null;
      if (this.#sessions.get(provider) !== session) return;
      if (step < wait) {
        this.#schedule(provider, session, wait - step);
        return;
      }
      if (!session.refreshPending && !this.#due(session)) {
        this.#schedule(provider, session);
        return;
      }
      void this.#refreshTokens(provider, session).catch(() => undefined);
    }, step);
    session.timer.unref?.();
  }

  /**
   * When the session's access token should be refreshed: the skew margin before it ends, or half
   * its lifetime when that is shorter (a 60 s token is not due at once), and never sooner than
   * {@link MIN_REFRESH_GAP_MS} after it was received. Null: it does not end.
   */
  #dueAt(session: Session): number | null {
    const credential = session.credential;
    if (credential.kind !== 'tokens' || credential.accessExpiresAt === null) return null;
    const lifetime = credential.accessExpiresAt - session.obtainedAt;
    const margin = Math.min(this.#skew(), Math.max(0, lifetime / 2));
    return Math.max(credential.accessExpiresAt - margin, session.obtainedAt + MIN_REFRESH_GAP_MS);
  }

  #due(session: Session): boolean {
    const dueAt = this.#dueAt(session);
    return dueAt !== null && this.#now() >= dueAt;
  }

  #refreshEnded(credential: TokenCredential): boolean {
    if (credential.refreshToken === null) {
      return credential.accessExpiresAt !== null && this.#now() >= credential.accessExpiresAt;
    }
    return credential.refreshExpiresAt !== null && this.#now() >= credential.refreshExpiresAt;
  }

  #skew(): number {
    return this.#o.refreshSkewMs ?? DEFAULT_SKEW_MS;
  }

  /** Ends a session the provider no longer accepts: deleted here and on disk, explained. */
  #endSession(provider: ProviderId, reason: SignedOutReason): void {
    if (!this.#dropSession(provider)) return;
    this.#reasons.set(provider, reason);
    this.#deleteStored(provider);
    this.#o.log.info('auth.signed-out', { provider, reason });
    this.#publish(provider);
  }

  #dropSession(provider: ProviderId): boolean {
    const session = this.#sessions.get(provider);
    if (!session) return false;
    if (session.timer) clearTimeout(session.timer);
    this.#sessions.delete(provider);
    return true;
  }

  #deleteStored(provider: ProviderId): void {
    try {
      this.#o.store.delete(provider);
    } catch (error) {
      this.#o.log.warn('auth.delete-failed', { provider, code: toErrorView(error).code });
    }
  }

  #context(timeout: keyof typeof TIMEOUTS, signal?: AbortSignal): FlowContext {
    return {
      fetch: this.#o.fetch,
      now: this.#now,
      timeoutMs: this.#o.timeouts?.[timeout] ?? TIMEOUTS[timeout],
      ...(signal && { signal }),
    };
  }

  #meta(
    session: Pick<Session, 'account' | 'since' | 'fingerprint' | 'credential'>,
  ): Record<string, unknown> {
    const { label, usage, limit, limitRemaining, isFreeTier, fetchedAt } = session.account;
    return {
      account: { label, usage, limit, limitRemaining, isFreeTier, fetchedAt },
      since: session.since,
      fingerprint: session.fingerprint,
    };
  }

  #fail(provider: ProviderId, error: unknown): ProviderState {
    this.#errors.set(provider, toErrorView(error));
    this.#publish(provider);
    return this.state(provider);
  }

  #publish(provider: ProviderId): void {
    this.#revisions.set(provider, (this.#revisions.get(provider) ?? 0) + 1);
    if (!this.#disposed) this.#o.emit(this.state(provider));
  }
}

/**
 * Whether a failed refresh is worth retrying with the same refresh token: no answer (offline,
 * timeout, a failing proxy or a certificate not trusted: fixed on this side, not the provider's
 * verdict), the server's trouble (5xx, 408, 429, a discovery document it cannot serve now), or a
 * 2xx/3xx that is not a token response (a proxy's or captive portal's page). Any other answer —
 * an OAuth error, another 4xx, a refresh ID token from another issuer or for someone else — will
 * not change on retry: the session ends instead of looking alive forever.
 */
function isTransientRefreshFailure(view: ErrorView): boolean {
  const transientStatus = (status: number | undefined) =>
    status !== undefined && (status < 400 || status === 408 || status === 429 || status >= 500);
  switch (view.code) {
    case 'HTTP_SERVER_ERROR':
    case 'HTTP_RATE_LIMITED':
      return true;
    case 'NETWORK_OFFLINE':
    case 'NETWORK_PROXY':
    case 'NETWORK_CERTIFICATE':
    case 'HTTP_TIMEOUT':
    case 'HTTP_BAD_RESPONSE':
    case 'HTTP_RESPONSE_TOO_LARGE':
    case 'AUTH_DISCOVERY_FAILED':
      return view.status === undefined || transientStatus(view.status);
    case 'HTTP_CLIENT_ERROR':
    case 'AUTH_PROVIDER_ERROR':
      return transientStatus(view.status);
    default:
      return false;
  }
}

function sameIssuer(a: string, b: string): boolean {
  const trim = (value: string) => (value.endsWith('/') ? value.slice(0, -1) : value);
  return trim(a) === trim(b);
}

/** Keys are stored as they are (as before tokens existed); tokens as one JSON document. */
function encodeCredential(credential: Credential): string {
  if (credential.kind === 'key') return credential.key;
  return JSON.stringify({ v: 1, ...credential });
}

function decodeCredential(secret: string): Credential | null {
  if (!secret.startsWith('{')) return secret.length > 0 ? { kind: 'key', key: secret } : null;
  try {
    const parsed = storedTokensSchema.safeParse(JSON.parse(secret));
    if (!parsed.success) return null;
    const { v: _version, ...credential } = parsed.data;
    return credential;
  } catch {
    return null;
  }
}
