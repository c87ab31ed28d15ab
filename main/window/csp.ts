/**
 * The renderer's Content Security Policy (security.md 19), sent as a header by the `app://`
 * protocol handler and by the browser harness. No remote origins at all; inline scripts are
 * impossible; inline style attributes are allowed for Svelte's `style:` directives.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // blob: for sent images, handed to <img> as object URLs of their bytes (issue 11).
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');
