import type { ErrorView, ProviderId, SignedOutReason } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import type { Logger } from '../log';
import type { TokenCredential } from './flow';
import { refreshEnded, type ContextFactory, type Session } from './session';
import type { SessionStorage } from './session-storage';

const DEFAULT_SKEW_MS = 2 * 60 * 1000;
/** First delay before retrying a refresh that failed transiently, unless configured. */
export const DEFAULT_RETRY_MS = 30 * 1000;
/**
 * The least time between receiving tokens and refreshing them again, so a server that grants
 * lifetimes shorter than the skew margin (or already past) cannot drive a refresh storm.
 */
const MIN_REFRESH_GAP_MS = 10 * 1000;
const MAX_RETRY_MS = 10 * 60 * 1000;
/** setTimeout overflows past 2^31-1 ms (24.8 days): long waits are re-armed in steps. */
const MAX_TIMER_MS = 24 * 60 * 60 * 1000;

/** What the token lifecycle needs from the auth service that owns the sessions and their state. */
export interface TokenLifecycleOptions {
  readonly storage: SessionStorage;
  readonly context: ContextFactory;
  readonly log: Logger;
  readonly now: () => number;
  /** Access tokens are refreshed this long before they end. Default 2 minutes. */
  readonly refreshSkewMs: number | undefined;
  /** First delay before retrying a refresh that failed transiently (doubles up to 10 min). */
  readonly retryDelayMs: number;
  /** Whether `session` is still the provider's live one (not signed out or replaced). */
  readonly isCurrent: (provider: ProviderId, session: Session) => boolean;
  /** Ends a session the provider no longer accepts, with the reason shown. */
  readonly endSession: (provider: ProviderId, reason: SignedOutReason) => void;
  readonly fail: (provider: ProviderId, error: unknown) => void;
  readonly publish: (provider: ProviderId) => void;
}

/**
 * The refresh lifecycle of token sessions (RFC 6749 §6, security.md 12): refreshed ahead of
 * expiry in the background and on demand, single-flight per session, retried with backoff only
 * after failures a retry can cure, and the rotated pair persisted before the new access token
 * is used.
 */
export class TokenLifecycle {
  readonly #o: TokenLifecycleOptions;
  #disposed = false;

  constructor(options: TokenLifecycleOptions) {
    this.#o = options;
  }

  /**
   * The credential to call the provider's API with now. Access tokens that end within the skew
   * margin are refreshed first (single-flight: concurrent callers share one refresh), and the
   * rotated pair is stored before the new token is handed out.
   * @throws LatchkeyError `CHAT_NOT_SIGNED_IN`, `AUTH_SESSION_ENDED`, or the transient error of a
   *   refresh when the current token has already ended (offline, 5xx, 429).
   */
  async accessToken(provider: ProviderId, session: Session | undefined): Promise<string> {
    if (!session) throw new LatchkeyError('CHAT_NOT_SIGNED_IN');
    const credential = session.credential;
    if (credential.kind === 'key') return credential.key;
    if (!this.due(session)) return credential.accessToken;
    try {
      return (await this.refresh(provider, session)).accessToken;
    } catch (error) {
      const ended =
        credential.accessExpiresAt !== null && this.#o.now() >= credential.accessExpiresAt;
      if (this.#o.isCurrent(provider, session) && !ended) return credential.accessToken;
      throw error;
    }
  }

  /**
   * The provider answered 401 to `rejected`. A key is gone: signed out (null). An access token
   * is refreshed once (unless someone already did) and the fresh one returned; null when the
   * session is over.
   */
  async unauthorized(
    provider: ProviderId,
    session: Session | undefined,
    rejected: string,
  ): Promise<string | null> {
    if (!session) return null;
    const credential = session.credential;
    if (credential.kind === 'key' || credential.refreshToken === null) {
      this.#o.endSession(provider, 'revoked');
      return null;
    }
    if (credential.accessToken !== rejected) return credential.accessToken;
    try {
      return (await this.refresh(provider, session)).accessToken;
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'AUTH_SESSION_ENDED') return null;
      throw error;
    }
  }

