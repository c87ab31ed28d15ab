/**
 * Damaged files on a real disk (issue 12): for each, the services start, the damaged file is
 * moved aside with its bytes (never deleted), exactly one notice names what was lost in the
 * wording of its store, and everything else is intact. A damaged conversation index is rebuilt
 * from the conversation files.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo, ChatMessage, EventChannel, RaisedNotice } from '../../preload/api';
import { createAppServices, type AppServices } from '../../main/app-services';
import { ConversationStore } from '../../main/chat/conversation-store';
import { readConfig } from '../../main/config';
import { CredentialStore } from '../../main/credentials/credential-store';
import { createKeyfilePort } from '../../main/credentials/keyfile-port';
import { SettingsStore } from '../../main/credentials/settings-store';
import { dispatch } from '../../main/ipc/dispatch';
import { createMemoryLogger } from '../../main/log';

const SECRET = 'sk-or-v1-damaged-files-canary';
const running: AppServices[] = [];
afterEach(() => {
  for (const services of running.splice(0)) services.dispose();
});

function message(id: string, role: ChatMessage['role'], content: string): ChatMessage {
  return {
    id,
    revision: 1,
    role,
    content,
    createdAt: 1,
    status: 'complete',
    model: null,
    usage: null,
    finishReason: null,
    error: null,
  };
}

interface Seeded {
  readonly dir: string;
  /** Two conversations: "Trip plans" (damaged by the tests) and "Recipes" (kept intact). */
  readonly trip: string;
  readonly recipes: string;
  readonly file: (name: string) => string;
}

/** A data dir as the app leaves it: two conversations, a draft, a language, a saved key. */
function seed(): Seeded {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-damaged-'));
  const { store } = ConversationStore.open({ dir });
  const trip = store.create('openrouter', null).id;
  store.appendMessages(trip, [
    message('t1', 'user', 'Trip plans'),
    message('t2', 'assistant', 'Go.'),
  ]);
  const recipes = store.create('openrouter', null).id;
  store.appendMessages(recipes, [
    message('r1', 'user', 'Recipes'),
    message('r2', 'assistant', 'Soup.'),
  ]);
  store.setDraft(recipes, 'half a question');
  SettingsStore.open({ dir }).store.set('locale', 'zh-CN');
  CredentialStore.open({ dir, encryption: createKeyfilePort(dir) }).store.save(
    'openrouter',
    SECRET,
    {},
  );
  const file = (name: string) => join(dir, name);
  return { dir, trip, recipes, file };
}

interface Started {
  readonly services: AppServices;
  readonly emitted: RaisedNotice[];
  readonly events: EventChannel[];
  readonly notices: () => readonly RaisedNotice[];
  readonly invoke: (channel: string, request?: unknown) => Promise<unknown>;
}

/** The services as the harness composes them, offline, over the seeded directory. */
function start(dir: string): Started {
  const emitted: RaisedNotice[] = [];
  const events: EventChannel[] = [];
  const log = createMemoryLogger();
  const services = createAppServices({
    config: readConfig({}),
    dataDir: dir,
    fetch: () => Promise.reject(new Error('net::ERR_INTERNET_DISCONNECTED')),
    encryption: createKeyfilePort(dir),
    openExternal: async () => undefined,
    scheme: 'app.latchkey.dev',
    hostname: 'test-host',
    version: '0.0.0-test',
    systemLanguages: ['en-US'],
    deepLinks: { available: true },
    emit: (channel, payload) => {
      events.push(channel);
      if (channel === 'app:notice') emitted.push(payload as RaisedNotice);
    },
    log,
  });
  running.push(services);
  services.start();
  const invoke = async (channel: string, request?: unknown) => {
    const result = await dispatch(services.handlers, channel, request, log);
    if (!result.ok) throw Object.assign(new Error(result.error.code), { view: result.error });
    return result.value;
  };
  const notices = () => (services.handlers['app:get-info'](undefined) as AppInfo).notices;
  return { services, emitted, events, notices, invoke };
}

/** The JSON files in `dir` moved aside as `<stem>.corrupt-<time>.json`. */
function movedAside(dir: string, stem: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(`${stem}.corrupt-`) && name.endsWith('.json'))
    .map((name) => join(dir, name));
}

/** What must survive any one damaged file: the other conversation, its draft, the language, the key. */
async function expectIntact(
  s: Seeded,
  r: Started,
  lost: { conversation?: boolean; credentials?: boolean; settings?: boolean; drafts?: boolean },
) {
  const list = (await r.invoke('chat:list')) as { conversations: { id: string; title: string }[] };
  const titles = list.conversations.map((c) => c.title).sort();
  expect(titles).toEqual(lost.conversation ? ['Recipes'] : ['Recipes', 'Trip plans']);
  const recipes = (await r.invoke('chat:open', { id: s.recipes })) as {
    messages: ChatMessage[];
    draft: string;
  };
  expect(recipes.messages.map((m) => m.content)).toEqual(['Recipes', 'Soup.']);
  expect(recipes.draft).toBe(lost.drafts ? '' : 'half a question');
  const info = (await r.invoke('app:get-info')) as { locale: string };
  expect(info.locale).toBe(lost.settings ? 'en' : 'zh-CN');
  const credential = CredentialStore.open({
    dir: s.dir,
    encryption: createKeyfilePort(s.dir),
  }).store.load('openrouter');
  expect(credential?.secret ?? null).toBe(lost.credentials ? null : SECRET);
}

