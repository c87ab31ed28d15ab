const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/**
 * The normalized href for a link in model output, or null when it must not be a link: only absolute
 * `http:`, `https:` and `mailto:` URLs qualify. Relative and protocol-relative URLs (which would resolve
 * against `app://`), `javascript:`, `data:`, `file:`, `vbscript:` and anything unparsable are refused.
 * Clicks still go through the https-only `openExternal` wrapper (security.md item 21).
 */
export function safeHref(href: string | null | undefined): string | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  return ALLOWED_PROTOCOLS.has(url.protocol) ? url.href : null;
}
