import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp';
import { mimeType, resolveStaticFile } from './static-files';

/** The renderer's origin: served from `app://latchkey/`, never `file://` (security.md 19). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = 'app://latchkey';

/** Must run before `ready`: `app:` is a standard, secure scheme with fetch support. */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/**
 * Serves `rendererDir` on `app://latchkey/` with the CSP header. Paths are normalized and must
 * stay inside the directory; any other host is refused.
 */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'latchkey') return new Response('not found', { status: 404 });
    const file = resolveStaticFile(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'content-type': mimeType(file),
          'content-security-policy': CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
}
