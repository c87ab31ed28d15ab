import type { AuthState, CallbackRoute, ProviderId, ProviderState } from '../../preload/api';
import { PROVIDER_IDS } from '../../preload/api';
import { parseDeepLink, type DeepLink } from '../deep-link/parse';
import { LatchkeyError, toErrorView } from '../errors';
import type { Preconnect } from '../http/preconnect';
import type { Logger } from '../log';
import type { Credential, ProviderFlow } from './flow';
import { openLoopbackListener, type LoopbackListener } from './loopback';
import { PendingSignIns, type PendingSignIn } from './pending';
import type { ProviderRegistry } from './registry';
import type { ContextFactory } from './session';

/** Where a callback URL came from; only the paste form reports failures to the user. */
export type CallbackSource = 'os' | 'paste' | 'loopback';

/** What sign-in attempts need from the auth service that owns sessions and their state. */
export interface SignInAttemptsOptions {
  readonly registry: ProviderRegistry;
  /** `app.latchkey` in packaged builds, `app.latchkey.dev` in development. */
  readonly scheme: string;
  /** Opens the user's own browser (RFC 8252 §8.12: never a BrowserWindow or webview). */
  readonly openExternal: (url: string, options: { allowLoopbackHttp: boolean }) => Promise<void>;
  readonly context: ContextFactory;
  /**
   * Warms the way to the endpoint the code will be exchanged at (not the authorization page's:
   * an OIDC token endpoint may be on another host) when an attempt begins, so the exchange after
   * the deep link finds the HTTP client loaded and a connection open (the browser step takes
   * seconds).
   */
  readonly preconnect?: Preconnect | undefined;
  readonly log: Logger;
  readonly now: () => number;
  readonly pendingTtlMs: number | undefined;
  readonly signedIn: (provider: ProviderId) => boolean;
  readonly state: (provider: ProviderId) => ProviderState;
  readonly fail: (provider: ProviderId, error: unknown) => ProviderState;
  /**
   * An attempt began (the state is now `signing-in`) or the browser is about to open on a live
   * one: clear the last outcome and publish.
   */
  readonly started: (provider: ProviderId) => void;
  readonly publish: (provider: ProviderId) => void;
  /** The code was exchanged: the service keeps the credential as a session and publishes. */
  readonly exchanged: (
    provider: ProviderId,
    flow: ProviderFlow,
    fingerprint: string,
    credential: Credential,
  ) => ProviderState;
}

interface Attempt {
  readonly pending: PendingSignIn;
  readonly authorizationUrl: string;
  /** Where the code will be exchanged (`PreparedAuthorization.exchangeUrl`). */
  readonly exchangeUrl: URL;
  readonly redirectUri: string;
  readonly context: unknown;
  readonly loopback: LoopbackListener | null;
}

/**
 * Sign-in attempts up to the credential (RFC 6749 §4.1, RFC 7636, RFC 8252): one pending
 * sign-in per provider, the authorization URL opened in the user's browser, the three routes
 * back (custom-scheme deep link, loopback listener, paste), callback validation and the code
 * exchange. Cancel and sign-out abort an exchange in flight; its late result is dropped.
 */
export class SignInAttempts {
  readonly #o: SignInAttemptsOptions;
  readonly #pending: PendingSignIns;
  readonly #attempts = new Map<ProviderId, Attempt>();
  readonly #exchanging = new Map<ProviderId, { route: CallbackRoute; expiresAt: number }>();
  /** Attempts whose preparation (OIDC discovery, loopback listener) is still running. */
  readonly #creating = new Map<ProviderId, { pending: PendingSignIn; run: Promise<Attempt> }>();
  /** Aborts the code exchange in flight: cancel and sign-out win over a late response. */
  readonly #exchangeAborts = new Map<ProviderId, AbortController>();
  /** Ends each pending sign-in when it expires, from the moment it begins. */
  readonly #expiry = new Map<ProviderId, ReturnType<typeof setTimeout>>();

