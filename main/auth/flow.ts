import type { AccountView, CallbackRoute, ProviderId } from '../../preload/api';
import type { FetchLike } from '../http/request';

/**
 * A provider as data plus the few lines of code its non-standard parts need. The auth service
 * is provider-agnostic: it holds pending sign-ins, sessions and the refresh lifecycle, and asks
 * the provider's flow to build the authorization URL, exchange the code and refresh tokens.
 *
 * Flows are pure protocol: request builders and response processors behind `prepare`,
 * `exchange` and `refresh`, with the network, the clock and timeouts injected. They never
 * store anything and never log a secret.
 */
export interface ProviderFlow {
  readonly id: ProviderId;
  /** The name shown in "Sign in with <name>". */
  readonly displayName: string;
  /**
   * How a callback is bound to its attempt (product.md):
   * - `path`: the attempt's nonce is a path segment (`oauth/<provider>/<nonce>`, OpenRouter);
   * - `state`: the path is fixed (`oauth/<provider>`) and the `state` parameter carries it.
   */
  readonly binding: 'path' | 'state';
  /** The routes back from the browser the provider accepts. */
  readonly routes: readonly CallbackRoute[];
  /** True when the chat window can use the provider's credential. */
  readonly canChat: boolean;
  /** Where the user revokes access on the provider's side, when there is such a page. */
  readonly revokeUrl: string | null;
  /**
   * The redirect URI for the custom-scheme route when the provider registers a fixed one that is
   * not ours (YOO-AI: an https bridge page on the app's registered domain). Null = ours.
   */
  readonly registeredRedirectUri: string | null;
  /** Builds the authorization URL (OIDC: after discovery). */
  prepare(input: AuthorizationInput, ctx: FlowContext): Promise<PreparedAuthorization>;
  /** Exchanges the code at the token endpoint pinned by `prepare` (no automatic retry). */
  exchange(input: ExchangeInput, ctx: FlowContext): Promise<Credential>;
  /**
   * Exchanges the refresh token for a new pair (rotation). Throws `AUTH_SESSION_ENDED` when the
   * provider rejected the refresh token (`invalid_grant`). The auth service keeps the session
   * only through failures a retry can cure (offline, timeout, 5xx, 408, 429, a 2xx/3xx that is
   * not a token response); any other error ends it, its code kept as the explanation.
   */
  refresh?(credential: TokenCredential, ctx: FlowContext): Promise<TokenCredential>;
  /**
   * Facts about the signed-in account (OpenRouter `GET /api/v1/key`). Throws `AUTH_KEY_REVOKED`
   * when the credential is no longer accepted.
   */
  account?(credential: Credential, ctx: FlowContext): Promise<AccountView>;
  /**
   * Reaches the provider with a cheap request that carries no credential and changes nothing on
   * its side: how a token provider with no refresh due is checked when the user asks ("Retry"
   * after being offline). Resolves on any HTTP answer, whatever its status; rejects only with a
   * transport error (`NETWORK_OFFLINE`, `HTTP_TIMEOUT`, …).
   */
  probe?(ctx: FlowContext): Promise<void>;
  /** OpenAI-compatible chat base URL (`…/v1`) when `canChat`. */
  readonly chatUrl?: URL;
}

/** What a flow gets from the auth service for every network step. */
export interface FlowContext {
  /** The app's fetch (Electron `net.fetch`, Node's fetch in tests). Never the global. */
  readonly fetch: FetchLike;
  /** Epoch ms. */
  readonly now: () => number;
  /** Per-request timeout (security.md 9: about 20 s). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface AuthorizationInput {
  /** The exact redirect URI to send (and to repeat in the token request where there is one). */
  readonly redirectUri: string;
  /** A fresh 43-character state (flows with `binding: 'state'`); ignored by path-bound flows. */
  readonly state: string;
  readonly codeChallenge: string;
}

/** A started authorization: the URL to open, and what the exchange needs later. */
export interface PreparedAuthorization {
  readonly url: URL;
  /**
   * Where `exchange` will send the code (OpenRouter's key endpoint, the token endpoint
   * otherwise; OIDC: the discovered one, which may be on another host than `url`). The sign-in
   * warms its origin while the user is in the browser.
   */
  readonly exchangeUrl: URL;
  /**
   * Per-attempt data kept in memory with the pending sign-in, e.g. the discovered metadata: the
   * token endpoint is pinned to the server that issued the authorization URL (mix-up defence).
   */
  readonly context?: unknown;
}

export interface ExchangeInput {
  readonly code: string;
  readonly verifier: string;
  readonly redirectUri: string;
  /** The state sent with the authorization request (the callback's was already matched). */
  readonly state: string;
  /** RFC 9207 `iss` of the callback, or null when absent; checked by flows that know theirs. */
  readonly iss: string | null;
  readonly context?: unknown;
}

/** A long-lived key without refresh (OpenRouter). */
export interface KeyCredential {
  readonly kind: 'key';
  readonly key: string;
}

/** OAuth-style tokens with an expiry and (usually) a refresh token. */
export interface TokenCredential {
  readonly kind: 'tokens';
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Epoch ms when the access token ends, null when unknown. */
  readonly accessExpiresAt: number | null;
  /** Epoch ms when the refresh token ends, null when unknown or none. */
  readonly refreshExpiresAt: number | null;
  /** Who is signed in, shown in the UI (union_id, name, e-mail, subject); not secret. */
  readonly label: string | null;
  /**
   * Provider-specific values kept with the tokens and encrypted like them (YOO-AI
   * `access_key_id`, `union_id`, `app_id`). Strings only.
   */
  readonly extra: Readonly<Record<string, string>>;
}

export type Credential = KeyCredential | TokenCredential;
