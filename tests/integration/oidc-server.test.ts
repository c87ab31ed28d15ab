import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  OIDC_ACCOUNT,
  OIDC_SCOPE,
  startOidcChatGateway,
  startOidcServer,
  type OidcServer,
  type OidcServerOptions,
} from '../fixtures/oidc-server';
import { runStandaloneFixture } from './standalone';

const APP_REDIRECT = 'app.latchkey.dev://oauth/oidc';
/** Only for the 127.0.0.1 test issuer: oauth4webapi refuses http otherwise. */
const INSECURE = { [oauth.allowInsecureRequests]: true } as const;

const running: OidcServer[] = [];
let oidc: OidcServer;
let as: oauth.AuthorizationServer;
let client: oauth.Client;
const clientAuth = oauth.None();

async function start(options: OidcServerOptions = {}) {
  oidc = await startOidcServer(options);
  running.push(oidc);
  const issuer = new URL(oidc.issuer);
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...INSECURE }),
  );
  client = { client_id: oidc.clientId };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

interface SignIn {
  callback: URL;
  params: URLSearchParams;
  verifier: string;
  redirectUri: string;
}

/** The app's authorization request (PKCE S256, state, prompt=consent), through `authorize()`. */
async function signIn(
  redirectUri = APP_REDIRECT,
  extra: Record<string, string> = { prompt: 'consent' },
): Promise<SignIn> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: OIDC_SCOPE,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  const callback = new URL(await oidc.authorize(url.href));
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { callback, params, verifier, redirectUri };
}

async function exchange(flow: SignIn, verifier = flow.verifier) {
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    clientAuth,
    flow.params,
    flow.redirectUri,
    verifier,
    INSECURE,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

async function tokens() {
  return exchange(await signIn());
}

async function refresh(refreshToken: string) {
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    clientAuth,
    refreshToken,
    INSECURE,
  );
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** The OAuth error code a rejected promise carries. */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof oauth.ResponseBodyError)) throw new Error(`expected an OAuth error`);
  return error.error;
}

