import { describe, expect, it } from 'vitest';
import type { YooaiSettings } from '../../../preload/api';
import type { TokenCredential } from '../../../main/auth/flow';
import {
  YOOAI_DEFAULTS,
  buildYooaiAuthorizationUrl,
  buildYooaiProbeRequest,
  buildYooaiRefreshRequest,
  buildYooaiTokenRequest,
  createYooaiFlow,
  processYooaiTokenResponse,
  validateYooaiSettings,
  yooaiDefaults,
  type YooaiResponseOptions,
} from '../../../main/auth/yooai';
import { LatchkeyError, toErrorView } from '../../../main/errors';
import type { HttpResponse } from '../../../main/http/request';
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
} from './fake-fetch';

const SCHEME = 'app.latchkey';
const NOW = 1_750_000_000_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const SETTINGS: YooaiSettings = {
  baseUrl: 'https://saas.api.yoo-ai.com',
  appId: '9767336922475223578182683125',
  unionId: 'tk84441',
  scope: 'SCOPE',
  redirectUri: 'app.latchkey://oauth/yooai',
  refreshPath: '/oauth/refresh_token',
  tokenLifetimeSeconds: 7200,
};

/** The documented token response (seed 002), with our app id. */
const TOKEN_BODY = {
  app_id: SETTINGS.appId,
  access_key_id: 'IzYwSX31Z9iEnhsaQpMcA0TfO4BlKdHx',
  access_token: 'bDPzJkJ63K5m5gBkBt3Ypumc8kZMkCRg',
  refresh_token: 'rjWD9fHJ5YxFcVVzXgHf6v4t4bftFuKS',
  expire_date: 1750326609,
  union_id: '5YnJestvva',
};

function response(
  status: number,
  body: string,
  type = 'application/json',
  extra: Record<string, string> = {},
): HttpResponse {
  return { status, body, headers: new Headers({ 'content-type': type, ...extra }) };
}

const ctx = contextAt(NOW);

/** A stored sign-in, as refreshes start from. */
const PREVIOUS: TokenCredential = {
  kind: 'tokens',
  accessToken: 'old-access',
  refreshToken: 'old-refresh',
  accessExpiresAt: NOW,
  refreshExpiresAt: NOW + DAY_MS,
  label: '5YnJestvva',
  extra: { access_key_id: 'AK', union_id: '5YnJestvva', app_id: SETTINGS.appId },
};

const EXCHANGE: YooaiResponseOptions = { now: NOW, settings: SETTINGS };
const REFRESH: YooaiResponseOptions = { now: NOW, settings: SETTINGS, grant: 'refresh_token' };

