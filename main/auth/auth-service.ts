import { z } from 'zod';
import type {
  AccountView,
  AuthState,
  CallbackRoute,
  ErrorView,
  Notice,
  Persistence,
  ProviderId,
  ProviderState,
  SignedOutReason,
} from '../../preload/api';
import { PROVIDER_IDS } from '../../preload/api';
import { parseDeepLink, type DeepLink } from '../deep-link/parse';
import { LatchkeyError, toErrorView } from '../errors';
import { send, type FetchLike } from '../http/request';
import type { Logger } from '../log';
import { openLoopbackListener, type LoopbackListener } from './loopback';
import {
  OPENROUTER,
  buildAuthorizationUrl,
  buildKeyExchangeRequest,
  buildKeyInfoRequest,
  processKeyExchangeResponse,
  processKeyInfoResponse,
} from './openrouter';
import { PendingSignIns, type PendingSignIn } from './pending';

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

/** Where a callback URL came from; only the paste form reports failures to the user. */
export type CallbackSource = 'os' | 'paste' | 'loopback';

export interface AuthServiceOptions {
  readonly openrouterUrl: URL;
  readonly fetch: FetchLike;
  readonly store: CredentialStorePort;
  readonly storagePolicy: StoragePolicy;
  /** Opens the user's own browser (RFC 8252 §8.12: never a BrowserWindow or webview). */
  readonly openExternal: (url: string) => Promise<void>;
  /** `app.latchkey` in packaged builds, `app.latchkey.dev` in development. */
  readonly scheme: string;
  /** "Latchkey on <hostname>": how the key is named on the provider's side. */
  readonly keyLabel: string;
  readonly emit: (state: ProviderState) => void;
  readonly notify: (notice: Notice) => void;
  readonly log: Logger;
  readonly now?: () => number;
  readonly pendingTtlMs?: number;
  /** Overrides of the request timeouts (tests of a server that never answers). */
  readonly timeouts?: { readonly exchangeMs?: number; readonly accountMs?: number };
}

interface Session {
  readonly key: string;
  readonly since: number;
  account: AccountView;
  persistence: Persistence;
}