  constructor(options: SignInAttemptsOptions) {
    this.#o = options;
    this.#pending = new PendingSignIns({
      now: options.now,
      ...(options.pendingTtlMs !== undefined && { ttlMs: options.pendingTtlMs }),
    });
  }

  /** Whether a sign-in is pending, preparing or exchanging its code (settings are locked). */
  busy(provider: ProviderId): boolean {
    return (
      this.#attempts.has(provider) ||
      this.#creating.has(provider) ||
      this.#exchanging.has(provider) ||
      this.#pending.current(provider) !== null
    );
  }

  /**
   * The `signing-in` state of a provider, or null when no sign-in is live. Never changes by the
   * clock alone: an attempt past its expiry shows until its timer ends it and publishes.
   */
  authState(provider: ProviderId): AuthState | null {
    const exchanging = this.#exchanging.get(provider);
    if (exchanging) return { status: 'signing-in', ...exchanging, exchanging: true };
    const pending = this.#pending.current(provider);
    if (pending) {
      return {
        status: 'signing-in',
        route: pending.route,
        expiresAt: pending.expiresAt,
        exchanging: false,
      };
    }
    return null;
  }

  /**
   * Starts a sign-in, or joins the live one when the route is the same (a second click reopens
   * the browser on the same URL: never two verifiers at once), then opens the user's browser.
   */
  async signIn(provider: ProviderId, requested: CallbackRoute): Promise<ProviderState> {
    if (this.#o.signedIn(provider)) return this.#o.state(provider);
    if (this.#exchanging.has(provider)) throw new LatchkeyError('AUTH_EXCHANGE_IN_PROGRESS');
    const entry = this.#o.registry.entry(provider);
    const flow = entry.flow;
    if (!flow) return this.#o.fail(provider, new LatchkeyError('AUTH_NOT_CONFIGURED'));
    const route = flow.routes.includes(requested) ? requested : (flow.routes[0] ?? 'deep-link');
    const { pending, joined, replaced } = this.#pending.begin(provider, route);
    if (!joined) {
      // The state is `signing-in` from here: published now, not after the preparation (OIDC
      // discovery, the loopback listener), so no read in between shows it under an old revision.
      this.#armExpiry(pending);
      this.#o.started(provider);
    }
    let attempt = this.#attempts.get(provider);
    const creating = this.#creating.get(provider);
    if (joined && !attempt && creating?.pending === pending) {
      // A second click while the first is still preparing: join it, never a second listener.
      try {
        attempt = await creating.run;
      } catch {
        return this.#o.state(provider); // The first click reports the failure.
      }
      if (this.#attempts.get(provider) !== attempt) return this.#o.state(provider);
    } else if (!joined || !attempt) {
      if (replaced || attempt) this.#endAttempt(provider);
      const run = this.#createAttempt(pending, flow);
      this.#creating.set(provider, { pending, run });
      try {
        attempt = await run;
      } catch (error) {
        if (this.#pending.current(provider) === pending) this.#dropPending(provider);
        return this.#o.fail(provider, error);
      } finally {
        if (this.#creating.get(provider)?.run === run) this.#creating.delete(provider);
      }
      if (this.#pending.current(provider) !== pending) {
        // Cancelled, replaced or expired while discovery was running.
        void attempt.loopback?.close();
        return this.#o.state(provider);
      }
      this.#attempts.set(provider, attempt);
      this.#o.preconnect?.(attempt.exchangeUrl);
      // The callback's parser runs first on the path to the exchange; its first call (URL
      // parsing, its expressions) costs ~1 ms more than the next. A callback-shaped URL without a
      // code compiles it now and is discarded: nothing is taken, stored or logged.
      this.#parse(attempt.redirectUri);
    }
    if (joined) this.#o.started(provider);
    this.#o.log.info('auth.sign-in.open-browser', { provider, route, joined });
    try {
      await this.#o.openExternal(attempt.authorizationUrl, {
        allowLoopbackHttp: entry.allowLoopbackHttp,
      });
    } catch (error) {
      this.#endAttempt(provider);
      this.#dropPending(provider);
      return this.#o.fail(
        provider,
        new LatchkeyError('AUTH_BROWSER_OPEN_FAILED', {}, { cause: error }),
      );
    }
    return this.#o.state(provider);
  }

  /** Discards the pending attempt and its verifier, and aborts a code exchange in flight. */
  cancel(provider: ProviderId): void {
    this.#endAttempt(provider);
    this.#dropPending(provider);
    const exchange = this.#exchangeAborts.get(provider);
    if (exchange) {
      this.#exchangeAborts.delete(provider);
      this.#exchanging.delete(provider);
      exchange.abort();
    }
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
    if (taken.ok || taken.reason === 'expired') this.#disarmExpiry(provider);
    if (!taken.ok) {
      this.#o.log.warn('auth.callback.ignored', { source, provider, reason: taken.reason });
      if (taken.reason === 'expired') {
        this.#endAttempt(provider);
        this.#o.fail(provider, new LatchkeyError('AUTH_SIGN_IN_EXPIRED'));
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

  /** Closes every attempt's listener and timer. */
  dispose(): void {
    for (const provider of PROVIDER_IDS) {
      this.#endAttempt(provider);
      this.#disarmExpiry(provider);
    }
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
          timeoutMs: pending.expiresAt - this.#o.now(),
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
        this.#o.context(),
      );
    } catch (error) {
      void loopback?.close();
      throw error;
    }
    return {
      pending,
      authorizationUrl: prepared.url.href,
      exchangeUrl: prepared.exchangeUrl,
      redirectUri,
      context: prepared.context,
      loopback,
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

  #armExpiry(pending: PendingSignIn): void {
    this.#disarmExpiry(pending.provider);
    const timer = setTimeout(() => this.#expire(pending), pending.expiresAt - this.#o.now());
    timer.unref?.();
    this.#expiry.set(pending.provider, timer);
  }

  #disarmExpiry(provider: ProviderId): void {
    clearTimeout(this.#expiry.get(provider));
    this.#expiry.delete(provider);
  }

  /** The attempt's time is up, whether it is still preparing or waiting for the browser. */
  #expire(pending: PendingSignIn): void {
    const { provider } = pending;
    if (this.#pending.current(provider) !== pending) return;
    if (this.#attempts.get(provider)?.pending === pending) this.#endAttempt(provider);
    this.#dropPending(provider);
    this.#o.fail(provider, new LatchkeyError('AUTH_SIGN_IN_EXPIRED'));
  }

  #dropPending(provider: ProviderId): void {
    this.#pending.cancel(provider);
    this.#disarmExpiry(provider);
  }

  #endAttempt(provider: ProviderId): void {
    const attempt = this.#attempts.get(provider);
    if (!attempt) return;
    this.#attempts.delete(provider);
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
      return this.#o.fail(provider, new LatchkeyError(code, { providerMessage }));
    }
    const entry = this.#o.registry.entry(provider);
    const flow = entry.flow;
    if (!flow) return this.#o.fail(provider, new LatchkeyError('AUTH_NOT_CONFIGURED'));
    if (
      link.iss !== null &&
      entry.expectedIssuer !== null &&
      !sameIssuer(link.iss, entry.expectedIssuer)
    ) {
      // RFC 9207: the response came from another authorization server (mix-up): no exchange.
      this.#o.log.warn('auth.callback.issuer-mismatch', { provider, source });
      return this.#o.fail(provider, new LatchkeyError('AUTH_ISSUER_MISMATCH'));
    }
    this.#exchanging.set(provider, { route: pending.route, expiresAt: pending.expiresAt });
    const abort = new AbortController();
    this.#exchangeAborts.set(provider, abort);
    this.#o.publish(provider);
    // Logged once the request is on its way: a log line is a write (stderr: a pipe, a file) and
    // no I/O comes before the exchange request; a synchronous one here let the reading process
    // preempt this one for 4–40 ms (cold deep-link bench). Always before what follows it.
    let logged = false;
    const logStart = () => {
      clearImmediate(deferred);
      if (logged) return;
      logged = true;
      this.#o.log.info('auth.exchange.start', { provider, source });
    };
    const deferred = setImmediate(logStart);
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
        this.#o.context(abort.signal),
      );
    } catch (error) {
      logStart();
      if (abort.signal.aborted) return this.#o.state(provider);
      this.#exchangeAborts.delete(provider);
      this.#exchanging.delete(provider);
      this.#o.log.warn('auth.exchange.failed', { provider, code: toErrorView(error).code });
      return this.#o.fail(provider, error);
    }
    logStart();
    if (abort.signal.aborted) {
      // Cancelled or signed out while the exchange ran: the credential is dropped, never stored.
      this.#o.log.info('auth.exchange.discarded', { provider });
      return this.#o.state(provider);
    }
    this.#exchangeAborts.delete(provider);
    this.#exchanging.delete(provider);
    return this.#o.exchanged(provider, flow, entry.fingerprint, credential);
  }
}

/** The callback's `iss` against the provider's own issuer, ignoring one trailing slash. */
function sameIssuer(a: string, b: string): boolean {
  const trim = (value: string) => (value.endsWith('/') ? value.slice(0, -1) : value);
  return trim(a) === trim(b);
}
