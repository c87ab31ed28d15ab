import { describe, expect, it } from 'vitest';
import {
  defaultApplication,
  escapeStringValue,
  execValue,
  isManagedDesktopEntry,
  isValidDesktopFileName,
  isValidScheme,
  managedIconFile,
  quoteExecArgument,
  removeAssociation,
  renderDesktopEntry,
} from '../../../main/deep-link/desktop-entry';

const MIME = 'x-scheme-handler/app.latchkey';
const ID = 'latchkey.desktop';

describe('Exec quoting (Desktop Entry spec, "The Exec key")', () => {
  it.each([
    ['/opt/Latchkey/latchkey', '/opt/Latchkey/latchkey'],
    ['/home/me/Apps/Latchkey-0.1.0.AppImage', '/home/me/Apps/Latchkey-0.1.0.AppImage'],
    ['/home/josé/文档/Latchkey.AppImage', '/home/josé/文档/Latchkey.AppImage'],
    ['--flag=value', '--flag=value'],
  ])('leaves an argument without reserved characters unquoted: %s', (argument, quoted) => {
    // xdg-utils reads the program as the first word of Exec and knows no quotes.
    expect(quoteExecArgument(argument)).toBe(quoted);
  });

  it.each([' ', '\t', '\n', "'", '>', '<', '~', '|', '&', ';', '*', '?', '#', '(', ')'])(
    'quotes an argument holding the reserved character %j',
    (c) => {
      expect(quoteExecArgument(`/a${c}b`)).toBe(`"/a${c}b"`);
    },
  );

  it.each([
    ['"', '"/a\\"b"'],
    ['`', '"/a\\`b"'],
    ['$', '"/a\\$b"'],
    ['\\', '"/a\\\\b"'],
  ])('quotes and backslash-escapes %j inside the quotes', (c, quoted) => {
    expect(quoteExecArgument(`/a${c}b`)).toBe(quoted);
  });

  it('doubles % so no argument becomes a field code', () => {
    expect(quoteExecArgument('%U')).toBe('%%U');
    expect(quoteExecArgument('/100% done/x')).toBe('"/100%% done/x"');
  });

  it('quotes the empty argument', () => {
    expect(quoteExecArgument('')).toBe('""');
  });

  it('applies string escaping after quoting: a backslash is four in the file, a tab is \\t', () => {
    expect(execValue(['/a b\\c'])).toBe('"/a b\\\\\\\\c" %U');
    expect(execValue(['/a\tb'])).toBe('"/a\\tb" %U');
    expect(execValue(['/a\nb'])).toBe('"/a\\nb" %U');
    expect(execValue(['/a$b'])).toBe('"/a\\\\$b" %U');
  });

  it('puts every argument before %U: the development command line', () => {
    expect(execValue(['/src/latchkey/node_modules/electron/dist/electron', '/src/latchkey'])).toBe(
      '/src/latchkey/node_modules/electron/dist/electron /src/latchkey %U',
    );
    expect(execValue(['/home/me/My Projects/electron', '/home/me/My Projects/latchkey'])).toBe(
      '"/home/me/My Projects/electron" "/home/me/My Projects/latchkey" %U',
    );
  });
});

describe('string values (Desktop Entry spec, "Possible value types")', () => {
  it('escapes backslash, newline, tab, carriage return and a leading space', () => {
    expect(escapeStringValue('a\\b\nc\td\re')).toBe('a\\\\b\\nc\\td\\re');
    expect(escapeStringValue(' Latchkey ')).toBe('\\sLatchkey ');
    expect(escapeStringValue('Latchkey (development)')).toBe('Latchkey (development)');
  });

  it.each(['\u0000', '\u0001', '\u001b', '\u007f'])('refuses the control character %j', (c) => {
    expect(() => escapeStringValue(`/a${c}b`)).toThrow(RangeError);
  });
});

