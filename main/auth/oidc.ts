import * as oauth from 'oauth4webapi';
import type { OidcSettings } from '../../preload/api';
import { isLoopbackHttp } from '../config';
import { LatchkeyError } from '../errors';
import { send, statusError } from '../http/request';
import { TRANSPORT_ERROR_CODES } from '../http/net-errors';
import type {
  AuthorizationInput,
  ExchangeInput,
  FlowContext,
  ProviderFlow,
  TokenCredential,
} from './flow';
import { CODE_CHALLENGE_METHOD } from './pkce';
import { hasControlCharacters, plainProviderText } from './provider-text';

/**
 * Any standard OAuth 2.0 / OpenID Connect server, built on oauth4webapi: discovery
 * (OIDC Discovery, then RFC 8414), PKCE S256, `iss` (RFC 9207), ID token checks, refresh with
 * rotation. Every request goes through the app's `fetch` with `redirect: 'error'`, a timeout and
 * a 64 KB cap; plain http is allowed for loopback hosts only (tests, the harness).
 */
export const OIDC = {
  id: 'oidc',
  maxResponseBytes: 64 * 1024,
  /** How long discovered metadata is reused for refreshes before it is fetched again. */
  metadataTtlMs: 60 * 60 * 1000,
} as const;

/** Defaults of the form; `issuer` and `clientId` come from the user's registration. */
export const OIDC_DEFAULTS: OidcSettings = {
  displayName: 'SSO',
  issuer: '',
  clientId: '',
  scopes: 'openid profile email offline_access',
  chatUrl: null,
};

const LIMITS = {
  displayNameLength: 40,
  clientIdLength: 256,
  urlLength: 2048,
  scopeCount: 20,
  labelLength: 200,
  providerMessageLength: 300,
} as const;

/** RFC 6749 §3.3 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const VSCHAR = /^[\x20-\x7e]+$/;

function invalid(field: keyof OidcSettings): LatchkeyError {
  return new LatchkeyError('SETTINGS_INVALID', { field });
}

function text(input: OidcSettings, field: keyof OidcSettings): string {
  const value: unknown = input[field];
  if (typeof value !== 'string') throw invalid(field);
  return value.trim();
}

/** https, or http on a loopback host; no credentials, query or fragment. */
function endpointUrl(value: string): URL | null {
  if (value.length > LIMITS.urlLength) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (value.includes('?') || value.includes('#')) return null;
  return url;
}

/**
 * Validates and normalizes generic OAuth/OIDC settings (trimmed; scopes single-spaced and
 * deduplicated).
 * - `displayName`: 1–40 characters, no control characters.
 * - `issuer`: https, or http on a loopback host; no credentials, query or fragment. Kept as
 *   typed: discovery compares it with the metadata's `issuer` (OIDC Discovery §4.3).
 * - `clientId`: 1–256 printable ASCII characters.
 * - `scopes`: at most 20 RFC 6749 scope tokens. `openid` is not required (plain OAuth 2.0 works);
 *   empty means no `scope` parameter.
 * - `chatUrl`: null or empty → null; else like `issuer`.
 * @throws LatchkeyError `SETTINGS_INVALID` with `details.field` = the first bad field.
 */
export function validateOidcSettings(input: OidcSettings): OidcSettings {
  const displayName = text(input, 'displayName');
  const nameLength = [...displayName].length;
  if (
    nameLength < 1 ||
    nameLength > LIMITS.displayNameLength ||
    hasControlCharacters(displayName)
  ) {
    throw invalid('displayName');
  }
  const issuer = text(input, 'issuer');
  if (!endpointUrl(issuer)) throw invalid('issuer');
  const clientId = text(input, 'clientId');
  if (clientId.length > LIMITS.clientIdLength || !VSCHAR.test(clientId)) throw invalid('clientId');
  const tokens = [
    ...new Set(
      text(input, 'scopes')
        .split(/[ \t\r\n]+/)
        .filter(Boolean),
    ),
  ];
  if (tokens.length > LIMITS.scopeCount || !tokens.every((t) => SCOPE_TOKEN.test(t))) {
    throw invalid('scopes');
  }
  const rawChat: unknown = input.chatUrl;
  if (rawChat !== null && typeof rawChat !== 'string') throw invalid('chatUrl');
  const chat = rawChat?.trim() || null;
  if (chat !== null && !endpointUrl(chat)) throw invalid('chatUrl');
  return { displayName, issuer, clientId, scopes: tokens.join(' '), chatUrl: chat };
}

