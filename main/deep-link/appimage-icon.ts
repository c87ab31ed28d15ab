/**
 * The AppImage's icon in the user's hicolor theme: copied out of the image so the desktop entry the
 * app writes for it (linux-registration.ts) can name an icon that outlives the mount.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, join } from 'node:path';
import { managedIconFile, type ManagedIconFile } from './desktop-entry';
import { absentAsNull, writeAtomically, type LinuxFs } from './xdg-files';

/**
 * Where electron-builder puts the app's icons in an AppImage, relative to `$APPDIR`:
 * `usr/share/icons/hicolor/<N>x<N>/apps/<executableName>.png`, one per size of `linux.icon`
 * (app-builder-lib 26.17.0 out/targets/appimage/appLauncher.js lines 8 `ICON_DIR_RELATIVE_PATH`,
 * 19 `iconFileName = executableName + ext`, 31 `${icon.size}x${icon.size}/apps`; called from
 * appImageUtil.js line 126), plus `.DirIcon` and `<executableName>.png` at the top, links to the
 * largest (appLauncher.js lines 42–45). `executableName` is `latchkey`, the stem of the desktop
 * file name, as `Icon=latchkey` of electron-builder's own entries (LinuxTargetHelper.js line 246).
 * SVG icons (`scalable/apps`) are not looked for: `electron-builder.yml` ships PNGs.
 */
const APPIMAGE_ICON_DIR = 'usr/share/icons/hicolor';

/** The hicolor sizes looked for, largest first (all are directories of hicolor's index.theme). */
const ICON_SIZES = [512, 256, 128, 64, 48, 32, 24, 16] as const;

/** A larger file in the image is not an icon and is not copied. */
const MAX_ICON_BYTES = 8 << 20;

/**
 * The icon theme name of the AppImage's copied icon: `<stem>-appimage`, not `<stem>`. A deb
 * installs `/usr/share/icons/hicolor/<N>x<N>/apps/latchkey.png` (FpmTarget.js line 219), and the
 * icon theme spec looks in `$XDG_DATA_HOME/icons` before the `icons` folder of each
 * `$XDG_DATA_DIRS` entry, so a user copy named `latchkey` would shadow the deb's icon (an old
 * AppImage's icon on the installed app) and the two could never be told apart when removing.
 */
function appImageIconName(desktopFileName: string): string {
  return `${desktopFileName.replace(/\.desktop$/, '')}-appimage`;
}

/** The icon the entry will name, and the record of the file when the app wrote (or owns) it. */
export interface InstalledIcon {
  readonly name: string;
  readonly file: ManagedIconFile | undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Copies the AppImage's largest icon out of `options.appDir` (see {@link APPIMAGE_ICON_DIR}) to
 * the user's hicolor theme; null when there is none to name. Never throws: an icon is not worth
 * failing the scheme registration for.
 */
export async function installAppImageIcon(
  fs: LinuxFs,
  options: { readonly appDir?: string | undefined; readonly desktopFileName: string },
  dataHome: string,
  previousEntry: string | null,
): Promise<InstalledIcon | null> {
  const { appDir } = options;
  if (appDir === undefined || !isAbsolute(appDir)) return null;
  try {
    const stem = options.desktopFileName.replace(/\.desktop$/, '');
    const source = await largestIcon(fs, appDir, stem);
    if (source === null) return null;
    const name = appImageIconName(options.desktopFileName);
    const file = {
      path: `icons/hicolor/${source.size}x${source.size}/apps/${name}.png`,
      sha256: sha256(source.bytes),
    };
    const target = join(dataHome, file.path);
    const stats = await fs.lstat(target).catch(absentAsNull);
    if (stats !== null) {
      const existing = stats.isFile() ? await fs.readFile(target) : null;
      if (existing !== null && sha256(existing) === file.sha256) return { name, file };
      const recorded = previousEntry === null ? null : managedIconFile(previousEntry);
      const ours =
        existing !== null && recorded?.path === file.path && recorded.sha256 === sha256(existing);
      // Someone else's file under our name: named, but neither replaced nor ever deleted.
      if (!ours) return { name, file: undefined };
    }
    // Basedir spec: a missing destination directory is created with permission 0700.
    await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeAtomically(fs, target, source.bytes, 0o644);
    return { name, file };
  } catch {
    return null;
  }
}

/** The largest `<size>x<size>/apps/<stem>.png` regular file in the AppImage, with its bytes. */
async function largestIcon(
  fs: LinuxFs,
  appDir: string,
  stem: string,
): Promise<{ readonly size: number; readonly bytes: Buffer } | null> {
  for (const size of ICON_SIZES) {
    const path = join(appDir, APPIMAGE_ICON_DIR, `${size}x${size}`, 'apps', `${stem}.png`);
    const stats = await fs.stat(path).catch(() => null);
    if (stats === null || !stats.isFile() || stats.size > MAX_ICON_BYTES) continue;
    const bytes = await fs.readFile(path).catch(() => null);
    if (bytes !== null) return { size, bytes };
  }
  return null;
}

/**
 * Deletes the icon file `entryText` (an entry the app wrote, being replaced or removed) records,
 * unless `kept` is that same file — only a regular file whose bytes still hash to the record, so
 * an icon the user replaced survives. Best effort: failures are ignored.
 */
export async function removeRecordedIcon(
  fs: LinuxFs,
  dataHome: string,
  entryText: string,
  kept: ManagedIconFile | null | undefined,
): Promise<void> {
  const recorded = managedIconFile(entryText);
  if (recorded === null || recorded.path === kept?.path) return;
  const path = join(dataHome, recorded.path);
  try {
    const stats = await fs.lstat(path);
    if (!stats.isFile() || sha256(await fs.readFile(path)) !== recorded.sha256) return;
    await fs.unlink(path);
  } catch {
    // Absent or unreadable: nothing of ours to delete.
  }
}