describe('settings', () => {
  it('normalizes valid settings (trimmed, base URL without trailing slash)', () => {
    expect(
      validateYooaiSettings(
        {
          ...SETTINGS,
          baseUrl: '  https://saas.api.yoo-ai.com/  ',
          appId: ` ${SETTINGS.appId} `,
          unionId: '\ttk84441\n',
          scope: ' SCOPE ',
          redirectUri: ` ${SETTINGS.redirectUri} `,
          refreshPath: ' /oauth/refresh_token ',
        },
        { scheme: SCHEME },
      ),
    ).toEqual(SETTINGS);
  });

  it.each([
    ['loopback http base URL', { baseUrl: 'http://127.0.0.1:4010' }],
    ['base URL with a path prefix', { baseUrl: 'https://gw.example.com/yoo' }],
    ['https bridge page as redirect', { redirectUri: 'https://www.yoo-ai.com/oauth/apps' }],
    ['empty scope', { scope: '' }],
    ['shortest lifetime', { tokenLifetimeSeconds: 300 }],
    ['longest lifetime', { tokenLifetimeSeconds: 2_592_000 }],
    ['other refresh path', { refreshPath: '/api/v2/oauth/refresh-token' }],
  ])('accepts %s', (_name, patch: Partial<YooaiSettings>) => {
    expect(() =>
      validateYooaiSettings({ ...SETTINGS, ...patch }, { scheme: SCHEME }),
    ).not.toThrow();
  });

  it.each<[keyof YooaiSettings, unknown]>([
    ['baseUrl', ''],
    ['baseUrl', 'not a url'],
    ['baseUrl', 'http://saas.api.yoo-ai.com'],
    ['baseUrl', 'http://10.0.0.1'],
    ['baseUrl', 'ftp://saas.api.yoo-ai.com'],
    ['baseUrl', 'https://user:pass@saas.api.yoo-ai.com'],
    ['baseUrl', 'https://saas.api.yoo-ai.com/?x=1'],
    ['baseUrl', 'https://saas.api.yoo-ai.com/#x'],
    ['baseUrl', `https://saas.api.yoo-ai.com/${'a'.repeat(3000)}`],
    ['baseUrl', 42],
    ['appId', ''],
    ['appId', '   '],
    ['appId', 'a b'],
    ['appId', 'x'.repeat(129)],
    ['appId', 'é'],
    ['appId', 'a\u0000b'],
    ['appId', null],
    ['unionId', ''],
    ['unionId', 'tk 84441'],
    ['unionId', 'u'.repeat(129)],
    ['unionId', '联合'],
    ['scope', 's'.repeat(513)],
    ['scope', 'a\u0001b'],
    ['scope', '范围'],
    ['redirectUri', ''],
    ['redirectUri', 'http://www.yoo-ai.com/oauth/apps'],
    ['redirectUri', 'app.latchkey.evil://oauth/yooai'],
    ['redirectUri', 'APP.LATCHKEY://oauth/yooai'],
    ['redirectUri', 'app.latchkey://oauth/openrouter'],
    ['redirectUri', 'app.latchkey://oauth/yooai/extra'],
    ['redirectUri', 'https://www.yoo-ai.com/oauth/apps#frag'],
    ['redirectUri', 'https://user@www.yoo-ai.com/oauth/apps'],
    ['redirectUri', 'https://www.yoo-ai.com/oauth/apps?x=1'],
    ['redirectUri', 'javascript:alert(1)'],
    ['refreshPath', ''],
    ['refreshPath', 'oauth/refresh_token'],
    ['refreshPath', '/oauth/../admin'],
    ['refreshPath', '/oauth/..'],
    ['refreshPath', '//evil.example/x'],
    ['refreshPath', '/oauth/refresh?x=1'],
    ['refreshPath', '/oauth/refresh#x'],
    ['refreshPath', '/oauth\\refresh'],
    ['refreshPath', '/oauth refresh'],
    ['refreshPath', `/${'p'.repeat(300)}`],
    ['tokenLifetimeSeconds', 299],
    ['tokenLifetimeSeconds', 2_592_001],
    ['tokenLifetimeSeconds', 7200.5],
    ['tokenLifetimeSeconds', Number.NaN],
    ['tokenLifetimeSeconds', Number.POSITIVE_INFINITY],
    ['tokenLifetimeSeconds', '7200'],
  ])('rejects %s = %j', (field, value) => {
    const error = caught(() =>
      validateYooaiSettings({ ...SETTINGS, [field]: value } as YooaiSettings, { scheme: SCHEME }),
    );
    expect(error.code).toBe('SETTINGS_INVALID');
    expect(error.details.field).toBe(field);
  });

  it('reports the first bad field', () => {
    const error = caught(() =>
      validateYooaiSettings(
        { ...SETTINGS, unionId: '', tokenLifetimeSeconds: 1 },
        { scheme: SCHEME },
      ),
    );
    expect(error.details.field).toBe('unionId');
  });

  it('the custom-scheme redirect must be for the configured scheme', () => {
    expect(
      caught(() => validateYooaiSettings(SETTINGS, { scheme: 'app.latchkey.dev' })).details.field,
    ).toBe('redirectUri');
  });

  it('defaults: documented base URL, our callback, 2 h tokens; not configured without ids', () => {
    const defaults = yooaiDefaults(SCHEME);
    expect(defaults).toEqual({
      baseUrl: 'https://saas.api.yoo-ai.com',
      appId: '',
      unionId: '',
      scope: '',
      redirectUri: 'app.latchkey://oauth/yooai',
      refreshPath: '/oauth/refresh_token',
      tokenLifetimeSeconds: 7200,
    });
    expect(YOOAI_DEFAULTS.refreshPath).toBe('/oauth/refresh_token');
    expect(caught(() => validateYooaiSettings(defaults, { scheme: SCHEME })).details.field).toBe(
      'appId',
    );
  });
});