  /** Single-flight: concurrent callers share one refresh of a provider's tokens. */
  refresh(provider: ProviderId, session: Session): Promise<TokenCredential> {
    if (session.refreshing) return session.refreshing;
    const run = this.#run(provider, session).finally(() => {
      session.refreshing = null;
    });
    session.refreshing = run;
    return run;
  }

  /**
   * Arms the background refresh: `delayMs` from now, or ahead of the access token's end by the
   * skew margin. Long waits are re-armed in steps (setTimeout overflows past 24.8 days).
   */
  schedule(provider: ProviderId, session: Session, delayMs?: number): void {
    this.stop(session);
    const credential = session.credential;
    if (this.#disposed || credential.kind !== 'tokens') return;
    let wait = delayMs;
    if (wait === undefined) {
      const dueAt = this.#dueAt(session);
      if (dueAt === null) return;
      wait = dueAt - this.#o.now();
    }
    wait = Math.max(0, wait);
    const step = Math.min(wait, MAX_TIMER_MS);
    session.timer = setTimeout(() => {
      session.timer = null;
      if (!this.#o.isCurrent(provider, session)) return;
      if (step < wait) {
        this.schedule(provider, session, wait - step);
        return;
      }
      if (!session.refreshPending && !this.due(session)) {
        this.schedule(provider, session);
        return;
      }
      void this.refresh(provider, session).catch(() => undefined);
    }, step);
    session.timer.unref?.();
  }

  /** Disarms the session's background refresh. */
  stop(session: Session): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
  }

  /** Whether the session's access token should be refreshed now. */
  due(session: Session): boolean {
    const dueAt = this.#dueAt(session);
    return dueAt !== null && this.#o.now() >= dueAt;
  }

  /** No timer is armed after this (timers already armed are stopped by the service). */
  dispose(): void {
    this.#disposed = true;
  }

  async #run(provider: ProviderId, session: Session): Promise<TokenCredential> {
    const current = session.credential;
    const flow = session.flow;
    if (current.kind !== 'tokens') throw new LatchkeyError('INTERNAL');
    if (!flow.refresh || current.refreshToken === null || refreshEnded(current, this.#o.now)) {
      this.#o.endSession(provider, 'session-ended');
      throw new LatchkeyError('AUTH_SESSION_ENDED');
    }
    this.#o.log.info('auth.refresh.start', { provider });
    let next: TokenCredential;
    try {
      next = await flow.refresh(current, this.#o.context());
    } catch (error) {
      if (!this.#o.isCurrent(provider, session)) throw error;
      const view = toErrorView(error);
      if (!isTransientRefreshFailure(view)) {
        this.#o.log.info('auth.refresh.rejected', { provider, code: view.code });
        this.#o.endSession(provider, 'session-ended');
        // The specific reason stays on the card ("session ended" alone would hide a 404 path).
        if (view.code !== 'AUTH_SESSION_ENDED') this.#o.fail(provider, error);
        throw error instanceof LatchkeyError && error.code === 'AUTH_SESSION_ENDED'
          ? error
          : new LatchkeyError('AUTH_SESSION_ENDED', {}, { cause: error });
      }
      this.#o.log.warn('auth.refresh.failed', { provider, code: view.code });
      session.refreshPending = true;
      const delay = view.retryAfter !== undefined ? view.retryAfter * 1000 : session.retryDelayMs;
      session.retryDelayMs = Math.min(session.retryDelayMs * 2, MAX_RETRY_MS);
      this.schedule(provider, session, Math.max(delay, 1000));
      this.#o.publish(provider);
      throw error;
    }
    if (!this.#o.isCurrent(provider, session)) {
      // Signed out while the refresh was in flight: the new pair is dropped, never used.
      throw new LatchkeyError('AUTH_SESSION_ENDED');
    }
    // security.md 12: the rotated pair is on disk before anyone uses the new access token, so a
    // restart never replays a refresh token the provider has already rotated away.
    this.#o.storage.saveRotated(provider, session, next);
    session.credential = next;
    session.obtainedAt = this.#o.now();
    session.refreshPending = false;
    session.retryDelayMs = this.#o.retryDelayMs;
    if (next.label !== null) session.account = { ...session.account, label: next.label };
    this.#o.log.info('auth.refresh.done', { provider });
    this.schedule(provider, session);
    this.#o.publish(provider);
    return next;
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
    const margin = Math.min(this.#o.refreshSkewMs ?? DEFAULT_SKEW_MS, Math.max(0, lifetime / 2));
    return Math.max(credential.accessExpiresAt - margin, session.obtainedAt + MIN_REFRESH_GAP_MS);
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
