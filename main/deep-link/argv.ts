/**
 * Finds the deep link in a process's argv (cold start, or the `second-instance` event on
 * Windows/Linux), following security.md 5: exactly one element that parses as a URL with our
 * scheme; zero or several candidates → `null`. Elements starting with `-` are switches (Chromium
 * may insert its own anywhere, before or after the URL) and are skipped. The scheme is compared
 * case-sensitively on the raw text, so `app.latchkey.dev:` never matches `app.latchkey`.
 *
 * The element is returned as given: `parseDeepLink` (parse.ts) does the full validation.
 */
export function findDeepLinkInArgv(argv: readonly string[], scheme: string): string | null {
  const prefix = `${scheme}:`;
  let found: string | null = null;
  for (const arg of argv) {
    if (arg.startsWith('-') || !arg.startsWith(prefix) || !hasProtocol(arg, prefix)) continue;
    if (found !== null) return null;
    found = arg;
  }
  return found;
}

function hasProtocol(candidate: string, protocol: string): boolean {
  try {
    return new URL(candidate).protocol === protocol;
  } catch {
    return false;
  }
}