/** The settings' scopes as a list. */
function scopeList(settings: OidcSettings): string[] {
  return settings.scopes.split(' ').filter(Boolean);
}

/**
 * The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3): `response_type=code`,
 * `client_id`, `redirect_uri`, `scope` (when any), `state`, `code_challenge`,
 * `code_challenge_method=S256`, and `prompt=consent` when `offline_access` is asked for
 * (OIDC Core §11: without it servers may refuse a refresh token).
 */
export function buildOidcAuthorizationUrl(
  as: oauth.AuthorizationServer,
  settings: OidcSettings,
  input: AuthorizationInput,
): URL {
  if (typeof as.authorization_endpoint !== 'string') {
    throw new LatchkeyError('AUTH_DISCOVERY_FAILED');
  }
  const url = new URL(as.authorization_endpoint);
  const scopes = scopeList(settings);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', settings.clientId);
  url.searchParams.set('redirect_uri', input.redirectUri);
  if (scopes.length > 0) url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('code_challenge', input.codeChallenge);
  url.searchParams.set('code_challenge_method', CODE_CHALLENGE_METHOD);
  if (scopes.includes('offline_access')) url.searchParams.set('prompt', 'consent');
  return url;
}

type FetchBody = URLSearchParams | string | undefined;
/** Null-body statuses a `Response` cannot be constructed with a body for. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * oauth4webapi's `[customFetch]`: the app's fetch through {@link send} — `redirect: 'error'`
 * (instead of the library's `manual`), `AbortSignal.timeout(ctx.timeoutMs)` combined with
 * `ctx.signal`, the body read up to 64 KB — handed back as a fresh `Response`. Transport
 * failures reject with typed errors from the one transport table (`NETWORK_OFFLINE`,
 * `NETWORK_PROXY`, `NETWORK_CERTIFICATE`, `HTTP_TIMEOUT`, …) that pass through the library
 * unchanged.
 */
function flowFetch(ctx: FlowContext) {
  return async (url: string, init: oauth.CustomFetchOptions<string, FetchBody>) => {
    const response = await send(
      ctx.fetch,
      { url: new URL(url), init: { method: init.method, headers: init.headers, body: init.body } },
      {
        timeoutMs: ctx.timeoutMs,
        maxBytes: OIDC.maxResponseBytes,
        ...(ctx.signal && { signal: ctx.signal }),
      },
    );
    if (response.status < 200 || response.status > 599) {
      throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: response.status });
    }
    return new Response(NULL_BODY.has(response.status) ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  };
}

/**
 * Per-request options: the flow's fetch, and `[allowInsecureRequests]` ONLY when the request goes
 * to plain http on a loopback host (never for any other host).
 */
