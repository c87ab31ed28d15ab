/**
 * The notices the page shows (renderer/lib/state/notices.svelte.ts): those main raised before
 * the page loaded and those that arrive after, each once, gone for good once dismissed.
 */
import { describe, expect, it } from 'vitest';
import type { AppInfo, LatchkeyApi, RaisedNotice } from '../../../../preload/api';
import { NoticeStore } from '../../../../renderer/lib/state/notices.svelte';

const notice = (id: string): RaisedNotice => ({
  id,
  code: 'STORE_CORRUPT_MOVED',
  store: 'credentials',
  file: 'credentials.json',
});

function scriptedMain(listed: readonly RaisedNotice[]) {
  let listener: ((notice: RaisedNotice) => void) | null = null;
  let answer!: (info: AppInfo) => void;
  const dismissed: string[] = [];
  const api = {
    getAppInfo: () => new Promise<AppInfo>((resolve) => (answer = resolve)),
    onNotice: (next: (notice: RaisedNotice) => void) => {
      listener = next;
      return () => (listener = null);
    },
    dismissNotice: (id: string) => {
      dismissed.push(id);
      return Promise.resolve();
    },
  } satisfies Partial<LatchkeyApi> as unknown as LatchkeyApi;
  return {
    store: new NoticeStore(api),
    dismissed,
    send: (n: RaisedNotice) => listener?.(n),
    answerInfo: () => answer({ notices: listed } as AppInfo),
    subscribed: () => listener !== null,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('NoticeStore', () => {
  it('shows notices raised before the page loaded and after, each once', async () => {
    const main = scriptedMain([notice('a'), notice('b')]);
    const stop = main.store.start();
    // Sent while the list was on its way (a replay): the list must not add it twice.
    main.send(notice('b'));
    main.answerInfo();
    await flush();
    main.send(notice('c'));
    expect(main.store.items.map((n) => n.id)).toEqual(['b', 'a', 'c']);
    stop();
    expect(main.subscribed()).toBe(false);
  });

  it('dismissing tells main, and a late copy does not bring it back', async () => {
    const main = scriptedMain([notice('a')]);
    main.store.start();
    main.answerInfo();
    await flush();
    main.store.dismiss(notice('a'));
    expect(main.dismissed).toEqual(['a']);
    main.send(notice('a'));
    expect(main.store.items).toEqual([]);
  });
});