interface Attempt {
  readonly pending: PendingSignIn;
  readonly authorizationUrl: string;
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

const EMPTY_ACCOUNT: AccountView = {
  label: null,
  usage: null,
  limit: null,
  limitRemaining: null,
  isFreeTier: null,
  fetchedAt: null,
  stale: true,
};

/**
 * Sign-in, session and sign-out for OpenRouter, in the main process. Holds the verifier, the
 * code and the key; the renderer only ever receives {@link ProviderState}. Electron-free: the
 * browser, the network, storage and the clock are injected.
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
  readonly #refreshing = new Map<ProviderId, Promise<void>>();
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
   * offline; the account facts are the last known ones until {@link refreshAccount} succeeds.
   */
  restore(): void {
    for (const provider of PROVIDER_IDS) {
      const stored = this.#o.store.load(provider);
      if (!stored) continue;
      const account = storedAccountSchema.safeParse(stored.meta['account']);
      this.#sessions.set(provider, {
        key: stored.secret,
        since: stored.savedAt,
        account: account.success ? { ...account.data, stale: true } : EMPTY_ACCOUNT,
        persistence: stored.weak ? 'stored-weak' : 'stored',
      });
      this.#o.log.info('auth.restored', { provider });
    }
  }

  /** Refreshes the account of every restored session in the background. */
  refreshAllInBackground(): void {
    for (const provider of this.#sessions.keys()) {
      void this.refreshAccount(provider, { background: true });
    }
  }

  states(): ProviderState[] {
    return PROVIDER_IDS.map((provider) => this.state(provider));
  }

  state(provider: ProviderId): ProviderState {
    return {
      provider,
      auth: this.#authState(provider),
      error: this.#errors.get(provider) ?? null,
      revokeUrl: OPENROUTER.revokeUrl,
      revision: this.#revisions.get(provider) ?? 0,
    };
  }

  /** The key for API calls (chat). Stays in main; never part of any state. */
  credential(provider: ProviderId): string | null {
    return this.#sessions.get(provider)?.key ?? null;
  }

  /**
   * Starts a sign-in, or joins the live one when the route is the same (a second click reopens
   * the browser on the same URL: never two verifiers at once), then opens the user's browser.
   */
  async signIn(provider: ProviderId, route: CallbackRoute): Promise<ProviderState> {
    if (this.#sessions.has(provider)) return this.state(provider);
    if (this.#exchanging.has(provider)) throw new LatchkeyError('AUTH_EXCHANGE_IN_PROGRESS');
    const { pending, joined, replaced } = this.#pending.begin(provider, route);
    let attempt = this.#attempts.get(provider);
    if (!joined || !attempt) {
      if (replaced || attempt) this.#endAttempt(provider);
      try {
        attempt = await this.#createAttempt(pending);
      } catch (error) {
        this.#pending.cancel(provider);
        return this.#fail(provider, error);
      }
      this.#attempts.set(provider, attempt);
    }
    this.#errors.set(provider, null);
    this.#reasons.set(provider, null);
    this.#publish(provider);
    this.#o.log.info('auth.sign-in.open-browser', { provider, route, joined });
    try {
      await this.#o.openExternal(attempt.authorizationUrl);
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
    this.#errors.set(provider, null);
    this.#publish(provider);
    return this.state(provider);
  }

  /**
   * The one intake for every route back (security.md 4, 6, 7): OS deep links, the loopback
   * listener and the paste form. Invalid, unknown, replayed or expired callbacks cause no
   * exchange and no state change; only the paste form is told why (as an error it shows).
   */
  async handleCallbackUrl(raw: string, source: CallbackSource): Promise<ProviderState | null> {
    const link = this.#parse(raw);
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
    this.#endAttempt(provider);
    return this.#complete(taken.pending, link, source);
  }

  /** Deletes the stored key and the in-memory copy. Revocation happens on the provider's page. */
  signOut(provider: ProviderId): ProviderState {
    this.cancel(provider);
    this.#sessions.delete(provider);
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

  /** Stores a session-only key although the OS offers only weak protection (security.md 15). */
  rememberAnyway(provider: ProviderId): ProviderState {
    const session = this.#sessions.get(provider);
    if (!session || session.persistence !== 'session-only') return this.state(provider);
    if (this.#o.storagePolicy === 'unavailable') {
      return this.#fail(provider, new LatchkeyError('STORE_WRITE_FAILED'));
    }
    try {
      this.#o.store.save(provider, session.key, this.#meta(session), { allowWeak: true });
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
   * `GET /api/v1/key`: label, usage and limit. Single-flight per provider. 401 signs out with
   * an explanation; other failures keep the last known values marked stale (offline).
   */
  refreshAccount(provider: ProviderId, options: { background?: boolean } = {}): Promise<void> {
    const running = this.#refreshing.get(provider);
    if (running) return running;
    const run = this.#refreshAccount(provider, options.background ?? false).finally(() => {
      this.#refreshing.delete(provider);
    });
    this.#refreshing.set(provider, run);
    return run;
  }

  /** A 401 from any call with the key (chat included): the key is gone, sign out and explain. */
  keyRejected(provider: ProviderId): void {
    if (!this.#sessions.delete(provider)) return;
    this.#reasons.set(provider, 'revoked');
    try {
      this.#o.store.delete(provider);
    } catch (error) {
      this.#o.log.warn('auth.revoked.delete-failed', { provider, code: toErrorView(error).code });
    }
    this.#o.log.info('auth.signed-out', { provider, reason: 'revoked' });
    this.#publish(provider);
  }

  dispose(): void {
    this.#disposed = true;
    for (const provider of PROVIDER_IDS) this.#endAttempt(provider);
  }

  #authState(provider: ProviderId): AuthState {
    const session = this.#sessions.get(provider);
    if (session) {
      return {
        status: 'signed-in',
        account: session.account,
        persistence: session.persistence,
        since: session.since,
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

  async #createAttempt(pending: PendingSignIn): Promise<Attempt> {
    const path = `/oauth/${pending.provider}/${pending.nonce}`;
    let loopback: LoopbackListener | null = null;
    if (pending.route === 'loopback') {
      try {
        loopback = await openLoopbackListener({
          path,
          timeoutMs: pending.expiresAt - this.#now(),
          onCallback: (url) => this.#acceptLoopback(url),
        });
      } catch (error) {
        throw new LatchkeyError('AUTH_LOOPBACK_FAILED', {}, { cause: error });
      }
    }
    const callbackUrl = loopback ? loopback.redirectUri : `${this.#o.scheme}:/${path}`;
    const authorizationUrl = buildAuthorizationUrl(this.#o.openrouterUrl, {
      callbackUrl,
      codeChallenge: pending.challenge,
      keyLabel: this.#o.keyLabel,
    }).href;
    const timer = setTimeout(() => this.#expire(pending), pending.expiresAt - this.#now());
    timer.unref?.();
    return { pending, authorizationUrl, loopback, timer };
  }

  /** The listener already matched the exact path (and so the nonce); the attempt must be live. */
  #acceptLoopback(url: string): boolean {
    const link = this.#parse(url);
    if (link.kind === 'unknown' || !this.#pending.peek(link.provider)) return false;
    void this.handleCallbackUrl(url, 'loopback').catch(() => undefined);
    return true;
  }

  /** Loopback URLs parse only while a listener is open, on its port. */
  #parse(raw: string): DeepLink {
    const loopbackPort = [...this.#attempts.values()].find((a) => a.loopback)?.loopback?.port;
    return parseDeepLink(raw, { scheme: this.#o.scheme, loopbackPort });
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
    pending: PendingSignIn,
    link: Exclude<DeepLink, { kind: 'unknown' }>,
    source: CallbackSource,
  ): Promise<ProviderState> {
    const { provider } = pending;
    if (link.kind === 'oauth-error') {
      this.#o.log.info('auth.callback.error', { provider, source });
      const code = link.error === 'access_denied' ? 'AUTH_DENIED' : 'AUTH_PROVIDER_ERROR';
      const providerMessage = (link.description ?? link.error).slice(0, 300);
      return this.#fail(provider, new LatchkeyError(code, { providerMessage }));
    }
    this.#exchanging.set(provider, { route: pending.route, expiresAt: pending.expiresAt });
    this.#publish(provider);
    this.#o.log.info('auth.exchange.start', { provider, source });
    let key: string;
    try {
      const request = buildKeyExchangeRequest(this.#o.openrouterUrl, {
        code: link.code,
        codeVerifier: pending.verifier,
      });
      const response = await send(this.#o.fetch, request, {
        timeoutMs: this.#o.timeouts?.exchangeMs ?? OPENROUTER.exchangeTimeoutMs,
        maxBytes: OPENROUTER.maxResponseBytes,
      });
      key = processKeyExchangeResponse(response).key;
    } catch (error) {
      this.#exchanging.delete(provider);
      this.#o.log.warn('auth.exchange.failed', { provider, code: toErrorView(error).code });
      return this.#fail(provider, error);
    }
    this.#exchanging.delete(provider);
    if (this.#disposed) return this.state(provider);
    const session: Session = {
      key,
      since: this.#now(),
      account: { ...EMPTY_ACCOUNT, label: this.#o.keyLabel },
      persistence: this.#o.storagePolicy === 'secure' ? 'stored' : 'session-only',
    };
    this.#sessions.set(provider, session);
    this.#errors.set(provider, null);
    this.#reasons.set(provider, null);
    this.#o.log.info('auth.signed-in', { provider, persistence: session.persistence });
    this.#publish(provider);
    setImmediate(() => {
      this.#persist(provider, session);
      void this.refreshAccount(provider, { background: true });
    });
    return this.state(provider);
  }

  #persist(provider: ProviderId, session: Session): void {
    if (session.persistence !== 'stored' || this.#sessions.get(provider) !== session) return;
    try {
      this.#o.store.save(provider, session.key, this.#meta(session));
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
    try {
      const response = await send(
        this.#o.fetch,
        buildKeyInfoRequest(this.#o.openrouterUrl, session.key),
        {
          timeoutMs: this.#o.timeouts?.accountMs ?? OPENROUTER.accountTimeoutMs,
          maxBytes: OPENROUTER.maxResponseBytes,
        },
      );
      const account = processKeyInfoResponse(response, this.#now());
      if (this.#sessions.get(provider) !== session) return;
      session.account = account;
      if (!background) this.#errors.set(provider, null);
      if (session.persistence !== 'session-only') {
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

  #meta(session: Session): Record<string, unknown> {
    const { label, usage, limit, limitRemaining, isFreeTier, fetchedAt } = session.account;
    return { account: { label, usage, limit, limitRemaining, isFreeTier, fetchedAt } };
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
