/** C0 and C1 control characters (and DEL): never shown, never accepted in settings text. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** True when `value` contains a control character. */
export function hasControlCharacters(value: string): boolean {
  for (const char of value) {
    if (isControl(char.codePointAt(0) ?? 0)) return true;
  }
  return false;
}

/**
 * Text a provider sent (an `error_description`, a display name) made safe to show as plain
 * text: control characters become spaces, runs of spaces collapse, at most `max` characters.
 * Undefined for anything but a string with something left in it.
 */
export function plainProviderText(value: unknown, max = 300): string | undefined {
  if (typeof value !== 'string') return undefined;
  let cleaned = '';
  for (const char of value) cleaned += isControl(char.codePointAt(0) ?? 0) ? ' ' : char;
  cleaned = cleaned.replace(/ {2,}/g, ' ').trim().slice(0, max);
  return cleaned || undefined;
}
