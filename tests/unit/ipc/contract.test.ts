import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type InvokeChannel,
  type LatchkeyApi,
  type RequestOf,
  type ResponseOf,
} from '../../../preload/api';
import { createLatchkeyApi, type Transport } from '../../../preload/bridge';
import type { Handlers } from '../../../main/ipc/dispatch';
import { requestSchemas } from '../../../main/ipc/schemas';

describe('the IPC contract', () => {
  it('main handler types, schemas and preload are derived from the same contract', () => {
    expectTypeOf<Parameters<Handlers['auth:sign-in']>[0]>().toEqualTypeOf<
      RequestOf<'auth:sign-in'>
    >();
    expectTypeOf<Awaited<ReturnType<Handlers['auth:get-states']>>>().toEqualTypeOf<
      ResponseOf<'auth:get-states'>
    >();
    expectTypeOf<Awaited<ReturnType<LatchkeyApi['signIn']>>>().toEqualTypeOf<
      ResponseOf<'auth:sign-in'>
    >();
    expectTypeOf<keyof typeof requestSchemas>().toEqualTypeOf<InvokeChannel>();
    expect(Object.keys(requestSchemas).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('each preload function invokes its own channel, and errors come back typed', async () => {
    const calls: [string, unknown][] = [];
    const transport: Transport = {
      invoke: (channel, request) => {
        calls.push([channel, request]);
        return Promise.resolve(
          channel === 'auth:cancel'
            ? { ok: false, error: { code: 'AUTH_CALLBACK_UNKNOWN' } }
            : { ok: true, value: channel },
        );
      },
      subscribe: () => () => undefined,
    };
    const api = createLatchkeyApi(transport);
    await api.signIn('openrouter', 'loopback');
    await api.submitSignInLink('x');
    await api.setLocale('zh-CN');
    await expect(api.cancelSignIn('openrouter')).rejects.toMatchObject({
      code: 'AUTH_CALLBACK_UNKNOWN',
    });
    expect(calls).toEqual([
      ['auth:sign-in', { provider: 'openrouter', route: 'loopback' }],
      ['auth:submit-link', { url: 'x' }],
      ['settings:set-locale', { locale: 'zh-CN' }],
      ['auth:cancel', { provider: 'openrouter' }],
    ]);
  });

  it('subscriptions deliver payloads only and return an unsubscribe function', () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const api = createLatchkeyApi({
      invoke: () => Promise.resolve({ ok: true, value: null }),
      subscribe: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    });
    const seen: unknown[] = [];
    const off = api.onAuthState((state) => seen.push(state));
    listeners.get('auth:state')?.({ provider: 'openrouter' });
    expect(seen).toEqual([{ provider: 'openrouter' }]);
    off();
    expect(listeners.has('auth:state')).toBe(false);
    expect(EVENT_CHANNELS).toContain('auth:state');
  });
});
