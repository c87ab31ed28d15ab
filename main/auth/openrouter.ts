import { z } from 'zod';
import type { AccountView } from '../../preload/api';
import { LatchkeyError } from '../errors';
import {
  parseJsonBody,
  send,
  statusError,
  type HttpRequest,
  type HttpResponse,
} from '../http/request';
import type { ProviderFlow } from './flow';
import { CODE_CHALLENGE_METHOD } from './pkce';

/**
 * OpenRouter's PKCE flow (seed 000, https://openrouter.ai/docs/use-cases/oauth-pkce). It is not
 * standard OAuth — no `state`, no token endpoint, a JSON body, a long-lived key instead of
 * tokens — so it is hand-written here rather than built on oauth4webapi. Request builders are
 * split from response processors (the oauth4webapi shape) so both are testable offline.
 */
export const OPENROUTER = {
  id: 'openrouter',
  displayName: 'OpenRouter',
  defaultBaseUrl: 'https://openrouter.ai',
  /** Where a user revokes the key; sign-out only deletes our copy. */
  revokeUrl: 'https://openrouter.ai/settings/keys',
  exchangeTimeoutMs: 20_000,
  accountTimeoutMs: 15_000,
  maxResponseBytes: 64 * 1024,
} as const;

/** Step 1: `GET /auth?callback_url=…&code_challenge=…&code_challenge_method=S256&key_label=…`. */
export function buildAuthorizationUrl(
  baseUrl: URL,
  params: { callbackUrl: string; codeChallenge: string; keyLabel: string },
): URL {
  const url = new URL('/auth', baseUrl);
  url.searchParams.set('callback_url', params.callbackUrl);
  url.searchParams.set('code_challenge', params.codeChallenge);
  url.searchParams.set('code_challenge_method', CODE_CHALLENGE_METHOD);
  url.searchParams.set('key_label', params.keyLabel);
  return url;
}

/** Where the code is exchanged for a key. */
export function keyExchangeUrl(baseUrl: URL): URL {
  return new URL('/api/v1/auth/keys', baseUrl);
}

/** Step 2: `POST /api/v1/auth/keys` with `{code, code_verifier, code_challenge_method}`. */
export function buildKeyExchangeRequest(
  baseUrl: URL,
  params: { code: string; codeVerifier: string },
): HttpRequest {
  return {
    url: keyExchangeUrl(baseUrl),
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        code: params.code,
        code_verifier: params.codeVerifier,
        code_challenge_method: CODE_CHALLENGE_METHOD,
      }),
    },
  };
}

const keyExchangeSchema = z.object({
  key: z
    .string()
    .min(8)
    .max(512)
    .regex(/^[\x21-\x7e]+$/),
  user_id: z.string().max(256).nullish(),
});

/** The user-scoped key returned by the exchange. */
export interface KeyExchangeResult {
  readonly key: string;
  readonly userId: string | null;
}

/**
 * Processes the exchange response. Documented errors: 400 `Invalid code_challenge_method`
 * → `AUTH_EXCHANGE_METHOD_MISMATCH`; 403 `Invalid code or code_verifier` →
 * `AUTH_EXCHANGE_REJECTED`; 405 → `AUTH_EXCHANGE_NOT_ALLOWED`. Everything else is mapped by
 * {@link statusError} or is `HTTP_BAD_RESPONSE` when the body is not the documented shape.
 */
export function processKeyExchangeResponse(response: HttpResponse): KeyExchangeResult {
  const { status } = response;
  if (status === 400) throw new LatchkeyError('AUTH_EXCHANGE_METHOD_MISMATCH', { status });
  if (status === 401 || status === 403) {
    throw new LatchkeyError('AUTH_EXCHANGE_REJECTED', { status });
  }
  if (status === 405) throw new LatchkeyError('AUTH_EXCHANGE_NOT_ALLOWED', { status });
  if (status !== 200 && status !== 201) throw statusError(response);
  const parsed = keyExchangeSchema.safeParse(parseJsonBody(response));
  if (!parsed.success) throw new LatchkeyError('HTTP_BAD_RESPONSE', { status });
  return { key: parsed.data.key, userId: parsed.data.user_id ?? null };
}

/** `GET /api/v1/key` with the key as Bearer: facts about the key (label, usage, limit). */
export function buildKeyInfoRequest(baseUrl: URL, key: string): HttpRequest {
  return {
    url: new URL('/api/v1/key', baseUrl),
    init: {
      method: 'GET',
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    },
  };
}

const finiteOrNull = z
  .number()
  .finite()
  .nullish()
  .transform((v) => v ?? null);

const keyInfoSchema = z.object({
  data: z.object({
    label: z
      .string()
      .max(512)
      .nullish()
      .transform((v) => v ?? null),
    usage: finiteOrNull,
    limit: finiteOrNull,
    limit_remaining: finiteOrNull,
    is_free_tier: z
      .boolean()
      .nullish()
      .transform((v) => v ?? null),
  }),
});

/** Processes `GET /api/v1/key`; 401 → `AUTH_KEY_REVOKED` (the caller signs out). */
export function processKeyInfoResponse(response: HttpResponse, now: number): AccountView {
  if (response.status === 401) {
    throw new LatchkeyError('AUTH_KEY_REVOKED', { status: 401 });
  }
  if (response.status !== 200) throw statusError(response);
  const parsed = keyInfoSchema.safeParse(parseJsonBody(response));
  if (!parsed.success) throw new LatchkeyError('HTTP_BAD_RESPONSE', { status: 200 });
  const { label, usage, limit, limit_remaining, is_free_tier } = parsed.data.data;
  return {
    label,
    usage,
    limit,
    limitRemaining: limit_remaining,
    isFreeTier: is_free_tier,
    fetchedAt: now,
    stale: false,
  };
}

/**
 * OpenRouter as a provider definition: a nonce in the callback path (no `state`), both routes
 * back, a long-lived key instead of tokens, account facts from `GET /api/v1/key`, chat.
 */
export function createOpenRouterFlow(options: { baseUrl: URL; keyLabel: string }): ProviderFlow {
  const { baseUrl, keyLabel } = options;
  return {
    id: 'openrouter',
    displayName: OPENROUTER.displayName,
    binding: 'path',
    routes: ['deep-link', 'loopback'],
    canChat: true,
    revokeUrl: OPENROUTER.revokeUrl,
    registeredRedirectUri: null,
    chatUrl: new URL('/api/v1/', baseUrl),
    prepare: ({ redirectUri, codeChallenge }) =>
      Promise.resolve({
        url: buildAuthorizationUrl(baseUrl, { callbackUrl: redirectUri, codeChallenge, keyLabel }),
        exchangeUrl: keyExchangeUrl(baseUrl),
      }),
    async exchange({ code, verifier }, ctx) {
      const response = await send(
        ctx.fetch,
        buildKeyExchangeRequest(baseUrl, { code, codeVerifier: verifier }),
        {
          timeoutMs: ctx.timeoutMs,
          maxBytes: OPENROUTER.maxResponseBytes,
          ...(ctx.signal && { signal: ctx.signal }),
        },
      );
      return { kind: 'key', key: processKeyExchangeResponse(response).key };
    },
    async account(credential, ctx) {
      const key = credential.kind === 'key' ? credential.key : credential.accessToken;
      const response = await send(ctx.fetch, buildKeyInfoRequest(baseUrl, key), {
        timeoutMs: ctx.timeoutMs,
        maxBytes: OPENROUTER.maxResponseBytes,
        ...(ctx.signal && { signal: ctx.signal }),
      });
      return processKeyInfoResponse(response, ctx.now());
    },
  };
}