describe('renderDesktopEntry', () => {
  it('writes a launchable entry for an AppImage', () => {
    expect(
      renderDesktopEntry({
        name: 'Latchkey',
        exec: ['/home/me/Apps/Latchkey-0.1.0.AppImage'],
        mimeType: MIME,
        wmClass: 'latchkey',
        showInMenu: true,
      }),
    ).toBe(
      [
        '# Written by Latchkey so that x-scheme-handler/app.latchkey links open it.',
        '# Latchkey rewrites it when the app moves and deletes it when asked (X-Latchkey-Managed).',
        '[Desktop Entry]',
        'Type=Application',
        'Name=Latchkey',
        'Exec=/home/me/Apps/Latchkey-0.1.0.AppImage %U',
        'TryExec=/home/me/Apps/Latchkey-0.1.0.AppImage',
        'Terminal=false',
        'Categories=Utility;',
        'StartupWMClass=latchkey',
        'MimeType=x-scheme-handler/app.latchkey;',
        'X-Latchkey-Managed=true',
        '',
      ].join('\n'),
    );
  });

  it('hides the development entry from menus and writes the icon when given', () => {
    const text = renderDesktopEntry({
      name: 'Latchkey (development)',
      exec: ['/src/My Apps/electron', '/src/My Apps/latchkey'],
      mimeType: 'x-scheme-handler/app.latchkey.dev',
      wmClass: 'latchkey-dev',
      icon: '/src/My Apps/latchkey/build/icon.png',
      showInMenu: false,
    });
    expect(text).toContain('\nExec="/src/My Apps/electron" "/src/My Apps/latchkey" %U\n');
    expect(text).toContain('\nTryExec=/src/My Apps/electron\n');
    expect(text).toContain('\nIcon=/src/My Apps/latchkey/build/icon.png\n');
    expect(text).toContain('\nNoDisplay=true\n');
    expect(text).not.toContain('Categories=');
    expect(text).toContain('\nMimeType=x-scheme-handler/app.latchkey.dev;\n');
  });

  it('cannot be made to inject a key through a newline in a value', () => {
    const text = renderDesktopEntry({
      name: 'Latchkey\nExec=/bin/evil',
      exec: ['/tmp/x\nExec=/bin/evil'],
      mimeType: MIME,
      wmClass: 'latchkey',
      showInMenu: true,
    });
    expect(text.split('\n').filter((line) => line.startsWith('Exec='))).toEqual([
      'Exec="/tmp/x\\nExec=/bin/evil" %U',
    ]);
  });

  it('refuses an empty command line and control characters', () => {
    const entry = { name: 'Latchkey', mimeType: MIME, wmClass: 'latchkey', showInMenu: true };
    expect(() => renderDesktopEntry({ ...entry, exec: [] })).toThrow(RangeError);
    expect(() => renderDesktopEntry({ ...entry, exec: [''] })).toThrow(RangeError);
    expect(() => renderDesktopEntry({ ...entry, exec: ['/a\u0001b'] })).toThrow(RangeError);
  });

  it('is recognised as ours, and nothing else is', () => {
    const ours = renderDesktopEntry({
      name: 'Latchkey',
      exec: ['/x'],
      mimeType: MIME,
      wmClass: 'latchkey',
      showInMenu: true,
    });
    expect(isManagedDesktopEntry(ours)).toBe(true);
    expect(isManagedDesktopEntry(ours.replace('X-Latchkey-Managed=true', ''))).toBe(false);
    expect(
      isManagedDesktopEntry(ours.replace('X-Latchkey-Managed=true', 'X-Latchkey-Managed=false')),
    ).toBe(false);
    expect(isManagedDesktopEntry('[Desktop Entry]\nX-Latchkey-Managed = true\n')).toBe(true);
    expect(isManagedDesktopEntry('[Desktop Action x]\nX-Latchkey-Managed=true\n')).toBe(false);
    expect(isManagedDesktopEntry('# X-Latchkey-Managed=true\n[Desktop Entry]\nName=x\n')).toBe(
      false,
    );
    expect(isManagedDesktopEntry('')).toBe(false);
  });
});

describe('the icon file an entry records (managedIconFile)', () => {
  const SHA = 'ab'.repeat(32);
  const PATH = 'icons/hicolor/512x512/apps/latchkey-appimage.png';
  const entry = {
    name: 'Latchkey',
    exec: ['/x'],
    mimeType: MIME,
    wmClass: 'latchkey',
    showInMenu: true,
    icon: 'latchkey-appimage',
  };

  it('writes Icon with the file and its SHA-256, and reads them back', () => {
    const text = renderDesktopEntry({ ...entry, iconFile: { path: PATH, sha256: SHA } });
    expect(text).toContain('\nIcon=latchkey-appimage\n');
    expect(text).toContain(`\nX-Latchkey-Icon-File=${PATH}\nX-Latchkey-Icon-SHA256=${SHA}\n`);
    expect(managedIconFile(text)).toEqual({ path: PATH, sha256: SHA });
    // Without a record, nothing is the app's to delete.
    expect(managedIconFile(renderDesktopEntry(entry))).toBeNull();
  });

  it.each([
    ['another icon name', PATH.replace('latchkey-appimage', 'latchkey'), SHA],
    ['a path out of the theme', 'icons/hicolor/512x512/apps/../../../../.bashrc', SHA],
    ['an absolute path', `/usr/share/${PATH}`, SHA],
    ['mismatched sizes', PATH.replace('512x512', '512x256'), SHA],
    ['another extension', PATH.replace('.png', '.svg'), SHA],
    ['a short digest', PATH, 'ab'],
  ])('refuses to write or read a record with %s', (_name, path, sha256) => {
    expect(() => renderDesktopEntry({ ...entry, iconFile: { path, sha256 } })).toThrow(RangeError);
    const text = renderDesktopEntry({ ...entry, iconFile: { path: PATH, sha256: SHA } })
      .replace(PATH, path)
      .replace(`SHA256=${SHA}`, `SHA256=${sha256}`);
    expect(managedIconFile(text)).toBeNull();
  });

  it('reads no record from an entry that is not ours or names another icon', () => {
    const text = renderDesktopEntry({ ...entry, iconFile: { path: PATH, sha256: SHA } });
    expect(managedIconFile(text.replace('X-Latchkey-Managed=true', ''))).toBeNull();
    expect(managedIconFile(text.replace('Icon=latchkey-appimage', 'Icon=firefox'))).toBeNull();
  });
});

