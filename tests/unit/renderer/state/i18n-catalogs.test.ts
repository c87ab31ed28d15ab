/**
 * The UI language's catalogs (renderer/lib/i18n/index.svelte.ts): English is always there, any
 * other loads the first time it is shown, and the page switches only once it has loaded.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { en } from '../../../../renderer/lib/i18n/en';
import { I18n } from '../../../../renderer/lib/i18n/index.svelte';
import { zhCN } from '../../../../renderer/lib/i18n/zh-CN';

afterEach(() => {
  vi.restoreAllMocks();
  vi.doUnmock('../../../../renderer/lib/i18n/zh-CN');
});

describe('catalogs load when first shown', () => {
  it('Chinese is shown once its catalog has loaded, not before', async () => {
    const i18n = new I18n('en');
    await i18n.ready;
    const shown = i18n.setLocale('zh-CN');
    expect(i18n.locale).toBe('en');
    expect(i18n.t('app.loading')).toBe(en['app.loading']);
    await shown;
    expect(i18n.locale).toBe('zh-CN');
    expect(i18n.t('app.loading')).toBe(zhCN['app.loading']);
    expect(document.documentElement.lang).toBe('zh-CN');
  });

  it('a page that starts in Chinese is ready in Chinese', async () => {
    const i18n = new I18n('zh-CN');
    await i18n.ready;
    expect(i18n.locale).toBe('zh-CN');
    expect(i18n.t('app.version', { version: '1.0' })).toBe('版本 1.0');
  });

  it('a language picked while another loads wins, whatever the order they arrive in', async () => {
    const i18n = new I18n('en');
    const chinese = i18n.setLocale('zh-CN');
    await i18n.setLocale('en');
    await chinese;
    expect(i18n.locale).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    // Loaded meanwhile: the next pick is at once.
    void i18n.setLocale('zh-CN');
    expect(i18n.locale).toBe('zh-CN');
  });

  it('a catalog that cannot load leaves the page in its language, and a later pick retries', async () => {
    vi.resetModules();
    vi.doMock('../../../../renderer/lib/i18n/zh-CN', () => {
      throw new Error('chunk missing');
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { I18n: Fresh } = await import('../../../../renderer/lib/i18n/index.svelte');
    const i18n = new Fresh('en');
    await i18n.setLocale('zh-CN');
    expect(i18n.locale).toBe('en');
    expect(warn).toHaveBeenCalledWith('Could not load the zh-CN messages', expect.any(Error));
    vi.doUnmock('../../../../renderer/lib/i18n/zh-CN');
    vi.resetModules();
    await i18n.setLocale('zh-CN');
    expect(i18n.locale).toBe('zh-CN');
  });
});