describe('authorization URL', () => {
  it('has exactly the seven documented parameters, in order, with S256', () => {
    const url = buildYooaiAuthorizationUrl(SETTINGS, {
      redirectUri: 'app.latchkey://oauth/yooai',
      state: 's'.repeat(43),
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    });
    const parsed = new URL(url.href);
    expect(parsed.origin + parsed.pathname).toBe('https://saas.api.yoo-ai.com/oauth/authorize');
    expect([...parsed.searchParams]).toEqual([
      ['response_type', 'code'],
      ['app_id', SETTINGS.appId],
      ['redirect_uri', 'app.latchkey://oauth/yooai'],
      ['state', 's'.repeat(43)],
      ['code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
      ['code_challenge_method', 'S256'],
      ['scope', 'SCOPE'],
    ]);
  });

  it('sends an empty scope rather than none, and keeps a base path prefix', () => {
    const url = buildYooaiAuthorizationUrl(
      { ...SETTINGS, baseUrl: 'http://127.0.0.1:4010/yoo', scope: '' },
      { redirectUri: 'https://www.yoo-ai.com/oauth/apps', state: 'st', codeChallenge: 'ch' },
    );
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:4010/yoo/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe('');
    expect([...url.searchParams.keys()]).toHaveLength(7);
    expect(url.searchParams.get('redirect_uri')).toBe('https://www.yoo-ai.com/oauth/apps');
  });
});

describe('token and refresh requests', () => {
  it('token request: POST JSON {code, app_id, code_verifier, expire_date, union_id}', () => {
    const request = buildYooaiTokenRequest(SETTINGS, {
      code: 'WZmPRDcjJhfwHD',
      verifier: 'v'.repeat(43),
      expireDate: 1750491362,
    });
    expect(request.url.href).toBe('https://saas.api.yoo-ai.com/oauth/token');
    expect(request.init.method).toBe('POST');
    expect(new Headers(request.init.headers).get('content-type')).toBe('application/json');
    expect(request.init.body).toBe(
      JSON.stringify({
        code: 'WZmPRDcjJhfwHD',
        app_id: SETTINGS.appId,
        code_verifier: 'v'.repeat(43),
        expire_date: 1750491362,
        union_id: 'tk84441',
      }),
    );
  });

  it('refresh request: POST JSON {app_id, refresh_token, union_id, expire_date} to the configured path', () => {
    const request = buildYooaiRefreshRequest(
      { ...SETTINGS, baseUrl: 'https://gw.example.com/yoo', refreshPath: '/v2/token/refresh' },
      { refreshToken: 'rt-1', unionId: '5YnJestvva', expireDate: 1750491362 },
    );
    expect(request.url.href).toBe('https://gw.example.com/yoo/v2/token/refresh');
    expect(request.init.method).toBe('POST');
    expect(request.init.body).toBe(
      JSON.stringify({
        app_id: SETTINGS.appId,
        refresh_token: 'rt-1',
        union_id: '5YnJestvva',
        expire_date: 1750491362,
      }),
    );
  });
});

describe('token response', () => {
  it('maps the documented body to a credential', () => {
    expect(processYooaiTokenResponse(response(200, JSON.stringify(TOKEN_BODY)), EXCHANGE)).toEqual({
      kind: 'tokens',
      accessToken: TOKEN_BODY.access_token,
      refreshToken: TOKEN_BODY.refresh_token,
      accessExpiresAt: 1750326609 * 1000,
      refreshExpiresAt: NOW + 30 * DAY_MS,
      label: '5YnJestvva',
      extra: {
        access_key_id: TOKEN_BODY.access_key_id,
        union_id: '5YnJestvva',
        app_id: SETTINGS.appId,
      },
    });
  });

  it.each<[string, string, string?]>([
    ['HTML', '<html><body>502 Bad Gateway</body></html>', 'text/html'],
    ['HTML labelled JSON', '<html></html>'],
    ['empty', ''],
    ['null', 'null'],
    ['an array', '[]'],
    ['truncated JSON', JSON.stringify(TOKEN_BODY).slice(0, 40)],
    ['no content type', JSON.stringify(TOKEN_BODY), ''],
    ['access_token ""', JSON.stringify({ ...TOKEN_BODY, access_token: '' })],
    ['access_token 123', JSON.stringify({ ...TOKEN_BODY, access_token: 123 })],
    ['access_token null', JSON.stringify({ ...TOKEN_BODY, access_token: null })],
    ['access_token with a space', JSON.stringify({ ...TOKEN_BODY, access_token: 'a b' })],
    ['access_token too long', JSON.stringify({ ...TOKEN_BODY, access_token: 'a'.repeat(513) })],
    ['refresh_token missing', JSON.stringify({ ...TOKEN_BODY, refresh_token: undefined })],
    ['access_key_id missing', JSON.stringify({ ...TOKEN_BODY, access_key_id: undefined })],
    ['union_id 5', JSON.stringify({ ...TOKEN_BODY, union_id: 5 })],
    ['expire_date as a string', JSON.stringify({ ...TOKEN_BODY, expire_date: '1750326609' })],
    ['expire_date negative', JSON.stringify({ ...TOKEN_BODY, expire_date: -1 })],
    ['expire_date zero', JSON.stringify({ ...TOKEN_BODY, expire_date: 0 })],
    ['expire_date fractional', JSON.stringify({ ...TOKEN_BODY, expire_date: 1750326609.5 })],
    ['an error shape under 200', '{"code":40001,"msg":"app not found"}'],
  ])('200 with %s → HTTP_BAD_RESPONSE', (_name, body, type = 'application/json') => {
    expect(caught(() => processYooaiTokenResponse(response(200, body, type), EXCHANGE)).code).toBe(
      'HTTP_BAD_RESPONSE',
    );
  });

  it('an error shape under 200 keeps the provider text', () => {
    const error = caught(() =>
      processYooaiTokenResponse(response(200, '{"code":40001,"msg":"app not found"}'), EXCHANGE),
    );
    expect(error.details.providerMessage).toBe('app not found');
  });

  it.each<[number, string, string, string]>([
    [400, '{"error":"invalid_grant"}', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [401, '{"error":"invalid_grant"}', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [403, '{"error":"invalid_grant"}', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [400, '{"error":"invalid_client"}', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [401, '', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [401, '<html>no</html>', 'AUTH_EXCHANGE_REJECTED', 'AUTH_SESSION_ENDED'],
    [
      400,
      '{"code":"invalid_grant","msg":"expired"}',
      'AUTH_EXCHANGE_REJECTED',
      'AUTH_SESSION_ENDED',
    ],
    [400, '{"error":"invalid_request"}', 'HTTP_CLIENT_ERROR', 'HTTP_CLIENT_ERROR'],
    [400, '', 'HTTP_CLIENT_ERROR', 'HTTP_CLIENT_ERROR'],
    [403, '{"code":40301,"msg":"forbidden"}', 'HTTP_CLIENT_ERROR', 'HTTP_CLIENT_ERROR'],
    [404, '{"error":"invalid_grant"}', 'HTTP_CLIENT_ERROR', 'AUTH_REFRESH_UNAVAILABLE'],
    [405, '', 'HTTP_CLIENT_ERROR', 'AUTH_REFRESH_UNAVAILABLE'],
    [429, '', 'HTTP_RATE_LIMITED', 'HTTP_RATE_LIMITED'],
    [500, '{"error":"invalid_grant"}', 'HTTP_SERVER_ERROR', 'HTTP_SERVER_ERROR'],
    [502, '<html>bad gateway</html>', 'HTTP_SERVER_ERROR', 'HTTP_SERVER_ERROR'],
    [503, '', 'HTTP_SERVER_ERROR', 'HTTP_SERVER_ERROR'],
    [302, '', 'HTTP_BAD_RESPONSE', 'HTTP_BAD_RESPONSE'],
    [201, JSON.stringify(TOKEN_BODY), 'HTTP_CLIENT_ERROR', 'HTTP_CLIENT_ERROR'],
  ])('%i %s → exchange %s, refresh %s', (status, body, exchangeCode, refreshCode) => {
    const res = response(status, body);
    const exchange = caught(() => processYooaiTokenResponse(res, EXCHANGE));
    const refresh = caught(() => processYooaiTokenResponse(res, REFRESH));
    expect(exchange.code).toBe(exchangeCode);
    expect(refresh.code).toBe(refreshCode);
    expect(exchange.details.status).toBe(status);
  });

  it('every status from 400 to 504 is a typed error, for both grants', () => {
    for (let status = 400; status <= 504; status++) {
      for (const options of [EXCHANGE, REFRESH]) {
        const error = caught(() => processYooaiTokenResponse(response(status, ''), options));
        expect(error.code).toMatch(/^(AUTH_|HTTP_)/);
        if (status >= 500 || status === 429) expect(error.code).toMatch(/^HTTP_/);
      }
    }
  });

  it('429 carries Retry-After when sent, and none otherwise', () => {
    const withHeader = caught(() =>
      processYooaiTokenResponse(
        response(429, '', 'application/json', { 'retry-after': '7' }),
        EXCHANGE,
      ),
    );
    expect(withHeader.code).toBe('HTTP_RATE_LIMITED');
    expect(withHeader.details.retryAfter).toBe(7);
    const without = caught(() => processYooaiTokenResponse(response(429, ''), REFRESH));
    expect(without.details.retryAfter).toBeUndefined();
  });

  it('error_description / msg / message become a clean providerMessage (≤ 300, no controls)', () => {
    const rfc = caught(() =>
      processYooaiTokenResponse(
        response(400, '{"error":"invalid_grant","error_description":"code\\r\\nexpired\\u0007"}'),
        EXCHANGE,
      ),
    );
    expect(rfc.details.providerMessage).toBe('code expired');
    const html = caught(() =>
      processYooaiTokenResponse(
        response(
          400,
          JSON.stringify({ error: 'invalid_grant', error_description: '<b>x</b>'.repeat(100) }),
        ),
        EXCHANGE,
      ),
    );
    expect(html.details.providerMessage).toHaveLength(300);
    expect(html.details.providerMessage?.startsWith('<b>x</b>')).toBe(true);
    const message = caught(() =>
      processYooaiTokenResponse(response(403, '{"code":403,"message":"没有权限"}'), EXCHANGE),
    );
    expect(message.details.providerMessage).toBe('没有权限');
  });

  it('refresh keeps what the response does not repeat', () => {
    const minimal = processYooaiTokenResponse(response(200, '{"access_token":"new-access"}'), {
      ...REFRESH,
      previous: PREVIOUS,
      requestedExpireDate: 1_750_007_200,
    });
    expect(minimal).toEqual({
      ...PREVIOUS,
      accessToken: 'new-access',
      accessExpiresAt: 1_750_007_200_000,
    });
    const full = processYooaiTokenResponse(response(200, JSON.stringify(TOKEN_BODY)), {
      ...REFRESH,
      previous: PREVIOUS,
    });
    expect(full.refreshToken).toBe(TOKEN_BODY.refresh_token);
    expect(full.refreshExpiresAt).toBe(NOW + 30 * DAY_MS);
    expect(full.extra['access_key_id']).toBe(TOKEN_BODY.access_key_id);
  });

  it("accepts an app_id in another form than ours, as the seed's own example answers", () => {
    // Seed 002: the token request names app 9767336922475223578182683125, the response 0274560981.
    const credential = processYooaiTokenResponse(
      response(200, JSON.stringify({ ...TOKEN_BODY, app_id: '0274560981' })),
      EXCHANGE,
    );
    expect(credential.accessToken).toBe(TOKEN_BODY.access_token);
    expect(credential.extra['app_id']).toBe('0274560981');
  });
});

describe('flow', () => {
  const flow = createYooaiFlow(SETTINGS, { scheme: SCHEME });

  it('is a state-bound, deep-link-only token provider without chat', () => {
    expect(flow).toMatchObject({
      id: 'yooai',
      displayName: 'YOO-AI',
      binding: 'state',
      routes: ['deep-link'],
      canChat: false,
      revokeUrl: null,
      registeredRedirectUri: null,
    });
    const bridged = createYooaiFlow(
      { ...SETTINGS, redirectUri: 'https://www.yoo-ai.com/oauth/apps' },
      { scheme: SCHEME },
    );
    expect(bridged.registeredRedirectUri).toBe('https://www.yoo-ai.com/oauth/apps');
  });

  it('refuses invalid settings', () => {
    expect(() => createYooaiFlow({ ...SETTINGS, appId: '' }, { scheme: SCHEME })).toThrow(
      LatchkeyError,
    );
  });

  it('prepare builds the authorization URL without any request', async () => {
    const { fetch } = scripted();
    const prepared = await flow.prepare(
      { redirectUri: SETTINGS.redirectUri, state: 'st', codeChallenge: 'ch' },
      ctx(fetch),
    );
    expect(prepared.url.searchParams.get('state')).toBe('st');
    expect(prepared.url.searchParams.get('code_challenge_method')).toBe('S256');
    // Where the exchange below posts: what the sign-in warms.
    expect(prepared.exchangeUrl.href).toBe('https://saas.api.yoo-ai.com/oauth/token');
  });

  it('exchange posts the code with expire_date = now + lifetime, redirect: error', async () => {
    const { fetch, calls } = scripted(json(TOKEN_BODY));
    const credential = await flow.exchange(
      {
        code: 'the-code',
        verifier: 'the-verifier',
        redirectUri: SETTINGS.redirectUri,
        state: 'st',
        iss: null,
      },
      ctx(fetch),
    );
    expect(credential).toMatchObject({ kind: 'tokens', accessToken: TOKEN_BODY.access_token });
    expect(calls[0]?.url).toBe('https://saas.api.yoo-ai.com/oauth/token');
    expect(calls[0]?.init.redirect).toBe('error');
    expect(calls[0]?.init.signal).toBeInstanceOf(AbortSignal);
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      code: 'the-code',
      app_id: SETTINGS.appId,
      code_verifier: 'the-verifier',
      expire_date: NOW / 1000 + 7200,
      union_id: 'tk84441',
    });
  });

  it('refresh uses the stored union_id and keeps extra and label', async () => {
    const { fetch, calls } = scripted(
      json({ access_token: 'new-access', refresh_token: 'new-refresh' }),
    );
    const next = await flow.refresh(PREVIOUS, ctx(fetch));
    expect(calls[0]?.url).toBe('https://saas.api.yoo-ai.com/oauth/refresh_token');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      app_id: SETTINGS.appId,
      refresh_token: 'old-refresh',
      union_id: '5YnJestvva',
      expire_date: NOW / 1000 + 7200,
    });
    expect(next).toEqual({
      kind: 'tokens',
      accessToken: 'new-access',
      refreshToken: 'new-refresh',
      accessExpiresAt: (NOW / 1000 + 7200) * 1000,
      refreshExpiresAt: NOW + 30 * DAY_MS,
      label: '5YnJestvva',
      extra: PREVIOUS.extra,
    });
  });

  it('refresh: invalid_grant ends the session; 503 and 429 do not', async () => {
    const previous: TokenCredential = {
      kind: 'tokens',
      accessToken: 'a',
      refreshToken: 'r',
      accessExpiresAt: NOW,
      refreshExpiresAt: null,
      label: null,
      extra: {},
    };
    const { fetch } = scripted(
      json({ error: 'invalid_grant' }, 400),
      json('', 503),
      json('', 429, { 'retry-after': '30' }),
    );
    expect((await rejected(flow.refresh(previous, ctx(fetch)))).code).toBe('AUTH_SESSION_ENDED');
    expect((await rejected(flow.refresh(previous, ctx(fetch)))).code).toBe('HTTP_SERVER_ERROR');
    const limited = await rejected(flow.refresh(previous, ctx(fetch)));
    expect(limited.code).toBe('HTTP_RATE_LIMITED');
    expect(limited.details.retryAfter).toBe(30);
  });

  it('refresh without a refresh token ends the session without a request', async () => {
    const { fetch } = scripted();
    const error = await rejected(
      flow.refresh(
        {
          kind: 'tokens',
          accessToken: 'a',
          refreshToken: null,
          accessExpiresAt: null,
          refreshExpiresAt: null,
          label: null,
          extra: {},
        },
        ctx(fetch),
      ),
    );
    expect(error.code).toBe('AUTH_SESSION_ENDED');
  });

  describe('transport failures of the exchange', () => {
    const input = {
      code: 'canary-code-123',
      verifier: 'canary-verifier-456',
      redirectUri: SETTINGS.redirectUri,
      state: 'st',
      iss: null,
    };

    it.each<[string, Answer, string]>([
      ['10 MB body', hugeBody, 'HTTP_RESPONSE_TOO_LARGE'],
      ['a redirect', fetchFailed('unexpected redirect'), 'HTTP_BAD_RESPONSE'],
      ['a connection reset', fetchFailed('read ECONNRESET'), 'NETWORK_OFFLINE'],
      ['a server that never answers', neverAnswers, 'HTTP_TIMEOUT'],
    ])('%s → %s, no secret in the error', async (_name, answer, code) => {
      const { fetch } = scripted(answer);
      const error = await rejected(flow.exchange(input, ctx(fetch, 50)));
      expect(error.code).toBe(code);
      expect(error.message).toBe(code);
      const view = JSON.stringify(toErrorView(error));
      expect(view).not.toContain('canary');
    });
  });
});

describe('probe (connectivity "Retry" with no refresh due)', () => {
  const flow = createYooaiFlow(SETTINGS, { scheme: SCHEME });

  it('is a GET of the documented authorize endpoint, with no query, body or credential', () => {
    const request = buildYooaiProbeRequest({ ...SETTINGS, baseUrl: 'https://gw.example.com/yoo' });
    expect(request.url.href).toBe('https://gw.example.com/yoo/oauth/authorize');
    expect(request.init.method).toBe('GET');
    expect(request.init.body).toBeUndefined();
    expect(new Headers(request.init.headers).has('authorization')).toBe(false);
  });

  it('any answer is enough: a 400 for the missing parameters, a 503, a page too large', async () => {
    const { fetch, calls } = scripted(
      json({ error: 'invalid_request' }, 400),
      json('unavailable', 503),
      hugeBody,
    );
    for (let i = 0; i < 3; i++) await flow.probe!(ctx(fetch));
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill(`${SETTINGS.baseUrl}/oauth/authorize`));
    expect(calls[0]?.init.redirect).toBe('error');
  });

  it.each([
    ['a connection reset', fetchFailed('read ECONNRESET'), 'NETWORK_OFFLINE'],
    ['a server that never answers', neverAnswers, 'HTTP_TIMEOUT'],
  ])('no answer (%s) rejects with %s', async (_name, answer, code) => {
    const { fetch } = scripted(answer);
    expect((await rejected(flow.probe!(ctx(fetch, 50)))).code).toBe(code);
  });
});
