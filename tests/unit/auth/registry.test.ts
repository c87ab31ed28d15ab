import { describe, expect, it } from 'vitest';
import type { OidcSettings } from '../../../preload/api';
import { testRegistry, type MemorySettings } from '../../fixtures/test-registry';

const SCHEME = 'app.latchkey.dev';

const OIDC: OidcSettings = {
  displayName: 'Acme SSO',
  issuer: 'https://sso.acme.example',
  clientId: 'latchkey',
  scopes: 'openid offline_access',
  chatUrl: 'https://llm.acme.example/v1',
};

describe('provider registry', () => {
  it('lists OpenRouter as configured and the others as not configured without settings', () => {
    const registry = testRegistry({}, SCHEME);
    expect(registry.entry('openrouter').flow?.binding).toBe('path');
    expect(registry.entry('yooai').flow).toBeNull();
    expect(registry.entry('oidc').flow).toBeNull();
    expect(registry.entry('yooai').source).toBe('default');
    // The form starts from the documented defaults.
    expect(registry.entry('yooai').settings).toMatchObject({
      provider: 'yooai',
      settings: { baseUrl: 'https://saas.api.yoo-ai.com', redirectUri: `${SCHEME}://oauth/yooai` },
    });
  });

  it('configures YOO-AI from the environment (tests and fleets)', () => {
    const registry = testRegistry(
      {
        LATCHKEY_YOOAI_URL: 'http://127.0.0.1:4000',
        LATCHKEY_YOOAI_APP_ID: 'app-1',
        LATCHKEY_YOOAI_UNION_ID: 'u-1',
        LATCHKEY_YOOAI_SCOPE: 'ppt',
      },
      SCHEME,
    );
    const entry = registry.entry('yooai');
    expect(entry.source).toBe('env');
    expect(entry.flow).not.toBeNull();
    expect(entry.flow?.routes).toEqual(['deep-link']);
    expect(entry.allowLoopbackHttp).toBe(true);
    expect(entry.settings).toMatchObject({
      settings: { baseUrl: 'http://127.0.0.1:4000', appId: 'app-1', unionId: 'u-1', scope: 'ppt' },
    });
  });

  it('configures the generic provider from the environment, chat included', () => {
    const registry = testRegistry(
      {
        LATCHKEY_OIDC_ISSUER: 'https://sso.acme.example',
        LATCHKEY_OIDC_CLIENT_ID: 'latchkey',
        LATCHKEY_OIDC_CHAT_URL: 'https://llm.acme.example/v1',
      },
      SCHEME,
    );
    const flow = registry.entry('oidc').flow;
    expect(flow?.canChat).toBe(true);
    expect(flow?.chatUrl?.href).toBe('https://llm.acme.example/v1');
    expect(registry.entry('oidc').allowLoopbackHttp).toBe(false);
  });

  it('saves validated settings, which then win over the environment', () => {
    const memory: MemorySettings = { saved: {} };
    const registry = testRegistry({ LATCHKEY_OIDC_CLIENT_ID: 'from-env' }, SCHEME, 'x', memory);
    registry.configure({ provider: 'oidc', settings: OIDC });
    expect(memory.saved.oidc?.clientId).toBe('latchkey');
    expect(registry.entry('oidc')).toMatchObject({ displayName: 'Acme SSO', source: 'user' });
    // A restart reads what was saved.
    const again = testRegistry({ LATCHKEY_OIDC_CLIENT_ID: 'from-env' }, SCHEME, 'x', memory);
    expect(again.entry('oidc').flow).not.toBeNull();
    expect(again.entry('oidc').fingerprint).toBe(registry.entry('oidc').fingerprint);
  });

  it.each([
    ['an http issuer on another host', { issuer: 'http://sso.acme.example' }, 'issuer'],
    ['an empty client id', { clientId: ' ' }, 'clientId'],
    ['a chat URL with a query', { chatUrl: 'https://llm.acme.example/v1?x=1' }, 'chatUrl'],
  ])('refuses %s, naming the field, and keeps what was saved', (_name, patch, field) => {
    const memory: MemorySettings = { saved: {} };
    const registry = testRegistry({}, SCHEME, 'x', memory);
    expect(() => registry.configure({ provider: 'oidc', settings: { ...OIDC, ...patch } })).toThrow(
      expect.objectContaining({ code: 'SETTINGS_INVALID', details: { field } }),
    );
    expect(memory.saved).toEqual({});
    expect(registry.entry('oidc').flow).toBeNull();
  });

  it('treats a hand-edited settings file with an invalid value as not configured', () => {
    const memory: MemorySettings = {
      saved: { oidc: { ...OIDC, issuer: 'ftp://sso.acme.example' } },
    };
    const registry = testRegistry({}, SCHEME, 'x', memory);
    expect(registry.entry('oidc').flow).toBeNull();
    expect(registry.entry('oidc').source).toBe('user');
  });

  it('declares each flow with the callback binding the deep-link parser expects', async () => {
    const { CALLBACK_BINDING } = await import('../../../main/deep-link/parse');
    const registry = testRegistry(
      {
        LATCHKEY_YOOAI_APP_ID: 'a',
        LATCHKEY_YOOAI_UNION_ID: 'u',
        LATCHKEY_OIDC_ISSUER: 'https://sso.acme.example',
        LATCHKEY_OIDC_CLIENT_ID: 'c',
      },
      SCHEME,
    );
    for (const id of ['openrouter', 'yooai', 'oidc'] as const) {
      expect(registry.entry(id).flow?.binding).toBe(CALLBACK_BINDING[id]);
    }
  });
});
