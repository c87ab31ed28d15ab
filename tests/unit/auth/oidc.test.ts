import { describe, expect, it } from 'vitest';
import type { OidcSettings } from '../../../preload/api';
import type { ExchangeInput, TokenCredential } from '../../../main/auth/flow';
import {
  OIDC_DEFAULTS,
  buildOidcAuthorizationUrl,
  createOidcFlow,
  discoverOidcMetadata,
  validateOidcSettings,
} from '../../../main/auth/oidc';
import { LatchkeyError, toErrorView } from '../../../main/errors';
import {
  caught,
  contextAt,
  fetchFailed,
  hugeBody,
  json,
  neverAnswers,
  rejected,
  scripted,
  type Answer,
  type Call,
} from './fake-fetch';

const SCHEME = 'app.latchkey';
/** A fixed clock, far from the real one: ID token time checks must follow it. */
const NOW = 1_750_000_000_000;
const ISSUER = 'https://issuer.example';
const CLIENT_ID = 'latchkey-desktop';

const SETTINGS: OidcSettings = {
  displayName: 'Corp SSO',
  issuer: ISSUER,
  clientId: CLIENT_ID,
  scopes: 'openid profile email offline_access',
  chatUrl: 'https://gateway.example/v1',
};

const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  id_token_signing_alg_values_supported: ['RS256'],
  authorization_response_iss_parameter_supported: true,
};

const ctx = contextAt(NOW);

function form(call: Call | undefined): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(String(call?.init.body)));
}

/** An ID token as a token endpoint returns it (its signature is not checked over TLS). */
function idToken(claims: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    encode({ alg: 'RS256', typ: 'JWT' }),
    encode({
      iss: ISSUER,
      sub: 'user-1',
      aud: CLIENT_ID,
      iat: NOW / 1000,
      exp: NOW / 1000 + 3600,
      name: 'Ada Lovelace',
      email: 'ada@example.test',
      ...claims,
    }),
    'c2lnbmF0dXJl',
  ].join('.');
}

function tokens(extra: Record<string, unknown> = {}) {
  return {
    access_token: 'access-1',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'refresh-1',
    id_token: idToken(),
    scope: 'openid profile email offline_access',
    ...extra,
  };
}

function exchangeInput(overrides: Partial<ExchangeInput> = {}): ExchangeInput {
  return {
    code: 'canary-code-123',
    verifier: 'canary-verifier-456',
    redirectUri: 'app.latchkey://oauth/oidc',
    state: 'state-abc',
    iss: ISSUER,
    context: METADATA,
    ...overrides,
  };
}

const CREDENTIAL: TokenCredential = {
  kind: 'tokens',
  accessToken: 'access-0',
  refreshToken: 'refresh-0',
  accessExpiresAt: NOW,
  refreshExpiresAt: NOW + 1000,
  label: 'Ada Lovelace',
  extra: { token_type: 'bearer', sub: 'user-1' },
};

