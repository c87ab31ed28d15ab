/**
 * The text formats behind Linux deep-link registration, as pure functions: the desktop entry the
 * app writes for itself (Desktop Entry Specification) and the association lines of
 * `mimeapps.list` (MIME Applications Associations Specification). No file system, no processes:
 * `linux-registration.ts` does the I/O.
 *
 * Hand-written because no maintained npm package writes desktop entries with the spec's Exec
 * quoting, and the two formats are a few lines each.
 *
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/
 * @see https://specifications.freedesktop.org/mime-apps-spec/latest/
 */

/** The key that marks a desktop entry as written by Latchkey; without it the file is not ours. */
export const MANAGED_KEY = 'X-Latchkey-Managed';

/**
 * The icon file the app copied out of its AppImage, relative to `$XDG_DATA_HOME`, and the SHA-256
 * of the bytes it wrote there: the app deletes that file later only if the entry it replaces or
 * removes still records it and the bytes still hash the same (see {@link managedIconFile}).
 */
export const ICON_FILE_KEY = 'X-Latchkey-Icon-File';
export const ICON_SHA256_KEY = 'X-Latchkey-Icon-SHA256';

/** The entry's menu category when it is shown, as `electron-builder.yml` `linux.category`. */
const CATEGORY = 'Utility';

/** What the app's own desktop entry says. */
export interface ManagedDesktopEntry {
  /** `Name`: what launchers and "Open with" dialogs show. */
  readonly name: string;
  /** The command line that starts the app, one element per argument; `%U` is appended. */
  readonly exec: readonly string[];
  /** The one MIME type the entry claims, `x-scheme-handler/<scheme>`. */
  readonly mimeType: string;
  /** `StartupWMClass`: the desktop file ID, which Electron uses as WM_CLASS and Wayland app ID. */
  readonly wmClass: string;
  /** `Icon`: an icon theme name or an absolute path; omitted when absent. */
  readonly icon?: string;
  /** The icon file the app wrote for `icon`, recorded in the entry; requires `icon`. */
  readonly iconFile?: ManagedIconFile;
  /** False writes `NoDisplay=true`: the entry opens links but is not in the applications menu. */
  readonly showInMenu: boolean;
}

/**
 * An icon the app wrote: `path` is `icons/hicolor/<N>x<N>/apps/<icon>.png` relative to
 * `$XDG_DATA_HOME` (XDG icon theme spec), `sha256` the lowercase hex digest of its bytes.
 */
export interface ManagedIconFile {
  readonly path: string;
  readonly sha256: string;
}

/** Whether `file` is a well-formed record of an icon named `icon` (nothing else is deleted). */
function isIconFileFor(file: ManagedIconFile, icon: string | undefined): boolean {
  const match = /^icons\/hicolor\/([1-9][0-9]{0,3})x\1\/apps\/([A-Za-z0-9_-]+)\.png$/.exec(
    file.path,
  );
  return match !== null && match[2] === icon && /^[0-9a-f]{64}$/.test(file.sha256);
}

/**
 * Whether `scheme` is an RFC 3986 §3.1 scheme, so `x-scheme-handler/<scheme>` is a MIME type
 * and a `mimeapps.list` key with nothing to escape.
 */
export function isValidScheme(scheme: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme);
}

/**
 * Whether `name` is a desktop file ID with the `.desktop` suffix: dot-separated components of
 * `[A-Za-z0-9_-]`, none starting with a digit, so it is also a safe file name.
 *
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/file-naming.html
 */
export function isValidDesktopFileName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*\.desktop$/.test(name);
}

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\t': '\\t',
  '\r': '\\r',
};

/**
 * Escapes a value of type string or localestring: `\\`, `\n`, `\t`, `\r`, and `\s` for a leading
 * space (which readers would otherwise trim). Throws a `RangeError` for the control characters no
 * escape can hold.
 *
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/value-types.html
 */
export function escapeStringValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new RangeError(
      `a desktop entry value cannot hold a control character: ${JSON.stringify(value)}`,
    );
  }
  return value.replace(/[\\\n\t\r]/g, (c) => STRING_ESCAPES[c] ?? c).replace(/^ /, '\\s');
}

/**
 * One argument of the Exec key, before string escaping: `%` doubled (it introduces field codes);
 * quoted in double quotes when it is empty or holds a reserved character, with `"`, `` ` ``, `$`
 * and `\` backslash-escaped inside the quotes. Arguments without reserved characters stay
 * unquoted, because xdg-utils reads the program as the first space-separated word of Exec and
 * does not understand quotes (xdg-mime `desktop_file_to_binary`, `first_word`).
 *
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html
 */
export function quoteExecArgument(argument: string): string {
  const percent = argument.replace(/%/g, '%%');
  if (percent !== '' && !/[ \t\n\r"'\\><~|&;$*?#()`]/.test(percent)) return percent;
  return `"${percent.replace(/["`$\\]/g, '\\$&')}"`;
}

/** The Exec value for `argv` followed by `%U` (the URLs to open), quoted then string-escaped. */
export function execValue(argv: readonly string[]): string {
  return escapeStringValue([...argv.map(quoteExecArgument), '%U'].join(' '));
}

/**
 * The bytes of the app's own desktop entry. Deterministic, so an unchanged entry can be compared
 * byte for byte instead of rewritten. `TryExec` names the program: if the AppImage is deleted,
 * launchers hide the entry instead of showing one that cannot start. Throws a `RangeError` when a
 * value holds a control character.
 */
