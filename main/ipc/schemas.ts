import { z } from 'zod';
import { LOCALES, PROVIDER_IDS, type InvokeChannel, type RequestOf } from '../../preload/api';

const provider = z.enum(PROVIDER_IDS);
const none = z.union([z.undefined(), z.null()]).transform(() => undefined);

/**
 * One schema per invoke channel (security.md 20: every argument validated). The mapped type
 * makes a missing channel or a schema of the wrong shape a compile error.
 */
export const requestSchemas: { [C in InvokeChannel]: z.ZodType<RequestOf<C>, unknown> } = {
  'app:get-info': none,
  'auth:get-states': none,
  'auth:sign-in': z.strictObject({ provider, route: z.enum(['deep-link', 'loopback']) }),
  'auth:cancel': z.strictObject({ provider }),
  'auth:submit-link': z.strictObject({ url: z.string().min(1).max(8192) }),
  'auth:sign-out': z.strictObject({ provider }),
  'auth:remember-anyway': z.strictObject({ provider }),
  'auth:dismiss-error': z.strictObject({ provider }),
  'account:refresh': z.strictObject({ provider }),
  'settings:set-locale': z.strictObject({ locale: z.enum(LOCALES) }),
  'shell:open-external': z.strictObject({ url: z.string().min(1).max(4096) }),
};
