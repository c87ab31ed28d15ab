import { extname, join, normalize, sep } from 'node:path';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** The content type of a renderer file, by extension. */
export function mimeType(file: string): string {
  return MIME_TYPES[extname(file)] ?? 'application/octet-stream';
}

/**
 * Maps a URL path to a file inside `rootDir` (`/` → `index.html`), or null when the decoded,
 * normalized path would leave it. Shared by the `app://` protocol and the browser harness.
 */
export function resolveStaticFile(rootDir: string, pathname: string): string | null {
  let relative: string;
  try {
    relative = pathname === '/' ? '/index.html' : decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  const file = normalize(join(rootDir, relative));
  return file.startsWith(rootDir + sep) ? file : null;
}
