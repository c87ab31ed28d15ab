import type { FetchLike } from './request';

/** `net.fetch`'s shape, without importing Electron (main/index.ts passes the real one). */
export type NetFetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Makes Electron's `net.fetch` the app's {@link FetchLike}: the URL is passed as a string, and
 * every call is `credentials: 'omit'` and `cache: 'no-store'`, whatever the caller asked for.
 *
 * Why: `net.fetch` runs in the default session (electron/electron at
 * v45.0.0-nightly.20260821, 7ca7c50: lib/browser/api/net.ts:21-23). A `Request` defaults to
 * `credentials: 'same-origin'`, which Electron turns into `'include'` when there is no `Origin`
 * header (lib/browser/api/net-fetch.ts:85: `req.credentials === 'same-origin' && !origin ?
 * 'include' : req.credentials`); being specified, it is honoured with cookies
 * (shell/common/api/electron_api_url_loader.cc:641-642, :705-710 block cookies only when no
 * credentials mode was given). So a provider's `Set-Cookie` would land in the default session's
 * jar and go back on later calls. `cache` is passed on too (net-fetch.ts:94); `'no-store'`
 * becomes `LOAD_DISABLE_CACHE` (electron_api_url_loader.cc:655-660), so no provider answer
 * (tokens, account data) is written to or served from the HTTP cache. Provider calls carry their
 * credentials in headers and bodies only; they need neither cookies nor a cache.
 */
export function fromNetFetch(netFetch: NetFetch): FetchLike {
  return (input, init) =>
    netFetch(typeof input === 'string' ? input : input.href, {
      ...init,
      credentials: 'omit',
      cache: 'no-store',
    });
}