describe('settings', () => {
  it('normalizes valid settings', () => {
    expect(
      validateOidcSettings({
        displayName: '  Corp SSO ',
        issuer: ` ${ISSUER} `,
        clientId: ' latchkey-desktop ',
        scopes: '  openid\tprofile  email openid offline_access ',
        chatUrl: '  ',
      }),
    ).toEqual({ ...SETTINGS, chatUrl: null });
    expect(validateOidcSettings(SETTINGS)).toEqual(SETTINGS);
  });

  it.each<[string, Partial<OidcSettings>]>([
    ['plain OAuth 2.0 scopes', { scopes: 'api.read api:write' }],
    ['no scopes', { scopes: '' }],
    ['a loopback http issuer', { issuer: 'http://127.0.0.1:4444' }],
    ['an issuer with a path', { issuer: 'https://login.example/realms/corp' }],
    ['localhost chat', { chatUrl: 'http://localhost:8080/v1' }],
    ['a 40-character CJK name', { displayName: '单'.repeat(40) }],
    ['a client id with a space inside', { clientId: 'my client' }],
  ])('accepts %s', (_name, patch) => {
    expect(() => validateOidcSettings({ ...SETTINGS, ...patch })).not.toThrow();
  });

  it.each<[keyof OidcSettings, unknown]>([
    ['displayName', ''],
    ['displayName', '   '],
    ['displayName', 'n'.repeat(41)],
    ['displayName', 'a\nb'],
    ['displayName', null],
    ['issuer', ''],
    ['issuer', 'issuer.example'],
    ['issuer', 'http://issuer.example'],
    ['issuer', 'http://10.0.0.1'],
    ['issuer', 'https://issuer.example/?tenant=1'],
    ['issuer', 'https://issuer.example/#x'],
    ['issuer', 'https://user:pw@issuer.example'],
    ['issuer', `https://issuer.example/${'a'.repeat(3000)}`],
    ['clientId', ''],
    ['clientId', 'c'.repeat(257)],
    ['clientId', 'clïent'],
    ['clientId', 'a\u0000b'],
    ['clientId', 7],
    ['scopes', 'openid "quoted"'],
    ['scopes', 'openid back\\slash'],
    ['scopes', 'openid épée'],
    ['scopes', Array.from({ length: 21 }, (_, i) => `s${i}`).join(' ')],
    ['scopes', null],
    ['chatUrl', 'http://gateway.example/v1'],
    ['chatUrl', 'https://gateway.example/v1?key=1'],
    ['chatUrl', 'https://gateway.example/v1#x'],
    ['chatUrl', 'not a url'],
    ['chatUrl', 5],
  ])('rejects %s = %j', (field, value) => {
    const error = caught(() =>
      validateOidcSettings({ ...SETTINGS, [field]: value } as OidcSettings),
    );
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.details.field).toBe(field);
  });

  it('defaults ask for OIDC with a refresh token and are not configured until filled in', () => {
    expect(OIDC_DEFAULTS.scopes).toBe('openid profile email offline_access');
    expect(OIDC_DEFAULTS.chatUrl).toBeNull();
    expect(caught(() => validateOidcSettings(OIDC_DEFAULTS)).details.field).toBe('issuer');
  });
});

describe('flow definition', () => {
  it('is a state-bound provider with both routes; chat only with a chat URL', () => {
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect(flow).toMatchObject({
      id: 'oidc',
      displayName: 'Corp SSO',
      binding: 'state',
      routes: ['deep-link', 'loopback'],
      canChat: true,
      revokeUrl: null,
      registeredRedirectUri: null,
    });
    expect(flow.chatUrl?.href).toBe('https://gateway.example/v1');
    const noChat = createOidcFlow({ ...SETTINGS, chatUrl: null }, { scheme: SCHEME });
    expect(noChat.canChat).toBe(false);
    expect(noChat.chatUrl).toBeUndefined();
  });

  it('refuses invalid settings', () => {
    expect(() =>
      createOidcFlow({ ...SETTINGS, issuer: 'http://x.example' }, { scheme: SCHEME }),
    ).toThrow(LatchkeyError);
  });
});

