import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { createAppServices, type AppServices } from '../../main/app-services';
import { readConfig } from '../../main/config';
import { createKeyfilePort } from '../../main/credentials/keyfile-port';
import { dispatch } from '../../main/ipc/dispatch';
import { createMemoryLogger } from '../../main/log';
import type { ConversationList, ConversationSummary, ListCursor } from '../../preload/api';
import { generateConversations } from '../../scripts/generate-conversations';

const running: { services: AppServices; dir: string }[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const { services, dir } of running.splice(0)) {
    services.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Counts reads of conversation files (not the index) under `dir`. */
function countReads(dir: string): () => string[] {
  const conversations = join(dir, 'conversations');
  const read: string[] = [];
  const note = (file: unknown) => {
    if (typeof file === 'string' && file.startsWith(conversations) && !/index\.json/.test(file)) {
      read.push(file);
    }
  };
  const readFileSync = fs.readFileSync;
  const openSync = fs.openSync;
  const readFile = fs.promises.readFile;
  type Any = (...args: unknown[]) => unknown;
  vi.spyOn(fs, 'readFileSync').mockImplementation(((...args: unknown[]) => {
    note(args[0]);
    return (readFileSync as Any)(...args);
  }) as typeof fs.readFileSync);
  vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, flags, mode) => {
    note(file);
    return openSync(file, flags, mode);
  }) as typeof fs.openSync);
  vi.spyOn(fs.promises, 'readFile').mockImplementation(((...args: unknown[]) => {
    note(args[0]);
    return (readFile as Any)(...args);
  }) as typeof fs.promises.readFile);
  return () => read;
}

it('main starts and lists 300 conversations without reading one conversation file, and arms no search warm-up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-startup-'));
  generateConversations({ dir, count: 300, seed: 5 });
  const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const reads = countReads(dir);
  const services = createAppServices({
    config: readConfig({ LATCHKEY_OPENROUTER_URL: 'http://127.0.0.1:9' }),
    dataDir: dir,
    fetch: () => Promise.reject(new Error('net::ERR_INTERNET_DISCONNECTED')),
    encryption: createKeyfilePort(dir),
    openExternal: async () => undefined,
    scheme: 'app.latchkey.dev',
    hostname: 'test-host',
    version: '0.0.0-test',
    systemLanguages: ['en-US'],
    deepLinks: { available: true },
    emit: () => undefined,
    log: createMemoryLogger(),
  });
  running.push({ services, dir });
  services.start();
  const list = services.chat.list();
  expect(list.conversations).toHaveLength(300);
  expect(services.chat.list(100)).toMatchObject({ partial: true });
  expect(services.chat.list(100).conversations).toEqual(list.conversations.slice(0, 100));
  // The rest page by page through the IPC contract, each after the last one shown: all of
  // them, in order, once each.
  const log = createMemoryLogger();
  const paged: ConversationSummary[] = [];
  for (let after: ListCursor | undefined; ;) {
    const result = await dispatch(services.handlers, 'chat:list', { limit: 70, after }, log);
    if (!result.ok) throw new Error(result.error.code);
    const page = result.value as ConversationList;
    expect(page.partial).toBe(true);
    paged.push(...page.conversations);
    const last = page.conversations.at(-1);
    if (page.conversations.length < 70 || !last) break;
    after = { updatedAt: last.updatedAt, createdAt: last.createdAt, id: last.id };
  }
  expect(paged).toEqual(list.conversations);
  const badCursor = { limit: 10, after: { updatedAt: 1, createdAt: 1, id: 'x', extra: 1 } };
  expect(await dispatch(services.handlers, 'chat:list', badCursor, log)).toMatchObject({
    ok: false,
    error: { code: 'IPC_INVALID_ARGUMENT' },
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(reads()).toEqual([]);
  // Nothing waits to load the search index (it loads when the search opens).
  const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  expect(timers).toBeLessThanOrEqual(timersBefore);

  // The spy sees reads: opening one conversation reads that one only.
  const first = list.conversations[0];
  if (!first) throw new Error('no conversation');
  services.chat.open(first.id);
  expect(reads().length).toBeGreaterThan(0);
  expect(reads().every((file) => file.includes(first.id))).toBe(true);
});
