import type { InvokeChannel, RequestOf, ResponseOf, Result } from '../../preload/api';
import { INVOKE_CHANNELS } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import type { Logger } from '../log';
import { requestSchemas } from './schemas';

/** Typed handlers derived from the contract: one per invoke channel. */
export type Handlers = {
  [C in InvokeChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
};

function isInvokeChannel(channel: string): channel is InvokeChannel {
  return (INVOKE_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Validates a raw request against its channel's schema, runs the handler and returns a
 * {@link Result}. Errors become `{code}` views: `ipcMain.handle` would only carry a message,
 * and a message could carry a secret. Used by the Electron registration and the harness alike.
 */
export async function dispatch(
  handlers: Handlers,
  channel: string,
  raw: unknown,
  log: Logger,
): Promise<Result<unknown>> {
  if (!isInvokeChannel(channel)) {
    return { ok: false, error: { code: 'IPC_INVALID_ARGUMENT' } };
  }
  const parsed = requestSchemas[channel].safeParse(raw);
  if (!parsed.success) {
    log.warn('ipc.invalid-argument', { channel });
    return { ok: false, error: toErrorView(new LatchkeyError('IPC_INVALID_ARGUMENT')) };
  }
  try {
    const handler = handlers[channel] as (request: unknown) => unknown;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (error) {
    const view = toErrorView(error);
    if (view.code === 'INTERNAL') {
      log.warn('ipc.internal-error', {
        channel,
        name: error instanceof Error ? error.name : typeof error,
      });
    }
    return { ok: false, error: view };
  }
}