/** Exactly one notice, the same one the page was sent and is listed for a page loading now. */
function onlyNotice(r: Started): RaisedNotice {
  expect(r.notices()).toHaveLength(1);
  expect(r.emitted).toEqual(r.notices());
  return r.notices()[0]!;
}

describe('a damaged conversation file', () => {
  const conversationsDir = (s: Seeded) => join(s.dir, 'conversations');

  async function openDamaged(s: Seeded, damage: (file: string) => void) {
    const file = join(conversationsDir(s), `${s.trip}.json`);
    damage(file);
    const damaged = readFileSync(file);
    const r = start(s.dir);
    // Found at startup when the store reads the file then (it had changes not yet compacted),
    // else when it is opened: either way the damaged file is not the sign-in's.
    const foundAtStart = r.notices().length > 0;
    await expect(r.invoke('chat:open', { id: s.trip })).rejects.toMatchObject({
      view: { code: foundAtStart ? 'CHAT_NOT_FOUND' : 'CHAT_DAMAGED' },
    });
    const [moved, ...more] = movedAside(conversationsDir(s), s.trip);
    expect(more).toEqual([]);
    expect(readFileSync(moved!)).toEqual(damaged);
    const notice = onlyNotice(r);
    expect(notice).toMatchObject({
      code: 'STORE_CORRUPT_MOVED',
      store: 'conversation',
      file: `${s.trip}.json`,
      path: moved,
    });
    await expectIntact(s, r, { conversation: true });
    return notice;
  }

  it('cut short: moved aside, named by its title, the others intact', async () => {
    const s = seed();
    const notice = await openDamaged(s, (file) => {
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.slice(0, Math.floor(text.length * 0.6)));
    });
    expect(notice.title).toBe('Trip plans');
  });

  it('holding another conversation (its id is not its file name)', async () => {
    const s = seed();
    const notice = await openDamaged(s, (file) =>
      copyFileSync(join(conversationsDir(s), `${s.recipes}.json`), file),
    );
    // Named as the user knew it (the index, its change log), not by the other one it holds.
    expect(notice.title).toBe('Trip plans');
  });

  it('from a future version of the app', async () => {
    const s = seed();
    const notice = await openDamaged(s, (file) => {
      const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...json, version: 99 }));
    });
    expect(notice.title).toBe('Trip plans');
  });

  it('of 0 bytes', async () => {
    const s = seed();
    const notice = await openDamaged(s, (file) => writeFileSync(file, ''));
    expect(notice.title).toBe('Trip plans');
  });

  it('the index lacks (a crash between the two writes): found at startup', async () => {
    const s = seed();
    const index = join(conversationsDir(s), 'index.json');
    const json = JSON.parse(readFileSync(index, 'utf8')) as {
      conversations: { id: string }[];
    };
    json.conversations = json.conversations.filter((c) => c.id !== s.trip);
    writeFileSync(index, JSON.stringify(json));
    writeFileSync(join(conversationsDir(s), `${s.trip}.json`), '{"version":1,"id":"');
    const r = start(s.dir);
    expect(onlyNotice(r)).toMatchObject({ store: 'conversation', file: `${s.trip}.json` });
    expect(movedAside(conversationsDir(s), s.trip)).toHaveLength(1);
    await expectIntact(s, r, { conversation: true });
  });
});

describe('a damaged conversation file the index lists, found when opened', () => {
  it('is named by the title it still holds, and leaves the page list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-damaged-'));
    const conversations = join(dir, 'conversations');
    mkdirSync(conversations, { recursive: true });
    const id = '3f1c2a9e-5b7d-4c1e-9a2b-7d6e5f4c3b2a';
    const file = {
      version: 1,
      id,
      provider: 'openrouter',
      title: 'Trip plans',
      createdAt: 1,
      updatedAt: 2,
      model: null,
      messages: [message('t1', 'user', 'Trip plans'), message('t2', 'assistant', 'Go.')],
    };
    const { messages, version: _version, ...entry } = file;
    writeFileSync(
      join(conversations, 'index.json'),
      JSON.stringify({
        version: 1,
        conversations: [{ ...entry, messageCount: messages.length }],
        drafts: {},
      }),
    );
    const text = JSON.stringify(file);
    writeFileSync(join(conversations, `${id}.json`), text.slice(0, text.length - 40));
    const r = start(dir);
    // Not read at startup: the index has all the list needs.
    expect(r.notices()).toEqual([]);
    expect(r.events).not.toContain('chat:conversations');
    await expect(r.invoke('chat:open', { id })).rejects.toMatchObject({
      view: { code: 'CHAT_DAMAGED' },
    });
    expect(onlyNotice(r)).toMatchObject({ store: 'conversation', title: 'Trip plans' });
    await Promise.resolve();
    expect(r.events).toContain('chat:conversations');
    expect(((await r.invoke('chat:list')) as { conversations: unknown[] }).conversations).toEqual(
      [],
    );
  });
});

