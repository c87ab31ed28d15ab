/**
 * The UI language (renderer/lib/state/locale.svelte.ts) against a main whose answers come when
 * the test says: main's remembered language at load, and the user's picks.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppInfo, LatchkeyApi, Locale } from '../../../../preload/api';
import { i18n } from '../../../../renderer/lib/i18n/index.svelte';
import { AuthStore } from '../../../../renderer/lib/state/auth.svelte';
import { LocaleStore } from '../../../../renderer/lib/state/locale.svelte';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const INFO: Omit<AppInfo, 'locale'> = {
  version: '0.0.0-test',
  deepLinksUnavailable: null,
  weakEncryption: false,
  notices: [],
  connectivity: { online: true, checkedAt: 1, seq: 0 },
};

/** The part of main these stores talk to; every answer waits for the test. */
function scriptedMain() {
  const info = deferred<AppInfo>();
  const saves: { locale: Locale; answer: Deferred<Locale> }[] = [];
  const api = {
    getAppInfo: () => info.promise,
    getAuthStates: () => Promise.resolve([]),
    setLocale: (locale: Locale) => {
      const answer = deferred<Locale>();
      saves.push({ locale, answer });
      return answer.promise;
    },
    onAuthState: () => () => undefined,
    onNotice: () => () => undefined,
  } satisfies Partial<LatchkeyApi> as unknown as LatchkeyApi;
  const locale = new LocaleStore(api);
  const auth = new AuthStore(api, locale);
  /** Main answers `app:get-info` with the language it remembered. */
  const answerInfo = (remembered: Locale) => info.resolve({ ...INFO, locale: remembered });
  /** Saves main has received, in order. */
  const received = () => saves.map((save) => save.locale);
  return { locale, auth, saves, answerInfo, received };
}

/** Lets every settled promise run its continuations. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(async () => {
  // The Chinese catalog is loaded once here: these tests are about the order of picks and saves.
  await i18n.setLocale('zh-CN');
  await i18n.setLocale('en');
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('the language at load', () => {
  it('is main’s remembered one when the user has not picked any', async () => {
    const main = scriptedMain();
    const loading = main.auth.load();
    main.answerInfo('zh-CN');
    await loading;
    expect(i18n.locale).toBe('zh-CN');
    expect(main.auth.phase).toBe('ready');
  });

  it('a pick made while app:get-info is in flight survives its late answer', async () => {
    const main = scriptedMain();
    const loading = main.auth.load();
    void main.locale.change('zh-CN');
    main.answerInfo('en');
    await loading;
    expect(i18n.locale).toBe('zh-CN');
    main.saves[0]?.answer.resolve('zh-CN');
    await flush();
    expect(i18n.locale).toBe('zh-CN');
  });

  it('a reload of the states after a pick does not revert it either', async () => {
    const main = scriptedMain();
    main.answerInfo('en');
    await main.auth.load();
    void main.locale.change('zh-CN');
    await main.auth.load();
    expect(i18n.locale).toBe('zh-CN');
  });
});

describe('picks reach main in the order they were made', () => {
  it('each save is sent only once the one before has been answered', async () => {
    const main = scriptedMain();
    const first = main.locale.change('zh-CN');
    const second = main.locale.change('en');
    const third = main.locale.change('zh-CN');
    await flush();
    expect(main.received()).toEqual(['zh-CN']);
    expect(i18n.locale).toBe('zh-CN');

    main.saves[0]!.answer.resolve('zh-CN');
    await first;
    await flush();
    expect(main.received()).toEqual(['zh-CN', 'en']);
    // The older answer never overrides the newest pick.
    expect(i18n.locale).toBe('zh-CN');

    main.saves[1]!.answer.resolve('en');
    await second;
    await flush();
    expect(main.received()).toEqual(['zh-CN', 'en', 'zh-CN']);
    expect(i18n.locale).toBe('zh-CN');
    main.saves[2]!.answer.resolve('zh-CN');
    await third;
    expect(i18n.locale).toBe('zh-CN');
  });

  it('a save that fails does not hold back the next, and the page keeps the pick', async () => {
    const main = scriptedMain();
    const first = main.locale.change('zh-CN');
    const second = main.locale.change('en');
    await flush();
    main.saves[0]!.answer.reject(new Error('SETTINGS_WRITE_FAILED'));
    await first;
    await flush();
    expect(main.received()).toEqual(['zh-CN', 'en']);
    main.saves[1]!.answer.resolve('en');
    await second;
    expect(i18n.locale).toBe('en');
  });
});