function requestOptions(ctx: FlowContext, target: URL) {
  return {
    [oauth.customFetch]: flowFetch(ctx),
    ...(isLoopbackHttp(target) ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

/** An endpoint of the metadata: https, or loopback http only when the issuer is too. */
function metadataEndpoint(value: unknown, issuer: URL): URL | null {
  if (typeof value !== 'string') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'https:') return url;
  return isLoopbackHttp(url) && isLoopbackHttp(issuer) ? url : null;
}

function checkMetadata(as: oauth.AuthorizationServer, issuer: URL): oauth.AuthorizationServer {
  const fail = (cause: string) => new LatchkeyError('AUTH_DISCOVERY_FAILED', {}, { cause });
  if (!metadataEndpoint(as.authorization_endpoint, issuer)) throw fail('authorization_endpoint');
  if (!metadataEndpoint(as.token_endpoint, issuer)) throw fail('token_endpoint');
  const methods: unknown = as.code_challenge_methods_supported;
  if (methods !== undefined && !(Array.isArray(methods) && methods.includes('S256'))) {
    throw fail('code_challenge_methods_supported');
  }
  const responseTypes: unknown = as.response_types_supported;
  if (
    responseTypes !== undefined &&
    !(Array.isArray(responseTypes) && responseTypes.includes('code'))
  ) {
    throw fail('response_types_supported');
  }
  return as;
}

/**
 * Discovers the server's metadata: OpenID Connect Discovery (`…/.well-known/openid-configuration`)
 * first, RFC 8414 (`/.well-known/oauth-authorization-server…`) when that is 404.
 * `processDiscoveryResponse` requires the document's `issuer` to be the configured one.
 * @throws LatchkeyError `AUTH_DISCOVERY_FAILED` (with the status when not 200), or a transport
 *   error: `NETWORK_OFFLINE`, `NETWORK_PROXY`, `NETWORK_CERTIFICATE`, `HTTP_TIMEOUT`.
 */
export async function discoverOidcMetadata(
  issuer: URL,
  ctx: FlowContext,
): Promise<oauth.AuthorizationServer> {
  const options = requestOptions(ctx, issuer);
  let response: Response;
  try {
    response = await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' });
    if (response.status === 404) {
      await response.body?.cancel();
      response = await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' });
    }
  } catch (error) {
    if (error instanceof LatchkeyError && TRANSPORT_ERROR_CODES.has(error.code)) throw error;
    throw new LatchkeyError('AUTH_DISCOVERY_FAILED', {}, { cause: error });
  }
  const { status } = response;
  const retryAfter =
    status === 429 ? statusError(toHttpResponse(response)).details.retryAfter : undefined;
  try {
    return checkMetadata(await oauth.processDiscoveryResponse(issuer, response), issuer);
  } catch (error) {
    if (error instanceof LatchkeyError) throw error;
    throw new LatchkeyError(
      'AUTH_DISCOVERY_FAILED',
      { ...(status !== 200 && { status }), ...(retryAfter !== undefined && { retryAfter }) },
      { cause: error },
    );
  }
}

function toHttpResponse(response: Response) {
  return { status: response.status, headers: response.headers, body: '' };
}

type Grant = 'authorization_code' | 'refresh_token';

/** The OAuth error of a rejected token request, from its body or its WWW-Authenticate. */
function oauthError(error: unknown): { error?: string; description?: string } | null {
  if (error instanceof oauth.ResponseBodyError) {
    return { error: error.error, description: error.error_description };
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const parameters = error.cause[0]?.parameters;
    return { error: parameters?.error, description: parameters?.error_description };
  }
  return null;
}

/**
 * RFC 6749 §5.2 errors besides `invalid_grant` that no retry of a refresh can cure: the client
 * was removed or lost the grant type, or the scopes are no longer granted. Retrying them every
 * few minutes forever would keep a dead session looking alive.
 */
const ENDS_SESSION = new Set(['invalid_client', 'unauthorized_client', 'invalid_scope']);

/**
 * Maps a failed token request (RFC 6749 §5.2): `invalid_grant` → `AUTH_EXCHANGE_REJECTED`
 * (code) or `AUTH_SESSION_ENDED` (refresh, as are `invalid_client`, `unauthorized_client` and
 * `invalid_scope`); other OAuth errors → `AUTH_PROVIDER_ERROR`;
 * 429/5xx → {@link statusError}; an ID token from another issuer → `AUTH_ISSUER_MISMATCH`;
 * anything else malformed → `HTTP_BAD_RESPONSE`. The library's error stays in `cause`.
 */
function tokenError(error: unknown, response: Response, grant: Grant): LatchkeyError {
  if (error instanceof LatchkeyError) return error;
  const { status } = response;
  if (status === 429 || status >= 500) {
    const mapped = statusError(toHttpResponse(response));
    return new LatchkeyError(mapped.code, mapped.details, { cause: error });
  }
  const rejected = oauthError(error);
  if (rejected) {
    const providerMessage = plainProviderText(
      rejected.description ?? rejected.error,
      LIMITS.providerMessageLength,
    );
    const details = { status, ...(providerMessage !== undefined && { providerMessage }) };
    if (rejected.error === 'invalid_grant') {
      const code = grant === 'refresh_token' ? 'AUTH_SESSION_ENDED' : 'AUTH_EXCHANGE_REJECTED';
      return new LatchkeyError(code, details, { cause: error });
    }
    if (grant === 'refresh_token' && ENDS_SESSION.has(rejected.error ?? '')) {
      return new LatchkeyError('AUTH_SESSION_ENDED', details, { cause: error });
    }
    return new LatchkeyError('AUTH_PROVIDER_ERROR', details, { cause: error });
  }
  if (status !== 200) {
    const mapped = statusError(toHttpResponse(response));
    return new LatchkeyError(mapped.code, mapped.details, { cause: error });
  }
  if (
    error instanceof oauth.OperationProcessingError &&
    error.code === oauth.JWT_CLAIM_COMPARISON &&
    isClaim(error.cause, 'iss')
  ) {
    return new LatchkeyError('AUTH_ISSUER_MISMATCH', { status }, { cause: error });
  }
  return new LatchkeyError('HTTP_BAD_RESPONSE', { status }, { cause: error });
}

function isClaim(cause: unknown, claim: string): boolean {
  return typeof cause === 'object' && cause !== null && 'claim' in cause && cause.claim === claim;
}

/** Sends a token request and processes its answer, mapping every failure to a typed error. */
async function tokenCall(
  grant: Grant,
  request: () => Promise<Response>,
  process: (response: Response) => Promise<oauth.TokenEndpointResponse>,
): Promise<oauth.TokenEndpointResponse> {
  let response: Response;
  try {
    response = await request();
  } catch (error) {
    if (error instanceof LatchkeyError) throw error;
    throw new LatchkeyError('HTTP_BAD_RESPONSE', {}, { cause: error });
  }
  try {
    return await process(response);
  } catch (error) {
    throw tokenError(error, response, grant);
  }
}

/** Who is signed in, for the UI: `name`, `email`, `preferred_username`, then `sub`. */
function labelFrom(claims: oauth.IDToken): string | null {
  for (const key of ['name', 'email', 'preferred_username', 'sub']) {
    const value = plainProviderText(claims[key], LIMITS.labelLength);
    if (value) return value;
  }
  return null;
}

/**
 * The credential from a processed token response. Expiries come from `expires_in` and, when the
 * server sends it (Keycloak), `refresh_expires_in` (0 = no end). On refresh, what the response
 * does not carry is kept: the refresh token (no rotation), its end, the label and `sub`.
 * @throws LatchkeyError `AUTH_SESSION_ENDED` when a new ID token names another subject
 *   (OIDC Core §12.2).
 */
function toCredential(
  result: oauth.TokenEndpointResponse,
  now: number,
  previous?: TokenCredential,
): TokenCredential {
  const claims = oauth.getValidatedIdTokenClaims(result);
  const previousSub = previous?.extra['sub'];
  if (claims && previousSub !== undefined && claims.sub !== previousSub) {
    throw new LatchkeyError('AUTH_SESSION_ENDED');
  }
  const sub = claims?.sub ?? previousSub;
  const refreshExpiresIn = result['refresh_expires_in'];
  const rotated = result.refresh_token !== undefined;
  const refreshExpiresAt =
    typeof refreshExpiresIn === 'number' && Number.isFinite(refreshExpiresIn)
      ? refreshExpiresIn > 0
        ? Math.floor(now + refreshExpiresIn * 1000)
        : null
      : rotated
        ? null
        : (previous?.refreshExpiresAt ?? null);
  return {
    kind: 'tokens',
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? previous?.refreshToken ?? null,
    accessExpiresAt:
      result.expires_in !== undefined ? Math.floor(now + result.expires_in * 1000) : null,
    refreshExpiresAt,
    label: claims ? labelFrom(claims) : (previous?.label ?? null),
    extra: { token_type: result.token_type, ...(sub !== undefined && { sub }) },
  };
}

/** The attempt's context: metadata discovered by `prepare` for the configured issuer. */
function isAuthorizationServer(value: unknown, issuer: URL): value is oauth.AuthorizationServer {
  if (typeof value !== 'object' || value === null || !('issuer' in value)) return false;
  if (typeof value.issuer !== 'string' || !URL.canParse(value.issuer)) return false;
  return new URL(value.issuer).href === issuer.href && 'token_endpoint' in value;
}

/** The generic OAuth/OIDC flow: a {@link ProviderFlow} whose exchange and refresh always yield tokens. */
export type OidcFlow = Omit<ProviderFlow, 'exchange' | 'refresh'> & {
  exchange(input: ExchangeInput, ctx: FlowContext): Promise<TokenCredential>;
  refresh(credential: TokenCredential, ctx: FlowContext): Promise<TokenCredential>;
};

/**
 * The generic OAuth 2.0 / OIDC provider: `state` binds the attempt; both routes back; a public
 * client (`token_endpoint_auth_method: none`) with PKCE S256. `prepare` discovers the metadata
 * and returns it as the attempt's `context`, so the exchange uses the token endpoint of the
 * server that issued the URL (mix-up defence, security.md 13); refresh reuses metadata cached by
 * this flow instance (which lives as long as the settings).
 * @throws LatchkeyError `SETTINGS_INVALID` when `settings` do not validate.
 */
export function createOidcFlow(input: OidcSettings, _options: { scheme: string }): OidcFlow {
  const settings = validateOidcSettings(input);
  const issuer = new URL(settings.issuer);
  const requireIdToken = scopeList(settings).includes('openid');
  let cached: { as: oauth.AuthorizationServer; at: number } | null = null;

  /** `[clockSkew]` makes the library's ID token time checks follow the injected clock. */
  const clientFor = (ctx: FlowContext): oauth.Client => ({
    client_id: settings.clientId,
    token_endpoint_auth_method: 'none',
    [oauth.clockSkew]: Math.round((ctx.now() - Date.now()) / 1000),
  });

  const discover = async (ctx: FlowContext) => {
    const as = await discoverOidcMetadata(issuer, ctx);
    cached = { as, at: ctx.now() };
    return as;
  };

  const metadata = (ctx: FlowContext) =>
    cached && ctx.now() - cached.at < OIDC.metadataTtlMs
      ? Promise.resolve(cached.as)
      : discover(ctx);

  const tokenOptions = (ctx: FlowContext, as: oauth.AuthorizationServer) =>
    requestOptions(ctx, new URL(String(as.token_endpoint)));

  return {
    id: 'oidc',
    displayName: settings.displayName,
    binding: 'state',
    routes: ['deep-link', 'loopback'],
    canChat: settings.chatUrl !== null,
    revokeUrl: null,
    registeredRedirectUri: null,
    ...(settings.chatUrl !== null && { chatUrl: new URL(settings.chatUrl) }),

    async prepare(authorization, ctx) {
      const as = await discover(ctx);
      return {
        url: buildOidcAuthorizationUrl(as, settings, authorization),
        // checkMetadata: an https (or, for a loopback issuer, loopback http) URL.
        exchangeUrl: new URL(String(as.token_endpoint)),
        context: as,
      };
    },

    async exchange({ code, verifier, redirectUri, state, iss, context }, ctx) {
      if (!isAuthorizationServer(context, issuer)) {
        throw new LatchkeyError('AUTH_NO_PENDING_SIGN_IN');
      }
      const as = context;
      const client = clientFor(ctx);
      let callback: URLSearchParams;
      try {
        callback = oauth.validateAuthResponse(
          as,
          client,
          new URLSearchParams({ code, state, ...(iss !== null && { iss }) }),
          state,
        );
      } catch (error) {
        // RFC 9207: the library rejects an `iss` other than the metadata's, and a missing one
        // when the server advertises `authorization_response_iss_parameter_supported`.
        const issuerProblem =
          (iss !== null && iss !== as.issuer) ||
          (iss === null && as.authorization_response_iss_parameter_supported === true);
        throw new LatchkeyError(
          issuerProblem ? 'AUTH_ISSUER_MISMATCH' : 'AUTH_CALLBACK_INVALID',
          {},
          { cause: error },
        );
      }
      const result = await tokenCall(
        'authorization_code',
        () =>
          oauth.authorizationCodeGrantRequest(
            as,
            client,
            oauth.None(),
            callback,
            redirectUri,
            verifier,
            tokenOptions(ctx, as),
          ),
        (response) =>
          oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken }),
      );
      return toCredential(result, ctx.now());
    },

    async refresh(credential, ctx) {
      const refreshToken = credential.refreshToken;
      if (refreshToken === null) throw new LatchkeyError('AUTH_SESSION_ENDED');
      const as = await metadata(ctx);
      const client = clientFor(ctx);
      try {
        const result = await tokenCall(
          'refresh_token',
          () =>
            oauth.refreshTokenGrantRequest(
              as,
              client,
              oauth.None(),
              refreshToken,
              tokenOptions(ctx, as),
            ),
          (response) => oauth.processRefreshTokenResponse(as, client, response),
        );
        return toCredential(result, ctx.now(), credential);
      } catch (error) {
        // The next attempt discovers again, in case the server moved its endpoints.
        if (!(error instanceof LatchkeyError && error.code === 'AUTH_SESSION_ENDED')) {
          cached = null;
        }
        throw error;
      }
    },

    /**
     * The discovery document: what sign-in and refresh already fetch, public and cacheable; a
     * success also renews the metadata the next refresh uses.
     */
    async probe(ctx) {
      try {
        await discover(ctx);
      } catch (error) {
        if (error instanceof LatchkeyError && TRANSPORT_ERROR_CODES.has(error.code)) throw error;
      }
    },
  };
}