describe('a damaged conversation index', () => {
  it('garbage: moved aside, rebuilt from the conversation files (drafts lost)', async () => {
    const s = seed();
    const dir = join(s.dir, 'conversations');
    writeFileSync(join(dir, 'index.json'), '\u0000\u0007 not json at all');
    const r = start(s.dir);
    const notice = onlyNotice(r);
    expect(notice).toMatchObject({ store: 'conversation-index', file: 'index.json' });
    expect(movedAside(dir, 'index')).toEqual([notice.path]);
    expect(readFileSync(notice.path!, 'utf8')).toBe('\u0000\u0007 not json at all');
    await expectIntact(s, r, { drafts: true });
    const trip = (await r.invoke('chat:open', { id: s.trip })) as { messages: ChatMessage[] };
    expect(trip.messages.map((m) => m.content)).toEqual(['Trip plans', 'Go.']);
  });
});

describe('damaged credentials', () => {
  for (const [what, bytes] of [
    ['empty', ''],
    ['garbage', '{"version":1,"providers":{"openrouter":'],
  ] as const) {
    it(`${what}: moved aside, signed out with a notice that says why`, async () => {
      const s = seed();
      writeFileSync(s.file('credentials.json'), bytes);
      const r = start(s.dir);
      expect(onlyNotice(r)).toMatchObject({ store: 'credentials', file: 'credentials.json' });
      const [moved] = movedAside(s.dir, 'credentials');
      expect(readFileSync(moved!, 'utf8')).toBe(bytes);
      const states = r.services.auth.states();
      expect(states.find((x) => x.provider === 'openrouter')?.auth.status).toBe('signed-out');
      await expectIntact(s, r, { credentials: true });
    });
  }
});

describe('other stores', () => {
  it('settings of 0 bytes: reset to defaults, with a notice', async () => {
    const s = seed();
    writeFileSync(s.file('settings.json'), '');
    const r = start(s.dir);
    expect(onlyNotice(r)).toMatchObject({ store: 'settings', file: 'settings.json' });
    expect(movedAside(s.dir, 'settings')).toHaveLength(1);
    await expectIntact(s, r, { settings: true });
  });

  it('the saved model list: fetched again, with a notice', async () => {
    const s = seed();
    writeFileSync(s.file('models.json'), '[1, 2, 3]');
    const r = start(s.dir);
    expect(onlyNotice(r)).toMatchObject({ store: 'models-cache', file: 'models.json' });
    expect(movedAside(s.dir, 'models')).toHaveLength(1);
    await expectIntact(s, r, {});
  });
});

describe('a damaged search index', () => {
  it('is moved aside and rebuilt from the conversations on the first search', async () => {
    const s = seed();
    writeFileSync(s.file('search-index.bin'), 'this is not a search index');
    const r = start(s.dir);
    expect(r.notices()).toEqual([]);
    const results = (await r.invoke('search:query', { query: 'soup', limit: 10 })) as {
      title: string;
    }[];
    expect(results.map((x) => x.title)).toEqual(['Recipes']);
    expect(onlyNotice(r)).toMatchObject({ store: 'search-index', file: 'search-index.bin' });
    expect(readdirSync(s.dir).filter((f) => f.startsWith('search-index.corrupt-'))).toHaveLength(1);
    await expectIntact(s, r, {});
  });
});

describe('notices outlive the moment', () => {
  it('kept until dismissed: listed for every page, replayed, equal ones raised once', async () => {
    const s = seed();
    writeFileSync(s.file('credentials.json'), 'garbage');
    writeFileSync(s.file('settings.json'), 'garbage');
    const r = start(s.dir);
    const [credentials, settings] = r.notices();
    expect([credentials?.store, settings?.store]).toEqual(['credentials', 'settings']);
    expect(credentials?.id).not.toBe(settings?.id);

    // A page connecting later is sent them again.
    r.emitted.length = 0;
    r.services.replayStates();
    expect(r.emitted).toEqual([credentials, settings]);

    await r.invoke('app:dismiss-notice', { id: credentials!.id });
    expect(r.notices()).toEqual([settings]);
    r.emitted.length = 0;
    r.services.replayStates();
    expect(r.emitted).toEqual([settings]);
    // Unknown ids are harmless; malformed ones are refused at the boundary.
    await r.invoke('app:dismiss-notice', { id: 'from-an-earlier-run' });
    await expect(r.invoke('app:dismiss-notice', { id: '' })).rejects.toMatchObject({
      view: { code: 'IPC_INVALID_ARGUMENT' },
    });
  });

  it('logs and notices carry no secret', () => {
    const s = seed();
    writeFileSync(s.file('credentials.json'), `{"leaked":"${SECRET}"`);
    const r = start(s.dir);
    expect(JSON.stringify(r.notices())).not.toContain(SECRET);
  });
});