export function renderDesktopEntry(entry: ManagedDesktopEntry): string {
  const [program] = entry.exec;
  if (program === undefined || program === '') throw new RangeError('exec is empty');
  const { iconFile } = entry;
  if (iconFile !== undefined && !isIconFileFor(iconFile, entry.icon)) {
    throw new RangeError(`not an icon file for Icon=${String(entry.icon)}: ${iconFile.path}`);
  }
  const lines = [
    `# Written by Latchkey so that ${entry.mimeType} links open it.`,
    `# Latchkey rewrites it when the app moves and deletes it when asked (${MANAGED_KEY}).`,
    '[Desktop Entry]',
    'Type=Application',
    `Name=${escapeStringValue(entry.name)}`,
    `Exec=${execValue(entry.exec)}`,
    `TryExec=${escapeStringValue(program)}`,
    ...(entry.icon === undefined ? [] : [`Icon=${escapeStringValue(entry.icon)}`]),
    'Terminal=false',
    ...(entry.showInMenu ? [`Categories=${CATEGORY};`] : ['NoDisplay=true']),
    `StartupWMClass=${escapeStringValue(entry.wmClass)}`,
    `MimeType=${entry.mimeType};`,
    ...(iconFile === undefined
      ? []
      : [`${ICON_FILE_KEY}=${iconFile.path}`, `${ICON_SHA256_KEY}=${iconFile.sha256}`]),
    `${MANAGED_KEY}=true`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Whether the `[Desktop Entry]` group of `text` says `X-Latchkey-Managed=true`. */
export function isManagedDesktopEntry(text: string): boolean {
  return keyLines(text, 'Desktop Entry', MANAGED_KEY).some((line) => line.value.trim() === 'true');
}

/**
 * The icon file a managed entry records, or null: only when the entry is ours, its `Icon` is a
 * theme name, and the record names `icons/hicolor/<N>x<N>/apps/<Icon>.png` with a SHA-256.
 */
export function managedIconFile(text: string): ManagedIconFile | null {
  if (!isManagedDesktopEntry(text)) return null;
  const value = (key: string) => keyLines(text, 'Desktop Entry', key)[0]?.value.trim();
  const path = value(ICON_FILE_KEY);
  const sha256 = value(ICON_SHA256_KEY);
  if (path === undefined || sha256 === undefined) return null;
  const file = { path, sha256 };
  return isIconFileFor(file, value('Icon')) ? file : null;
}

/**
 * The desktop file ID `mimeapps.list` names first for `mimeType` under `[Default Applications]`,
 * or null. Only this file's own line: which handler wins overall is xdg-mime's question.
 *
 * @see https://specifications.freedesktop.org/mime-apps-spec/latest/default.html
 */
export function defaultApplication(mimeapps: string, mimeType: string): string | null {
  const [line] = keyLines(mimeapps, 'Default Applications', mimeType);
  if (line === undefined) return null;
  return splitList(line.value).find((id) => id !== '') ?? null;
}

/**
 * `mimeapps.list` without `desktopId` in the `mimeType` lines of `[Default Applications]` and
 * `[Added Associations]`; a line left with no application is dropped with its line break. Every
 * other byte — other keys, other applications of the same key, comments, blank lines, line
 * endings, `[Removed Associations]` — is kept. Returns the input itself when nothing names us.
 *
 * @see https://specifications.freedesktop.org/mime-apps-spec/latest/associate.html
 */
export function removeAssociation(
  mimeapps: string,
  mimeType: string,
  desktopId: string,
): { readonly text: string; readonly removed: number } {
  let removed = 0;
  const out = lines(mimeapps).map((line) => {
    if (line.group !== 'Default Applications' && line.group !== 'Added Associations')
      return line.raw;
    if (line.key !== mimeType) return line.raw;
    const ids = line.value.split(';');
    const kept = ids.filter((id) => id.trim() !== desktopId);
    if (kept.length === ids.length) return line.raw;
    removed += ids.length - kept.length;
    if (kept.every((id) => id.trim() === '')) return '';
    return `${line.prefix}${kept.join(';')}${line.eol}`;
  });
  return removed === 0 ? { text: mimeapps, removed } : { text: out.join(''), removed };
}

interface Line {
  /** The line as read, with its line ending. */
  readonly raw: string;
  readonly eol: string;
  /** The group the line is in, null before the first header. */
  readonly group: string | null;
  /** For `key=value` lines: the key, everything up to the value, and the value. */
  readonly key: string | null;
  readonly prefix: string;
  readonly value: string;
}

/** Lines of a key file with their groups; keys are compared exactly (they are case-sensitive). */
function lines(text: string): Line[] {
  let group: string | null = null;
  return (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((raw) => {
    const eol = /\r?\n$/.exec(raw)?.[0] ?? '';
    const body = raw.slice(0, raw.length - eol.length);
    const header = /^\[([^\]]*)\]\s*$/.exec(body);
    if (header) group = header[1] ?? '';
    const pair = header || /^\s*#/.test(body) ? null : /^(\s*([^=]*?)\s*=\s*)(.*)$/.exec(body);
    if (pair === null) return { raw, eol, group, key: null, prefix: '', value: '' };
    const [, prefix = '', key = '', value = ''] = pair;
    return { raw, eol, group, key, prefix, value };
  });
}

function keyLines(text: string, group: string, key: string): Line[] {
  return lines(text).filter((line) => line.group === group && line.key === key);
}

/** A `;`-separated list, items trimmed; a trailing `;` gives a last empty item. */
function splitList(value: string): string[] {
  return value.split(';').map((id) => id.trim());
}
