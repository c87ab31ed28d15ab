import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  listenForDeepLinks,
  type DeepLinkListenerOptions,
} from '../../../main/deep-link/electron-listener';
import { DeepLinkIntake } from '../../../main/deep-link/intake';
import { parseDeepLink, type DeepLink } from '../../../main/deep-link/parse';

type App = DeepLinkListenerOptions['app'];

const SCHEME = 'app.latchkey';
const NONCE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const URL_A = `${SCHEME}://oauth/openrouter/${NONCE}?code=abc`;
const URL_B = `${SCHEME}://oauth/openrouter/${NONCE}?code=def`;
const EXE = '/opt/Latchkey/latchkey';

/** The part of Electron's `app` the adapter uses, on a plain EventEmitter. */
class FakeApp extends EventEmitter {
  asApp(): App {
    return this as unknown as App;
  }
}

function fakeEvent(): { preventDefault: ReturnType<typeof vi.fn> } {
  return { preventDefault: vi.fn() };
}

function setup(argv: readonly string[] = [EXE]) {
  const app = new FakeApp();
  const intake = new DeepLinkIntake();
  const onSecondInstance = vi.fn();
  const dispose = listenForDeepLinks({
    app: app.asApp(),
    scheme: SCHEME,
    intake,
    argv,
    onSecondInstance,
  });
  const seen: string[] = [];
  return {
    app,
    intake,
    onSecondInstance,
    dispose,
    seen,
    attach: () => intake.attach((u) => seen.push(u)),
  };
}

describe('listenForDeepLinks (security.md 4–5)', () => {
  it('queues open-url before attach, replays it, and prevents the default', () => {
    const { app, seen, attach } = setup();
    const event = fakeEvent();
    app.emit('open-url', event, URL_A);
    expect(event.preventDefault).toHaveBeenCalledOnce();
    expect(seen).toEqual([]);
    attach();
    expect(seen).toEqual([URL_A]);
  });

  it('delivers open-url directly once attached', () => {
    const { app, seen, attach } = setup();
    attach();
    app.emit('open-url', fakeEvent(), URL_B);
    expect(seen).toEqual([URL_B]);
  });

  it('delivers the URL of second-instance argv with switches around it, then focuses', () => {
    const { app, seen, attach, onSecondInstance } = setup();
    attach();
    const argv = [EXE, '--allow-file-access-from-files', URL_A, '--original-process-start-time=1'];
    app.emit('second-instance', fakeEvent(), argv, '/home/me', null);
    expect(seen).toEqual([URL_A]);
    expect(onSecondInstance).toHaveBeenCalledOnce();
  });

  it('ignores second-instance argv with two URLs but still focuses', () => {
    const { app, seen, attach, onSecondInstance } = setup();
    attach();
    app.emit('second-instance', fakeEvent(), [EXE, URL_A, URL_B], '/home/me', null);
    expect(seen).toEqual([]);
    expect(onSecondInstance).toHaveBeenCalledOnce();
  });

  it('focuses on a plain second launch without a URL', () => {
    const { app, seen, attach, onSecondInstance } = setup();
    attach();
    app.emit('second-instance', fakeEvent(), [EXE], '/home/me', null);
    expect(seen).toEqual([]);
    expect(onSecondInstance).toHaveBeenCalledOnce();
  });

  it('delivers the cold-start argv deep link, queued until attach', () => {
    const { seen, attach, intake } = setup([EXE, '--flag', URL_A]);
    expect(intake.queued).toBe(1);
    attach();
    expect(seen).toEqual([URL_A]);
  });

  it('ignores a cold-start argv with two URLs', () => {
    const { intake } = setup([EXE, URL_A, URL_B]);
    expect(intake.queued).toBe(0);
  });

  it('dispose removes its listeners, and can be called twice', () => {
    const { app, seen, attach, dispose, onSecondInstance } = setup();
    attach();
    expect(app.listenerCount('open-url')).toBe(1);
    expect(app.listenerCount('second-instance')).toBe(1);
    dispose();
    dispose();
    expect(app.listenerCount('open-url')).toBe(0);
    expect(app.listenerCount('second-instance')).toBe(0);
    app.emit('open-url', fakeEvent(), URL_A);
    app.emit('second-instance', fakeEvent(), [EXE, URL_A], '/', null);
    expect(seen).toEqual([]);
    expect(onSecondInstance).not.toHaveBeenCalled();
  });

  it('feeds the parser end to end: one intake, one union', () => {
    const { app, intake } = setup();
    const links: DeepLink[] = [];
    app.emit('open-url', fakeEvent(), URL_A);
    app.emit('open-url', fakeEvent(), `APP.LATCHKEY://oauth/openrouter/${NONCE}?code=x`);
    intake.attach((u) => links.push(parseDeepLink(u, { scheme: SCHEME })));
    expect(links.map((l) => l.kind)).toEqual(['oauth-callback', 'unknown']);
  });
});
