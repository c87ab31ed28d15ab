import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../main/errors';
import { en } from '../../../renderer/lib/i18n/en';
import { zhCN } from '../../../renderer/lib/i18n/zh-CN';

const catalogs = { en, 'zh-CN': zhCN } as Record<string, Record<string, string>>;

describe('message catalogs', () => {
  it('every error code has a message and a next step in English and Chinese', () => {
    for (const [locale, catalog] of Object.entries(catalogs)) {
      for (const code of ERROR_CODES) {
        expect(catalog[`error.${code}`], `${locale} error.${code}`).toBeTruthy();
        expect(catalog[`error.${code}.next`], `${locale} error.${code}.next`).toBeTruthy();
      }
    }
  });

  it('Chinese has exactly the English keys, translated, with the same placeholders', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
    const untranslated = (Object.keys(en) as (keyof typeof en)[]).filter(
      (key) => /[a-z]{4,}/i.test(en[key]) && zhCN[key] === en[key] && !/^language\./.test(key),
    );
    expect(untranslated.filter((key) => !['app.name', 'paste.placeholder'].includes(key))).toEqual(
      [],
    );
  });
});
