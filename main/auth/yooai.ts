import { z } from 'zod';
import type { YooaiSettings } from '../../preload/api';
import { isLoopbackHttp } from '../config';
import { LatchkeyError } from '../errors';
import {
  parseJsonBody,
  send,
  statusError,
  type HttpRequest,
  type HttpResponse,
} from '../http/request';
import { TRANSPORT_ERROR_CODES } from '../http/net-errors';
import type { ExchangeInput, FlowContext, ProviderFlow, TokenCredential } from './flow';
import { CODE_CHALLENGE_METHOD } from './pkce';
import { plainProviderText } from './provider-text';

/**
 * YOO-AI's OAuth PKCE flow (seed 002, "OAuth PKCE 接入指南"). It is not standard OAuth — `app_id`
 * instead of `client_id`, JSON token requests carrying `union_id` and a client-chosen
 * `expire_date`, no `token_type`/`expires_in` — so it is hand-written here rather than built on
 * oauth4webapi. Request builders are split from response processors so both test offline.
 */
export const YOOAI = {
  id: 'yooai',
  displayName: 'YOO-AI',
  /** "refresh_token 用于刷新 access_token,有效期为 30 天" (seed 002, step 4). */
  refreshLifetimeMs: 30 * 24 * 60 * 60 * 1000,
  maxResponseBytes: 64 * 1024,
  /** The fixed callback path on our scheme (product.md: one path per provider). */
  callbackPath: 'oauth/yooai',
} as const;

/**
 * Defaults of the settings that have one. `appId` and `unionId` come only from the user's YOO-AI
 * app registration, so YOO-AI is "not configured" until they are filled in.
 *
 * `refreshPath`: the seed names the refresh call ("刷新Access Token") but does not give its path,
 * so the path is a setting; `/oauth/refresh_token` is OUR ASSUMPTION, not documented by YOO-AI.
 */
export const YOOAI_DEFAULTS = {
  baseUrl: 'https://saas.api.yoo-ai.com',
  scope: '',
  refreshPath: '/oauth/refresh_token',
  tokenLifetimeSeconds: 7200,
} as const;

const LIMITS = {
  idLength: 128,
  scopeLength: 512,
  urlLength: 2048,
  refreshPathLength: 256,
  minLifetimeSeconds: 300,
  maxLifetimeSeconds: 2_592_000,
  providerMessageLength: 300,
} as const;

/** Our custom-scheme callback for YOO-AI: `<scheme>://oauth/yooai`. */
export function yooaiCallbackUri(scheme: string): string {
  return `${scheme}://${YOOAI.callbackPath}`;
}

/** Complete default settings for `scheme` (empty `appId`/`unionId`: not configured yet). */
export function yooaiDefaults(scheme: string): YooaiSettings {
  return { ...YOOAI_DEFAULTS, appId: '', unionId: '', redirectUri: yooaiCallbackUri(scheme) };
}

const ID = /^[\x21-\x7e]+$/;
const PRINTABLE = /^[\x20-\x7e]*$/;

function invalid(field: keyof YooaiSettings): LatchkeyError {
  return new LatchkeyError('SETTINGS_INVALID', { field });
}

function text(input: YooaiSettings, field: keyof YooaiSettings): string {
  const value: unknown = input[field];
  if (typeof value !== 'string') throw invalid(field);
  return value.trim();
}