describe('discovery and the authorization URL', () => {
  const input = {
    redirectUri: 'app.latchkey://oauth/oidc',
    state: 's'.repeat(43),
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  };

  it('discovers the metadata and builds the URL with state, S256 and prompt=consent', async () => {
    const { fetch, calls } = scripted(json(METADATA));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const prepared = await flow.prepare(input, ctx(fetch));
    expect(calls[0]?.url).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(calls[0]?.init.method).toBe('GET');
    expect(calls[0]?.init.redirect).toBe('error');
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
    const url = new URL(prepared.url.href);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/auth`);
    expect([...url.searchParams]).toEqual([
      ['response_type', 'code'],
      ['client_id', CLIENT_ID],
      ['redirect_uri', 'app.latchkey://oauth/oidc'],
      ['scope', 'openid profile email offline_access'],
      ['state', 's'.repeat(43)],
      ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
      ['code_challenge_method', 'S256'],
      ['prompt', 'consent'],
    ]);
    expect(prepared.context).toEqual(METADATA);
  });

  it('no prompt=consent without offline_access; no scope parameter without scopes', () => {
    const without = buildOidcAuthorizationUrl(
      METADATA,
      { ...SETTINGS, scopes: 'openid profile' },
      input,
    );
    expect(without.searchParams.has('prompt')).toBe(false);
    expect(without.searchParams.get('scope')).toBe('openid profile');
    const none = buildOidcAuthorizationUrl(METADATA, { ...SETTINGS, scopes: '' }, input);
    expect(none.searchParams.has('scope')).toBe(false);
    expect(none.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('falls back to RFC 8414 when OIDC discovery is 404', async () => {
    const issuer = `${ISSUER}/tenant`;
    const { fetch, calls } = scripted(
      json({ error: 'not found' }, 404),
      json({ ...METADATA, issuer }),
    );
    const as = await discoverOidcMetadata(new URL(issuer), ctx(fetch));
    expect(as.issuer).toBe(issuer);
    expect(calls.map((c) => c.url)).toEqual([
      `${ISSUER}/tenant/.well-known/openid-configuration`,
      `${ISSUER}/.well-known/oauth-authorization-server/tenant`,
    ]);
  });

  it.each<[string, Answer[], string, number?]>([
    [
      'an issuer mismatch',
      [json({ ...METADATA, issuer: 'https://evil.example' })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'an issuer that is not a URL',
      [json({ ...METADATA, issuer: 'nope' })],
      'AUTH_DISCOVERY_FAILED',
    ],
    ['404 twice', [json('', 404), json('', 404)], 'AUTH_DISCOVERY_FAILED', 404],
    ['503', [json('', 503)], 'AUTH_DISCOVERY_FAILED', 503],
    [
      'HTML',
      [json('<html></html>', 200, { 'content-type': 'text/html' })],
      'AUTH_DISCOVERY_FAILED',
    ],
    ['null', [json('null')], 'AUTH_DISCOVERY_FAILED'],
    [
      'no token endpoint',
      [json({ ...METADATA, token_endpoint: undefined })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'no authorization endpoint',
      [json({ ...METADATA, authorization_endpoint: undefined })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'an http token endpoint',
      [json({ ...METADATA, token_endpoint: 'http://issuer.example/token' })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'a loopback token endpoint for an https issuer',
      [json({ ...METADATA, token_endpoint: 'http://127.0.0.1:9/token' })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'no S256',
      [json({ ...METADATA, code_challenge_methods_supported: ['plain'] })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'no code flow',
      [json({ ...METADATA, response_types_supported: ['token'] })],
      'AUTH_DISCOVERY_FAILED',
    ],
    [
      'a 70 KB document',
      [json({ ...METADATA, pad: 'x'.repeat(70 * 1024) })],
      'AUTH_DISCOVERY_FAILED',
    ],
    ['a redirect', [fetchFailed('unexpected redirect')], 'AUTH_DISCOVERY_FAILED'],
    ['being offline', [fetchFailed('getaddrinfo ENOTFOUND')], 'NETWORK_OFFLINE'],
    ['a server that never answers', [neverAnswers], 'HTTP_TIMEOUT'],
  ])('discovery with %s → %s', async (_name, answers, code, status) => {
    const { fetch } = scripted(...answers);
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.prepare(input, ctx(fetch, 100)));
    expect(error.code).toBe(code);
    expect(error.details.status).toBe(status);
  });

  it('names the token endpoint the exchange then calls, on another host than the URL', async () => {
    const split = { ...METADATA, token_endpoint: 'https://tokens.example/oauth2/token' };
    const { fetch, calls } = scripted(json(split), json(tokens()));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const prepared = await flow.prepare(input, ctx(fetch));
    expect(prepared.url.origin).toBe(ISSUER);
    expect(prepared.exchangeUrl.href).toBe('https://tokens.example/oauth2/token');
    await flow.exchange(exchangeInput({ context: prepared.context }), ctx(fetch));
    expect(calls[1]?.url).toBe(prepared.exchangeUrl.href);
  });

  it('metadata without code_challenge_methods_supported is accepted (S256 is still sent)', async () => {
    const { fetch } = scripted(json({ ...METADATA, code_challenge_methods_supported: undefined }));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const prepared = await flow.prepare(input, ctx(fetch));
    expect(prepared.url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('exchange', () => {
  it('sends the code to the pinned token endpoint and maps the tokens', async () => {
    const pinned = { ...METADATA, token_endpoint: `${ISSUER}/pinned/token` };
    const { fetch, calls } = scripted(json(tokens()));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const credential = await flow.exchange(exchangeInput({ context: pinned }), ctx(fetch));
    expect(calls[0]?.url).toBe(`${ISSUER}/pinned/token`);
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.redirect).toBe('error');
    expect(new Headers(calls[0]?.init.headers).get('content-type')).toMatch(
      /^application\/x-www-form-urlencoded/,
    );
    expect(form(calls[0])).toEqual({
      grant_type: 'authorization_code',
      code: 'canary-code-123',
      redirect_uri: 'app.latchkey://oauth/oidc',
      code_verifier: 'canary-verifier-456',
      client_id: CLIENT_ID,
    });
    expect(credential).toEqual({
      kind: 'tokens',
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      accessExpiresAt: NOW + 3600 * 1000,
      refreshExpiresAt: null,
      label: 'Ada Lovelace',
      extra: { token_type: 'bearer', sub: 'user-1' },
    });
  });

  it('label falls back to email, preferred_username, then sub', async () => {
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const cases: [Record<string, unknown>, string][] = [
      [{ name: undefined }, 'ada@example.test'],
      [{ name: undefined, email: undefined, preferred_username: 'ada' }, 'ada'],
      [{ name: undefined, email: undefined }, 'user-1'],
      [{ name: 'Ada\u0007 Lovelace' }, 'Ada Lovelace'],
    ];
    for (const [claims, label] of cases) {
      const { fetch } = scripted(json(tokens({ id_token: idToken(claims) })));
      expect((await flow.exchange(exchangeInput(), ctx(fetch))).label).toBe(label);
    }
  });

  it('refresh_expires_in (Keycloak) sets the session end; 0 means none', async () => {
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const { fetch } = scripted(
      json(tokens({ refresh_expires_in: 1800 })),
      json(tokens({ refresh_expires_in: 0 })),
    );
    expect((await flow.exchange(exchangeInput(), ctx(fetch))).refreshExpiresAt).toBe(
      NOW + 1800 * 1000,
    );
    expect((await flow.exchange(exchangeInput(), ctx(fetch))).refreshExpiresAt).toBeNull();
  });

  it('plain OAuth 2.0 (no openid scope): no ID token needed, no label', async () => {
    const flow = createOidcFlow({ ...SETTINGS, scopes: 'api' }, { scheme: SCHEME });
    const { fetch } = scripted(json(tokens({ id_token: undefined, expires_in: undefined })));
    expect(await flow.exchange(exchangeInput(), ctx(fetch))).toMatchObject({
      accessExpiresAt: null,
      label: null,
      extra: { token_type: 'bearer' },
    });
  });

  it.each<[string, string | null, Record<string, unknown>]>([
    ['another issuer in the callback', 'https://evil.example', METADATA],
    ['no iss where the server sends one', null, METADATA],
    [
      'another issuer even where iss is optional',
      'https://evil.example',
      { ...METADATA, authorization_response_iss_parameter_supported: undefined },
    ],
  ])('%s → AUTH_ISSUER_MISMATCH, no token request', async (_name, iss, context) => {
    const { fetch } = scripted();
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.exchange(exchangeInput({ iss, context }), ctx(fetch)));
    expect(error.code).toBe('AUTH_ISSUER_MISMATCH');
  });

  it('no iss is fine where the server does not advertise it', async () => {
    const { fetch } = scripted(json(tokens()));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const context = { ...METADATA, authorization_response_iss_parameter_supported: false };
    await expect(
      flow.exchange(exchangeInput({ iss: null, context }), ctx(fetch)),
    ).resolves.toMatchObject({ accessToken: 'access-1' });
  });

  it('an ID token from another issuer → AUTH_ISSUER_MISMATCH', async () => {
    const { fetch } = scripted(
      json(tokens({ id_token: idToken({ iss: 'https://evil.example' }) })),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await rejected(flow.exchange(exchangeInput(), ctx(fetch)))).code).toBe(
      'AUTH_ISSUER_MISMATCH',
    );
  });

  it('without the metadata of its attempt there is no exchange', async () => {
    const { fetch } = scripted();
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    for (const context of [undefined, null, {}, { ...METADATA, issuer: 'https://evil.example' }]) {
      expect((await rejected(flow.exchange(exchangeInput({ context }), ctx(fetch)))).code).toBe(
        'AUTH_NO_PENDING_SIGN_IN',
      );
    }
  });

  it.each<[string, Answer, string, number?]>([
    [
      'invalid_grant',
      json({ error: 'invalid_grant', error_description: 'code expired' }, 400),
      'AUTH_EXCHANGE_REJECTED',
      400,
    ],
    ['invalid_client', json({ error: 'invalid_client' }, 401), 'AUTH_PROVIDER_ERROR', 401],
    [
      'a WWW-Authenticate challenge',
      json('', 401, { 'www-authenticate': 'Basic realm="x", error="invalid_client"' }),
      'AUTH_PROVIDER_ERROR',
      401,
    ],
    ['invalid_request', json({ error: 'invalid_request' }, 400), 'AUTH_PROVIDER_ERROR', 400],
    [
      '404 HTML',
      json('<html></html>', 404, { 'content-type': 'text/html' }),
      'HTTP_CLIENT_ERROR',
      404,
    ],
    ['400 without an error', json({}, 400), 'HTTP_CLIENT_ERROR', 400],
    ['503', json('', 503), 'HTTP_SERVER_ERROR', 503],
    ['500 with an OAuth error', json({ error: 'server_error' }, 500), 'HTTP_SERVER_ERROR', 500],
    ['429 with a JSON error', json({ error: 'slow_down' }, 429), 'HTTP_RATE_LIMITED', 429],
    [
      '200 HTML',
      json('<html></html>', 200, { 'content-type': 'text/html' }),
      'HTTP_BAD_RESPONSE',
      200,
    ],
    ['200 empty', json(''), 'HTTP_BAD_RESPONSE', 200],
    ['200 null', json('null'), 'HTTP_BAD_RESPONSE', 200],
    ['200 truncated', json(JSON.stringify(tokens()).slice(0, 30)), 'HTTP_BAD_RESPONSE', 200],
    ['access_token ""', json(tokens({ access_token: '' })), 'HTTP_BAD_RESPONSE', 200],
    ['access_token 123', json(tokens({ access_token: 123 })), 'HTTP_BAD_RESPONSE', 200],
    ['no token_type', json(tokens({ token_type: undefined })), 'HTTP_BAD_RESPONSE', 200],
    ['token_type mac', json(tokens({ token_type: 'mac' })), 'HTTP_BAD_RESPONSE', 200],
    ['expires_in "soon"', json(tokens({ expires_in: 'soon' })), 'HTTP_BAD_RESPONSE', 200],
    ['no ID token for openid', json(tokens({ id_token: undefined })), 'HTTP_BAD_RESPONSE', 200],
    [
      'an ID token for another client',
      json(tokens({ id_token: idToken({ aud: 'other' }) })),
      'HTTP_BAD_RESPONSE',
      200,
    ],
    [
      'an expired ID token',
      json(tokens({ id_token: idToken({ exp: NOW / 1000 - 3600 }) })),
      'HTTP_BAD_RESPONSE',
      200,
    ],
    ['a garbled ID token', json(tokens({ id_token: 'not.a.jwt' })), 'HTTP_BAD_RESPONSE', 200],
    [
      'an ID token with a nonce we never sent',
      json(tokens({ id_token: idToken({ nonce: 'n' }) })),
      'HTTP_BAD_RESPONSE',
      200,
    ],
  ])('%s → %s', async (_name, answer, code, status) => {
    const { fetch } = scripted(answer);
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.exchange(exchangeInput(), ctx(fetch)));
    expect(error.code).toBe(code);
    expect(error.details.status).toBe(status);
    expect(error.message).toBe(code);
    expect(JSON.stringify(toErrorView(error))).not.toContain('canary');
  });

  it('providerMessage is the error_description', async () => {
    const { fetch } = scripted(
      json({ error: 'invalid_grant', error_description: 'code\r\nexpired' }, 400),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.exchange(exchangeInput(), ctx(fetch)));
    expect(error.details.providerMessage).toBe('code expired');
  });

  it('every status from 400 to 504 is a typed error', async () => {
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    for (let status = 400; status <= 504; status++) {
      const { fetch } = scripted(json('', status));
      const error = await rejected(flow.exchange(exchangeInput(), ctx(fetch)));
      expect(error.code).toMatch(/^(AUTH_|HTTP_)/);
    }
  });

  it('429 carries Retry-After when sent', async () => {
    const { fetch } = scripted(json('', 429, { 'retry-after': '12' }), json('', 429));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await rejected(flow.exchange(exchangeInput(), ctx(fetch)))).details.retryAfter).toBe(
      12,
    );
    expect(
      (await rejected(flow.exchange(exchangeInput(), ctx(fetch)))).details.retryAfter,
    ).toBeUndefined();
  });

  it.each<[string, Answer, string]>([
    ['a connection reset', fetchFailed('read ECONNRESET'), 'NETWORK_OFFLINE'],
    ['a redirect', fetchFailed('unexpected redirect'), 'HTTP_BAD_RESPONSE'],
    ['a 10 MB body', hugeBody, 'HTTP_RESPONSE_TOO_LARGE'],
    ['a server that never answers', neverAnswers, 'HTTP_TIMEOUT'],
  ])('%s → %s', async (_name, answer, code) => {
    const { fetch } = scripted(answer);
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.exchange(exchangeInput(), ctx(fetch, 50)));
    expect(error.code).toBe(code);
  });
});

describe('refresh', () => {
  it('discovers once per flow, then rotates the refresh token', async () => {
    const { fetch, calls } = scripted(
      json(METADATA),
      json(tokens({ access_token: 'access-2', refresh_token: 'refresh-2', id_token: undefined })),
      json(tokens({ access_token: 'access-3', refresh_token: 'refresh-3', id_token: undefined })),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const first = await flow.refresh(CREDENTIAL, ctx(fetch));
    const second = await flow.refresh(first, ctx(fetch));
    expect(calls.map((c) => c.url)).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      `${ISSUER}/token`,
      `${ISSUER}/token`,
    ]);
    expect(form(calls[1])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-0',
      client_id: CLIENT_ID,
    });
    expect(form(calls[2])['refresh_token']).toBe('refresh-2');
    expect(second).toEqual({
      kind: 'tokens',
      accessToken: 'access-3',
      refreshToken: 'refresh-3',
      accessExpiresAt: NOW + 3600 * 1000,
      refreshExpiresAt: null,
      label: 'Ada Lovelace',
      extra: { token_type: 'bearer', sub: 'user-1' },
    });
  });

  it('without a new refresh token the old one (and its end) is kept', async () => {
    const { fetch } = scripted(
      json(METADATA),
      json({ access_token: 'access-2', token_type: 'bearer', expires_in: 60 }),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect(await flow.refresh(CREDENTIAL, ctx(fetch))).toEqual({
      ...CREDENTIAL,
      accessToken: 'access-2',
      accessExpiresAt: NOW + 60 * 1000,
    });
  });

  it('a new ID token updates the label; another subject ends the session', async () => {
    const { fetch } = scripted(
      json(METADATA),
      json(tokens({ id_token: idToken({ name: 'Ada King' }) })),
      json(tokens({ id_token: idToken({ sub: 'user-2' }) })),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await flow.refresh(CREDENTIAL, ctx(fetch))).label).toBe('Ada King');
    expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe('AUTH_SESSION_ENDED');
  });

  it('invalid_grant ends the session', async () => {
    const { fetch } = scripted(
      json(METADATA),
      json({ error: 'invalid_grant', error_description: 'refresh token already used' }, 400),
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.refresh(CREDENTIAL, ctx(fetch)));
    expect(error.code).toBe('AUTH_SESSION_ENDED');
    expect(error.details.providerMessage).toBe('refresh token already used');
  });

  it.each(['invalid_client', 'unauthorized_client', 'invalid_scope'])(
    '%s on a refresh ends the session (no retry can cure it)',
    async (oauthError) => {
      const { fetch } = scripted(
        json(METADATA),
        json({ error: oauthError }, oauthError === 'invalid_client' ? 401 : 400),
      );
      const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
      expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe(
        'AUTH_SESSION_ENDED',
      );
    },
  );

  it('other OAuth errors on a refresh are provider errors (the auth service ends the session on them too)', async () => {
    const { fetch } = scripted(json(METADATA), json({ error: 'invalid_request' }, 400));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe('AUTH_PROVIDER_ERROR');
  });

  it('503, 429 and offline are transient, and the next attempt discovers again', async () => {
    const offline = fetchFailed('ECONNREFUSED');
    const { fetch, calls } = scripted(
      json(METADATA),
      json({ error: 'temporarily_unavailable' }, 503),
      json(METADATA),
      json('', 429, { 'retry-after': '5' }),
      json(METADATA),
      offline,
      offline,
    );
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe('HTTP_SERVER_ERROR');
    const limited = await rejected(flow.refresh(CREDENTIAL, ctx(fetch)));
    expect(limited.code).toBe('HTTP_RATE_LIMITED');
    expect(limited.details.retryAfter).toBe(5);
    expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe('NETWORK_OFFLINE');
    expect((await rejected(flow.refresh(CREDENTIAL, ctx(fetch)))).code).toBe('NETWORK_OFFLINE');
    expect(calls).toHaveLength(7);
  });

  it('no refresh token: the session is over, no request', async () => {
    const { fetch } = scripted();
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    const error = await rejected(flow.refresh({ ...CREDENTIAL, refreshToken: null }, ctx(fetch)));
    expect(error.code).toBe('AUTH_SESSION_ENDED');
  });
});

describe('plain http', () => {
  const LOOPBACK = 'http://127.0.0.1:4444';
  const loopbackMetadata = {
    ...METADATA,
    issuer: LOOPBACK,
    authorization_endpoint: `${LOOPBACK}/auth`,
    token_endpoint: `${LOOPBACK}/token`,
  };

  it('is allowed for a loopback issuer (discovery, exchange, refresh)', async () => {
    const { fetch, calls } = scripted(
      json(loopbackMetadata),
      json(tokens({ id_token: idToken({ iss: LOOPBACK }) })),
      json(tokens({ id_token: undefined })),
    );
    const flow = createOidcFlow({ ...SETTINGS, issuer: LOOPBACK }, { scheme: SCHEME });
    const prepared = await flow.prepare(
      { redirectUri: 'http://127.0.0.1:5555/oauth/oidc', state: 'st', codeChallenge: 'ch' },
      ctx(fetch),
    );
    expect(prepared.url.origin).toBe(LOOPBACK);
    const credential = await flow.exchange(
      exchangeInput({ iss: LOOPBACK, context: prepared.context }),
      ctx(fetch),
    );
    await flow.refresh(credential, ctx(fetch));
    expect(calls.map((c) => c.url)).toEqual([
      `${LOOPBACK}/.well-known/openid-configuration`,
      `${LOOPBACK}/token`,
      `${LOOPBACK}/token`,
    ]);
  });

  it('is rejected for any other host: by the settings, and by the requests themselves', async () => {
    expect(
      caught(() => validateOidcSettings({ ...SETTINGS, issuer: 'http://issuer.example' })).details
        .field,
    ).toBe('issuer');
    const { fetch, calls } = scripted();
    const error = await rejected(
      discoverOidcMetadata(new URL('http://issuer.example'), ctx(fetch)),
    );
    expect(error.code).toBe('AUTH_DISCOVERY_FAILED');
    // A token endpoint on a non-loopback http host is refused before any request, even when the
    // issuer is loopback: insecure requests are allowed per URL, never per flow.
    const flow = createOidcFlow({ ...SETTINGS, issuer: LOOPBACK }, { scheme: SCHEME });
    const context = { ...loopbackMetadata, token_endpoint: 'http://issuer.example/token' };
    const refused = await rejected(
      flow.exchange(exchangeInput({ iss: LOOPBACK, context }), ctx(fetch)),
    );
    expect(refused.code).toBe('HTTP_BAD_RESPONSE');
    expect(calls).toHaveLength(0);
  });
});

describe('probe (connectivity "Retry" with no refresh due)', () => {
  it('fetches the discovery document, and renews the metadata the next refresh uses', async () => {
    const moved = { ...METADATA, token_endpoint: `${ISSUER}/v2/token` };
    const { fetch, calls } = scripted(json(METADATA), json(moved), json(tokens()));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    await flow.probe!(ctx(fetch));
    await flow.probe!(ctx(fetch));
    await flow.refresh(CREDENTIAL, ctx(fetch));
    expect(calls.map((c) => c.url)).toEqual([
      `${ISSUER}/.well-known/openid-configuration`,
      `${ISSUER}/.well-known/openid-configuration`,
      `${ISSUER}/v2/token`,
    ]);
    expect(new Headers(calls[0]?.init.headers).has('authorization')).toBe(false);
  });

  it('any answer is enough, even one that is no discovery document', async () => {
    const { fetch } = scripted(json('unavailable', 503), json({ issuer: 'https://other.example' }));
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    await flow.probe!(ctx(fetch));
    await flow.probe!(ctx(fetch));
  });

  it.each([
    ['being offline', fetchFailed('getaddrinfo ENOTFOUND'), 'NETWORK_OFFLINE'],
    ['a server that never answers', neverAnswers, 'HTTP_TIMEOUT'],
  ])('no answer (%s) rejects with %s', async (_name, answer, code) => {
    const { fetch } = scripted(answer);
    const flow = createOidcFlow(SETTINGS, { scheme: SCHEME });
    expect((await rejected(flow.probe!(ctx(fetch, 50)))).code).toBe(code);
  });
});