describe('defaultApplication (mime-apps spec, "Default Application")', () => {
  it.each([
    ['[Default Applications]\nx-scheme-handler/app.latchkey=latchkey.desktop\n', ID],
    [
      '[Default Applications]\nx-scheme-handler/app.latchkey = latchkey.desktop;other.desktop;\n',
      ID,
    ],
    [
      '[Default Applications]\nx-scheme-handler/app.latchkey=other.desktop;latchkey.desktop\n',
      'other.desktop',
    ],
    ['[Added Associations]\nx-scheme-handler/app.latchkey=latchkey.desktop;\n', null],
    ['[Default Applications]\nx-scheme-handler/app.latchkey.dev=latchkey.desktop\n', null],
    ['[Default Applications]\n#x-scheme-handler/app.latchkey=latchkey.desktop\n', null],
    ['x-scheme-handler/app.latchkey=latchkey.desktop\n', null],
    ['', null],
  ])('%j → %j', (text, expected) => {
    expect(defaultApplication(text, MIME)).toBe(expected);
  });
});

describe('removeAssociation (mime-apps spec)', () => {
  const before = [
    '# my defaults',
    '[Default Applications]',
    'text/html=firefox.desktop',
    'x-scheme-handler/app.latchkey=latchkey.desktop',
    'x-scheme-handler/app.latchkey.dev=latchkey-dev.desktop',
    'x-scheme-handler/https=firefox.desktop',
    '',
    '[Added Associations]',
    'x-scheme-handler/app.latchkey=other.desktop;latchkey.desktop;',
    'image/png=eog.desktop;',
    '',
    '[Removed Associations]',
    'x-scheme-handler/app.latchkey=latchkey.desktop;',
    '',
  ].join('\n');

  it('takes out only our desktop file from our key, in the two groups that assign', () => {
    const { text, removed } = removeAssociation(before, MIME, ID);
    expect(removed).toBe(2);
    expect(text).toBe(
      before
        .replace('x-scheme-handler/app.latchkey=latchkey.desktop\n', '')
        .replace('=other.desktop;latchkey.desktop;', '=other.desktop;'),
    );
  });

  it('returns the same string when nothing names us, and is idempotent', () => {
    const once = removeAssociation(before, MIME, ID).text;
    const twice = removeAssociation(once, MIME, ID);
    expect(twice).toEqual({ text: once, removed: 0 });
    const other = '[Default Applications]\nx-scheme-handler/app.latchkey=other.desktop\n';
    expect(removeAssociation(other, MIME, ID).text).toBe(other);
  });

  it('keeps CRLF line endings, spacing, a missing final newline and the list order', () => {
    const crlf =
      '[Default Applications]\r\ntext/html=firefox.desktop\r\nx-scheme-handler/app.latchkey = latchkey.desktop\r\n' +
      '[Added Associations]\r\nx-scheme-handler/app.latchkey = a.desktop; latchkey.desktop ;b.desktop';
    expect(removeAssociation(crlf, MIME, ID)).toEqual({
      text:
        '[Default Applications]\r\ntext/html=firefox.desktop\r\n' +
        '[Added Associations]\r\nx-scheme-handler/app.latchkey = a.desktop;b.desktop',
      removed: 2,
    });
  });

  it('never touches a longer scheme or another desktop file with our name as a prefix', () => {
    const text =
      '[Default Applications]\nx-scheme-handler/app.latchkey.dev=latchkey.desktop\n' +
      'x-scheme-handler/app.latchkey=latchkey.desktop.bak;xlatchkey.desktop\n';
    expect(removeAssociation(text, MIME, ID)).toEqual({ text, removed: 0 });
  });
});

describe('names', () => {
  it.each(['app.latchkey', 'app.latchkey.dev', 'x-y+z'])('accepts the scheme %s', (scheme) => {
    expect(isValidScheme(scheme)).toBe(true);
  });
  it.each(['', '1app', 'app latchkey', 'app/latchkey', 'app;x', 'app\n'])(
    'refuses the scheme %j',
    (scheme) => {
      expect(isValidScheme(scheme)).toBe(false);
    },
  );
  it.each(['latchkey.desktop', 'latchkey-dev.desktop', 'app.latchkey.Latchkey.desktop'])(
    'accepts the desktop file name %s',
    (name) => {
      expect(isValidDesktopFileName(name)).toBe(true);
    },
  );
  it.each([
    'latchkey',
    '.desktop',
    '../latchkey.desktop',
    'a/b.desktop',
    'my app.desktop',
    '1x.desktop',
  ])('refuses the desktop file name %j', (name) => {
    expect(isValidDesktopFileName(name)).toBe(false);
  });
});