function parseUrl(value: string): URL | null {
  if (value.length > LIMITS.urlLength) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * Validates and normalizes YOO-AI settings (trimmed; `baseUrl` without a trailing slash).
 * - `baseUrl`: https, or http on a loopback host; no credentials, query or fragment.
 * - `appId`, `unionId`: 1–128 printable ASCII characters, no spaces.
 * - `scope`: at most 512 printable ASCII characters (may be empty).
 * - `redirectUri`: exactly `<scheme>://oauth/yooai`, or an https bridge page on the app's
 *   registered domain (no credentials, query or fragment: a pasted bridge link is read as the
 *   page plus a query).
 * - `refreshPath`: an absolute path (`/…`), no `..`, `//`, `\`, query or fragment.
 * - `tokenLifetimeSeconds`: an integer from 300 (5 min) to 2 592 000 (30 days).
 * @throws LatchkeyError `SETTINGS_INVALID` with `details.field` = the first bad field.
 */
export function validateYooaiSettings(
  input: YooaiSettings,
  options: { scheme: string },
): YooaiSettings {
  const base = parseUrl(text(input, 'baseUrl'));
  if (
    !base ||
    (base.protocol !== 'https:' && !isLoopbackHttp(base)) ||
    base.username ||
    base.password ||
    base.search ||
    base.hash
  ) {
    throw invalid('baseUrl');
  }
  const baseUrl = base.href.replace(/\/+$/, '');

  const appId = text(input, 'appId');
  if (appId.length > LIMITS.idLength || !ID.test(appId)) throw invalid('appId');
  const unionId = text(input, 'unionId');
  if (unionId.length > LIMITS.idLength || !ID.test(unionId)) throw invalid('unionId');
  const scope = text(input, 'scope');
  if (scope.length > LIMITS.scopeLength || !PRINTABLE.test(scope)) throw invalid('scope');

  const redirectUri = text(input, 'redirectUri');
  if (redirectUri !== yooaiCallbackUri(options.scheme)) {
    const bridge = parseUrl(redirectUri);
    if (
      !bridge ||
      bridge.protocol !== 'https:' ||
      bridge.username ||
      bridge.password ||
      bridge.search ||
      bridge.hash ||
      redirectUri.includes('#') ||
      redirectUri.includes('?') ||
      !ID.test(redirectUri)
    ) {
      throw invalid('redirectUri');
    }
  }

  const refreshPath = text(input, 'refreshPath');
  if (
    refreshPath.length > LIMITS.refreshPathLength ||
    !refreshPath.startsWith('/') ||
    refreshPath.startsWith('//') ||
    !ID.test(refreshPath) ||
    /[?#\\]/.test(refreshPath) ||
    refreshPath.includes('..') ||
    refreshPath.split('/').includes('.')
  ) {
    throw invalid('refreshPath');
  }

  const tokenLifetimeSeconds: unknown = input.tokenLifetimeSeconds;
  if (
    typeof tokenLifetimeSeconds !== 'number' ||
    !Number.isInteger(tokenLifetimeSeconds) ||
    tokenLifetimeSeconds < LIMITS.minLifetimeSeconds ||
    tokenLifetimeSeconds > LIMITS.maxLifetimeSeconds
  ) {
    throw invalid('tokenLifetimeSeconds');
  }

  return { baseUrl, appId, unionId, scope, redirectUri, refreshPath, tokenLifetimeSeconds };
}

/** `{baseUrl}{path}`, keeping the base's path prefix; never leaves the base's origin. */
function endpoint(settings: YooaiSettings, path: string): URL {
  const base = new URL(settings.baseUrl);
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  if (url.origin !== base.origin) throw invalid('refreshPath');
  return url;
}

function jsonPost(url: URL, body: Record<string, string | number>): HttpRequest {
  return {
    url,
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    },
  };
}

/**
 * Step 1 (seed 002): `GET {base}/oauth/authorize?response_type=code&app_id=…&redirect_uri=…
 * &state=…&code_challenge=…&code_challenge_method=S256&scope=…` — all seven, in that order.
 */
export function buildYooaiAuthorizationUrl(
  settings: YooaiSettings,
  params: { redirectUri: string; state: string; codeChallenge: string },
): URL {
  const url = endpoint(settings, '/oauth/authorize');
  url.search = '';
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('app_id', settings.appId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', CODE_CHALLENGE_METHOD);
  url.searchParams.set('scope', settings.scope);
  return url;
}

/**
 * The reachability probe ({@link ProviderFlow.probe}): `GET {base}/oauth/authorize` with no
 * query. It is the only GET YOO-AI documents, takes no credential and starts nothing: YOO-AI
 * answers it (a 400 for the missing parameters is as good as a 200). Refreshing instead would
 * rotate the token pair on every "Retry".
 */
export function buildYooaiProbeRequest(settings: YooaiSettings): HttpRequest {
  const url = endpoint(settings, '/oauth/authorize');
  url.search = '';
  return { url, init: { method: 'GET', headers: { accept: 'text/html,application/json' } } };
}

/** Where the code is exchanged (step 3). */
export function yooaiTokenUrl(settings: YooaiSettings): URL {
  return endpoint(settings, '/oauth/token');
}

/**
 * Step 3 (seed 002): `POST {base}/oauth/token` with JSON
 * `{code, app_id, code_verifier, expire_date, union_id}`; `expire_date` (unix seconds) is when
 * we ask the access token to end.
 */
export function buildYooaiTokenRequest(
  settings: YooaiSettings,
  params: { code: string; verifier: string; expireDate: number },
): HttpRequest {
  return jsonPost(yooaiTokenUrl(settings), {
    code: params.code,
    app_id: settings.appId,
    code_verifier: params.verifier,
    expire_date: params.expireDate,
    union_id: settings.unionId,
  });
}

/**
 * "刷新Access Token": `POST {base}{refreshPath}` with JSON
 * `{app_id, refresh_token, union_id, expire_date}`. The seed documents neither the path nor the
 * body; both mirror the token request (assumption, hence the `refreshPath` setting).
 */
export function buildYooaiRefreshRequest(
  settings: YooaiSettings,
  params: { refreshToken: string; unionId: string; expireDate: number },
): HttpRequest {
  return jsonPost(endpoint(settings, settings.refreshPath), {
    app_id: settings.appId,
    refresh_token: params.refreshToken,
    union_id: params.unionId,
    expire_date: params.expireDate,
  });
}

const token = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/);
const expireDate = z
  .number()
  .int()
  .positive()
  .max(Number.MAX_SAFE_INTEGER / 1000);

/** The documented token response (seed 002, step 4). */
const tokenResponseSchema = z.object({
  app_id: token,
  access_key_id: token,
  access_token: token,
  refresh_token: token,
  expire_date: expireDate,
  union_id: token,
});

/**
 * The refresh response is undocumented: the access token is required; what it does not repeat
 * is kept from the credential being refreshed (the requested `expire_date` for the expiry).
 */
const refreshResponseSchema = tokenResponseSchema.partial().required({ access_token: true });

/**
 * YOO-AI's error format is undocumented (assumption): we accept RFC 6749 §5.2
 * `{error, error_description}` and the `{code, msg|message}` shape common to Chinese APIs.
 */
const errorBodySchema = z.object({
  error: z.string().max(256).optional().catch(undefined),
  error_description: z.string().optional().catch(undefined),
  code: z
    .union([z.string().max(256), z.number()])
    .optional()
    .catch(undefined),
  msg: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
});

interface ProviderError {
  readonly error: string | null;
  readonly providerMessage: string | undefined;
}

function readProviderError(response: HttpResponse): ProviderError {
  let body: unknown;
  try {
    body = JSON.parse(response.body) as unknown;
  } catch {
    return { error: null, providerMessage: undefined };
  }
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return { error: null, providerMessage: undefined };
  const { error, error_description, code, msg, message } = parsed.data;
  return {
    error: error ?? (typeof code === 'string' ? code : null),
    providerMessage: plainProviderText(
      error_description ?? msg ?? message ?? error,
      LIMITS.providerMessageLength,
    ),
  };
}

/** Options of {@link processYooaiTokenResponse}. */
export interface YooaiResponseOptions {
  /** Epoch ms, for the refresh token's 30-day end. */
  readonly now: number;
  readonly settings: YooaiSettings;
  /**
   * Which request this answers; a rejection means different things: a bad code
   * (`AUTH_EXCHANGE_REJECTED`) or an ended session (`AUTH_SESSION_ENDED`). Default: exchange.
   */
  readonly grant?: 'authorization_code' | 'refresh_token';
  /** The credential being refreshed: what the response does not repeat is kept from it. */
  readonly previous?: TokenCredential;
  /** The `expire_date` sent with a refresh, used when the response does not repeat it. */
  readonly requestedExpireDate?: number;
}

/**
 * Processes a token (or refresh) response into a {@link TokenCredential}: the access token ends
 * at `expire_date`, the refresh token 30 days from now, the label is `union_id`, and `extra`
 * keeps `access_key_id`, `union_id`, `app_id`.
 *
 * Statuses: 200 → the documented body, schema-checked (else `HTTP_BAD_RESPONSE`).
 * 400/401/403 with `invalid_grant` or `invalid_client`, and any 401 → `AUTH_EXCHANGE_REJECTED`
 * (exchange) / `AUTH_SESSION_ENDED` (refresh). A refresh answered 404/405 →
 * `AUTH_REFRESH_UNAVAILABLE` (the configured refresh path is wrong). Anything else →
 * {@link statusError} (429 with Retry-After, 5xx transient). The provider's text goes to
 * `providerMessage`, never a token.
 */
export function processYooaiTokenResponse(
  response: HttpResponse,
  options: YooaiResponseOptions,
): TokenCredential {
  const { status } = response;
  const refresh = options.grant === 'refresh_token';
  if (status !== 200) {
    if (status === 400 || status === 401 || status === 403) {
      const { error, providerMessage } = readProviderError(response);
      const details = { status, ...(providerMessage !== undefined && { providerMessage }) };
      if (status === 401 || error === 'invalid_grant' || error === 'invalid_client') {
        throw new LatchkeyError(refresh ? 'AUTH_SESSION_ENDED' : 'AUTH_EXCHANGE_REJECTED', details);
      }
      const mapped = statusError(response);
      throw new LatchkeyError(mapped.code, { ...mapped.details, ...details });
    }
    if (refresh && (status === 404 || status === 405)) {
      // The refresh path is our guess (not in the seed): say so rather than "session ended".
      throw new LatchkeyError('AUTH_REFRESH_UNAVAILABLE', { status });
    }
    throw statusError(response);
  }
  const body = parseJsonBody(response);
  const previous = refresh ? options.previous : undefined;
  const parsed = (previous ? refreshResponseSchema : tokenResponseSchema).safeParse(body);
  if (!parsed.success) {
    const { providerMessage } = readProviderError(response);
    throw new LatchkeyError('HTTP_BAD_RESPONSE', {
      status,
      ...(providerMessage !== undefined && { providerMessage }),
    });
  }
  // The response's `app_id` is kept but not required to equal ours: the seed's own example
  // answers a request for app 9767336922475223578182683125 with "app_id": "0274560981", so
  // YOO-AI may echo another form of the id. The token endpoint is pinned to the configured base
  // URL, which is what binds the answer to our request.
  const data = parsed.data;
  const expiresAt = data.expire_date ?? options.requestedExpireDate;
  const refreshToken = data.refresh_token ?? previous?.refreshToken ?? null;
  const extra: Record<string, string> = {};
  const keep = (key: 'access_key_id' | 'union_id' | 'app_id') => {
    const value = data[key] ?? previous?.extra[key];
    if (value !== undefined) extra[key] = value;
  };
  keep('access_key_id');
  keep('union_id');
  keep('app_id');
  return {
    kind: 'tokens',
    accessToken: data.access_token,
    refreshToken,
    accessExpiresAt: expiresAt !== undefined ? expiresAt * 1000 : null,
    refreshExpiresAt:
      data.refresh_token !== undefined
        ? options.now + YOOAI.refreshLifetimeMs
        : (previous?.refreshExpiresAt ?? null),
    label: data.union_id ?? previous?.label ?? null,
    extra,
  };
}

function sendOptions(ctx: FlowContext) {
  return {
    timeoutMs: ctx.timeoutMs,
    maxBytes: YOOAI.maxResponseBytes,
    ...(ctx.signal && { signal: ctx.signal }),
  };
}

/** The YOO-AI flow: a {@link ProviderFlow} whose exchange and refresh always yield tokens. */
export type YooaiFlow = Omit<ProviderFlow, 'exchange' | 'refresh'> & {
  exchange(input: ExchangeInput, ctx: FlowContext): Promise<TokenCredential>;
  refresh(credential: TokenCredential, ctx: FlowContext): Promise<TokenCredential>;
};

/**
 * YOO-AI as a provider definition: `state` binds the attempt, the only route back is the
 * registered redirect (YOO-AI redirects to registered domains only, so no loopback), tokens with
 * refresh, no chat. `expire_date` asks for `tokenLifetimeSeconds` from now.
 * @throws LatchkeyError `SETTINGS_INVALID` when `settings` do not validate.
 */
export function createYooaiFlow(input: YooaiSettings, options: { scheme: string }): YooaiFlow {
  const settings = validateYooaiSettings(input, options);
  const expireDateFrom = (ctx: FlowContext) =>
    Math.floor(ctx.now() / 1000) + settings.tokenLifetimeSeconds;
  return {
    id: 'yooai',
    displayName: YOOAI.displayName,
    binding: 'state',
    routes: ['deep-link'],
    canChat: false,
    revokeUrl: null,
    registeredRedirectUri:
      settings.redirectUri === yooaiCallbackUri(options.scheme) ? null : settings.redirectUri,
    prepare: ({ redirectUri, state, codeChallenge }) =>
      Promise.resolve({
        url: buildYooaiAuthorizationUrl(settings, { redirectUri, state, codeChallenge }),
        exchangeUrl: yooaiTokenUrl(settings),
      }),
    async exchange({ code, verifier }, ctx) {
      const request = buildYooaiTokenRequest(settings, {
        code,
        verifier,
        expireDate: expireDateFrom(ctx),
      });
      const response = await send(ctx.fetch, request, sendOptions(ctx));
      return processYooaiTokenResponse(response, {
        now: ctx.now(),
        settings,
        grant: 'authorization_code',
      });
    },
    async refresh(credential, ctx) {
      if (credential.refreshToken === null) throw new LatchkeyError('AUTH_SESSION_ENDED');
      const expireDate = expireDateFrom(ctx);
      const request = buildYooaiRefreshRequest(settings, {
        refreshToken: credential.refreshToken,
        unionId: credential.extra['union_id'] ?? settings.unionId,
        expireDate,
      });
      const response = await send(ctx.fetch, request, sendOptions(ctx));
      return processYooaiTokenResponse(response, {
        now: ctx.now(),
        settings,
        grant: 'refresh_token',
        previous: credential,
        requestedExpireDate: expireDate,
      });
    },
    async probe(ctx) {
      try {
        await send(ctx.fetch, buildYooaiProbeRequest(settings), sendOptions(ctx));
      } catch (error) {
        if (error instanceof LatchkeyError && TRANSPORT_ERROR_CODES.has(error.code)) throw error;
      }
    },
  };
}
