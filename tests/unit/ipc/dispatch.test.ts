import { describe, expect, it, vi } from 'vitest';
import { INVOKE_CHANNELS } from '../../../preload/api';
import { dispatch, type Handlers } from '../../../main/ipc/dispatch';
import { LatchkeyError } from '../../../main/errors';
import { createMemoryLogger } from '../../../main/log';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const fail = () => {
    throw new Error('not expected');
  };
  const all = Object.fromEntries(
    INVOKE_CHANNELS.map((channel) => [channel, fail]),
  ) as unknown as Handlers;
  return {
    ...all,
    'auth:get-states': () => [],
    'settings:set-locale': ({ locale }) => locale,
    ...overrides,
  };
}

describe('dispatch', () => {
  const log = createMemoryLogger();

  it('runs the handler with the validated request', async () => {
    expect(await dispatch(handlers(), 'settings:set-locale', { locale: 'zh-CN' }, log)).toEqual({
      ok: true,
      value: 'zh-CN',
    });
    expect(await dispatch(handlers(), 'auth:get-states', undefined, log)).toEqual({
      ok: true,
      value: [],
    });
  });

  it.each([
    ['unknown channel', 'auth:steal-key', {}],
    ['prototype channel', '__proto__', {}],
    ['wrong provider', 'auth:sign-in', { provider: 'evil', route: 'deep-link' }],
    ['wrong route', 'auth:sign-in', { provider: 'openrouter', route: 'webview' }],
    ['extra field', 'auth:cancel', { provider: 'openrouter', verifier: 'x' }],
    ['missing field', 'auth:cancel', {}],
    ['wrong type', 'auth:submit-link', { url: 42 }],
    ['oversized', 'auth:submit-link', { url: 'x'.repeat(9000) }],
    ['bad locale', 'settings:set-locale', { locale: 'fr' }],
    ['argument where none is taken', 'auth:get-states', { a: 1 }],
    ['string payload', 'auth:cancel', 'openrouter'],
  ])('%s → IPC_INVALID_ARGUMENT, handler not called', async (_name, channel, request) => {
    const spy = vi.fn();
    const result = await dispatch(
      handlers({ 'auth:sign-in': spy, 'auth:cancel': spy, 'auth:submit-link': spy }),
      channel,
      request,
      log,
    );
    expect(result).toEqual({ ok: false, error: { code: 'IPC_INVALID_ARGUMENT' } });
    expect(spy).not.toHaveBeenCalled();
  });

  it('typed errors cross as code and details; anything else as INTERNAL without its message', async () => {
    const typed = await dispatch(
      handlers({
        'auth:cancel': () => {
          throw new LatchkeyError('HTTP_RATE_LIMITED', { status: 429, retryAfter: 3 });
        },
      }),
      'auth:cancel',
      { provider: 'openrouter' },
      log,
    );
    expect(typed).toEqual({
      ok: false,
      error: { code: 'HTTP_RATE_LIMITED', status: 429, retryAfter: 3 },
    });
    const secret = 'sk-or-v1-canary-secret';
    const untyped = await dispatch(
      handlers({
        'auth:cancel': () => {
          throw new Error(`failed with ${secret}`);
        },
      }),
      'auth:cancel',
      { provider: 'openrouter' },
      log,
    );
    expect(untyped).toEqual({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(untyped) + log.lines.join('')).not.toContain(secret);
  });
});
