import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig, resolveLocale } from '../../main/config';
import { checkExternalUrl } from '../../main/shell';

describe('configuration', () => {
  it('defaults to the real providers', () => {
    const config = readConfig({});
    expect(config.openrouterUrl.href).toBe('https://openrouter.ai/');
    expect(config.yooaiUrl.href).toBe('https://saas.api.yoo-ai.com/');
    expect(config.locale).toBeNull();
  });

  it('accepts https anywhere and http on loopback only', () => {
    expect(
      readConfig({ LATCHKEY_OPENROUTER_URL: 'http://127.0.0.1:4000' }).openrouterUrl.port,
    ).toBe('4000');
    expect(
      readConfig({ LATCHKEY_OPENROUTER_URL: 'http://localhost:4000' }).openrouterUrl.host,
    ).toBe('localhost:4000');
    for (const bad of [
      'http://openrouter.ai',
      'http://127.0.0.1.evil.com',
      'ftp://127.0.0.1',
      'not a url',
      'https://user:pass@openrouter.ai',
      'https://openrouter.ai/?x=1',
    ]) {
      expect(() => readConfig({ LATCHKEY_OPENROUTER_URL: bad })).toThrow(ConfigError);
    }
  });

  it('LATCHKEY_LOCALE is en or zh-CN', () => {
    expect(readConfig({ LATCHKEY_LOCALE: 'zh-CN' }).locale).toBe('zh-CN');
    expect(() => readConfig({ LATCHKEY_LOCALE: 'fr' })).toThrow(/LATCHKEY_LOCALE/);
  });

  it('locale: forced > chosen > OS languages > English', () => {
    expect(resolveLocale('en', 'zh-CN', ['zh-CN'])).toBe('en');
    expect(resolveLocale(null, 'zh-CN', ['en-US'])).toBe('zh-CN');
    expect(resolveLocale(null, undefined, ['zh-Hans-CN', 'en'])).toBe('zh-CN');
    expect(resolveLocale(null, undefined, ['de-DE', 'en-GB'])).toBe('en');
    expect(resolveLocale(null, undefined, ['de-DE'])).toBe('en');
  });
});

describe('openExternal wrapper', () => {
  it('lets https through and refuses everything else', () => {
    expect(checkExternalUrl('https://openrouter.ai/settings/keys')).toBe(
      'https://openrouter.ai/settings/keys',
    );
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'http://example.com',
      'app.latchkey://oauth',
      'https://user:pw@example.com',
      'not a url',
      'http://127.0.0.1:3000/',
    ]) {
      expect(() => checkExternalUrl(bad), bad).toThrow();
    }
  });

  it('allows loopback http only when asked (providers emulated on 127.0.0.1)', () => {
    expect(checkExternalUrl('http://127.0.0.1:3000/auth', { allowLoopbackHttp: true })).toBe(
      'http://127.0.0.1:3000/auth',
    );
    expect(() => checkExternalUrl('http://10.0.0.1/', { allowLoopbackHttp: true })).toThrow();
  });
});
