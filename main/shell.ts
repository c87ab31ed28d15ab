import { LatchkeyError } from './errors';
import { isLoopbackHttp } from './config';

/**
 * The only way a URL leaves the app for the OS (security.md 3, 21): `https:` URLs without
 * credentials; `http:` only on loopback, and only when the caller allows it (a provider
 * configured on 127.0.0.1 for tests). Everything else is `SHELL_URL_REJECTED`.
 */
export function checkExternalUrl(
  raw: string,
  options: { allowLoopbackHttp?: boolean } = {},
): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new LatchkeyError('SHELL_URL_REJECTED', {}, { cause: error });
  }
  const allowed =
    url.protocol === 'https:' || (options.allowLoopbackHttp === true && isLoopbackHttp(url));
  if (!allowed || url.username || url.password) throw new LatchkeyError('SHELL_URL_REJECTED');
  return url.href;
}