describe('oidc server', () => {
  beforeEach(async () => {
    await start();
  });

  it('publishes discovery with the exact http issuer, S256 only and the iss parameter', () => {
    expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(as.issuer).toBe(oidc.issuer);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.token_endpoint).toBe(`${oidc.issuer}/token`);
    expect(as.scopes_supported).toEqual(expect.arrayContaining(OIDC_SCOPE.split(' ')));
  });

  it('runs the code flow to an app-scheme callback and issues access, refresh and id tokens', async () => {
    const flow = await signIn();
    expect(flow.callback.protocol).toBe('app.latchkey.dev:');
    expect(flow.callback.searchParams.get('iss')).toBe(oidc.issuer);

    const result = await exchange(flow);
    expect(result.token_type.toLowerCase()).toBe('bearer');
    expect(result.access_token).toBeTruthy();
    expect(result.refresh_token).toBeTruthy();
    expect(result.expires_in).toBe(3600);
    expect(result.scope?.split(' ').sort()).toEqual(OIDC_SCOPE.split(' ').sort());
    expect(oauth.getValidatedIdTokenClaims(result)).toMatchObject({
      iss: oidc.issuer,
      sub: OIDC_ACCOUNT.sub,
      aud: oidc.clientId,
    });
    const userinfo = await oauth.processUserInfoResponse(
      as,
      client,
      OIDC_ACCOUNT.sub,
      await oauth.userInfoRequest(as, client, result.access_token, INSECURE),
    );
    expect(userinfo).toMatchObject({ name: OIDC_ACCOUNT.name, email: OIDC_ACCOUNT.email });
    expect(oidc.tokenRequests().map((r) => r.grantType)).toEqual(['authorization_code']);
  });

  it('issues no refresh token without prompt=consent (oidc-provider drops offline_access)', async () => {
    const result = await exchange(await signIn(APP_REDIRECT, {}));
    expect(result.access_token).toBeTruthy();
    expect(result.refresh_token).toBeUndefined();
    expect(result.scope?.split(' ')).not.toContain('offline_access');
  });

  it('rotates refresh tokens; reusing a rotated one is invalid_grant and revokes the grant', async () => {
    const first = await tokens();
    const second = await refresh(first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(oidc.refreshCount()).toBe(1);

    expect(await oauthError(refresh(first.refresh_token!))).toBe('invalid_grant');
    // The reuse revoked the whole grant: the newest tokens are dead too.
    expect(await oauthError(refresh(second.refresh_token!))).toBe('invalid_grant');
    expect(await oidc.isAccessTokenValid(second.access_token)).toBe(false);
    expect(oidc.refreshCount()).toBe(3);
  });

  it('accepts the loopback redirect URI on any port and does not follow it', async () => {
    const redirectUri = 'http://127.0.0.1:54321/oauth/oidc';
    const flow = await signIn(redirectUri);
    expect(`${flow.callback.origin}${flow.callback.pathname}`).toBe(redirectUri);
    expect(flow.params.get('code')).toBeTruthy();
    const result = await exchange(flow);
    expect(result.refresh_token).toBeTruthy();
  });

  it('refuses an unregistered redirect URI without redirecting to it', async () => {
    await expect(signIn('app.evil://oauth/oidc')).rejects.toThrow(
      /answered 400 without a redirect/,
    );
    await expect(oidc.authorize('http://example.test/auth?client_id=x')).rejects.toThrow(
      /not on the issuer/,
    );
  });

  it('requires PKCE: a request without a code challenge comes back as invalid_request', async () => {
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: APP_REDIRECT,
      response_type: 'code',
      scope: OIDC_SCOPE,
      state: 'state-1',
      prompt: 'consent',
    }).toString();
    const callback = new URL(await oidc.authorize(url.href));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('iss')).toBe(oidc.issuer);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('does not burn the code on a wrong verifier', async () => {
    const flow = await signIn();
    const wrong = oauth.generateRandomCodeVerifier();
    expect(await oauthError(exchange(flow, wrong))).toBe('invalid_grant');
    const result = await exchange(flow);
    expect(result.access_token).toBeTruthy();
  });

  it('validates access tokens until revokeGrants, which also kills the refresh token', async () => {
    const result = await tokens();
    expect(await oidc.isAccessTokenValid(result.access_token)).toBe(true);
    expect(await oidc.isAccessTokenValid('bogus')).toBe(false);
    await oidc.revokeGrants();
    expect(await oidc.isAccessTokenValid(result.access_token)).toBe(false);
    expect(await oauthError(refresh(result.refresh_token!))).toBe('invalid_grant');
  });

  it('applies injected faults to token requests, recording them first', async () => {
    const result = await tokens();
    oidc.injectFault('/token', { kind: 'status', status: 503, headers: { 'Retry-After': '1' } });
    const faulted = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth,
      result.refresh_token!,
      INSECURE,
    );
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('1');
    expect(await faulted.json()).toMatchObject({ error: 'server_error' });

    oidc.injectFault('/token', { kind: 'reset' });
    await expect(refresh(result.refresh_token!)).rejects.toThrow();

    oidc.injectFault('/.well-known/openid-configuration', { kind: 'hang' });
    await expect(
      fetch(`${oidc.issuer}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();

    // The faults used up, the (never presented) refresh token still works.
    expect((await refresh(result.refresh_token!)).access_token).toBeTruthy();
    expect(oidc.refreshCount()).toBe(3);
  });

  it('holds token requests until released', async () => {
    const result = await tokens();
    const release = oidc.holdToken();
    let settled = false;
    const pending = refresh(result.refresh_token!).finally(() => (settled = true));
    await expect.poll(() => oidc.refreshCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    release();
    expect((await pending).refresh_token).toBeTruthy();
  });

  it('serves chat through the gateway for the access token, 401 for anything else', async () => {
    const { access_token: token } = await tokens();
    const gateway = await startOidcChatGateway(oidc);
    try {
      const chat = (bearer: string) =>
        fetch(`${gateway.chatUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
          body: JSON.stringify({
            model: 'openai/gpt-4o-mini',
            messages: [{ role: 'user', content: 'Hello' }],
          }),
        });
      const ok = await chat(token);
      expect(ok.status).toBe(200);
      const completion = (await ok.json()) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]!.message.content).toContain('You said: "Hello"');
      const models = await fetch(`${gateway.chatUrl}/models`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(models.status).toBe(200);

      const bogus = await chat('bogus-token');
      expect(bogus.status).toBe(401);
      expect(await bogus.json()).toEqual({ error: { code: 401, message: 'User not found.' } });
      expect((await fetch(`${gateway.chatUrl}/models`)).status).toBe(401);
      expect(gateway.emulator.chatRequests().map((r) => r.key)).toEqual([token, 'bogus-token']);

      await oidc.revokeGrants();
      expect((await chat(token)).status).toBe(401);
    } finally {
      await gateway.close();
    }
  });
});

describe('oidc server expiry', () => {
  it('expires access tokens, then refresh tokens, by the injected clock', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    await start({ clock: () => now, accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 600 });
    const result = await tokens();
    expect(result.expires_in).toBe(60);

    now += 61_000;
    expect(await oidc.isAccessTokenValid(result.access_token)).toBe(false);
    const renewed = await refresh(result.refresh_token!);
    expect(await oidc.isAccessTokenValid(renewed.access_token)).toBe(true);
    expect(oidc.tokenRequests().at(-1)).toEqual({ grantType: 'refresh_token', at: now });

    now += 601_000;
    expect(await oauthError(refresh(renewed.refresh_token!))).toBe('invalid_grant');
  });
});

describe('oidc server standalone', () => {
  it('prints "oidc ready <issuer>" and serves discovery', async () => {
    const { stderr } = await runStandaloneFixture(
      'oidc-server.ts',
      ['--port', '0'],
      async (line) => {
        const issuer = /^oidc ready (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1];
        expect(issuer).toBeDefined();
        const metadata = (await (
          await fetch(`${issuer}/.well-known/openid-configuration`)
        ).json()) as { issuer: string };
        expect(metadata.issuer).toBe(issuer);
      },
    );
    expect(stderr).toBe('');
  });
});
