/**
 * What the boot test (parent, tests/boot/boot.ts) and the Electron double (child,
 * tests/boot/electron-double.ts) say to each other over the child's IPC channel
 * (`serialization: 'advanced'`, i.e. structured clone). Types only.
 */

/** Platforms Electron ships for; the child's `process.platform` is set to one of them. */
export type DoublePlatform = 'linux' | 'win32' | 'darwin';

/**
 * How `safeStorage` behaves (Linux names, see electron-double.ts):
 * - `gnome_libsecret`: a keyring is there; encryption available after `ready` (`v11`).
 * - `basic_text`: no keyring; unavailable until `setUsePlainTextEncryption(true)` (`v10`).
 * - `unavailable`: a keyring was selected but gives no key; nothing can encrypt.
 * On macOS and Windows only `unavailable` differs from "available after ready".
 */
export type SafeStorageMode = 'gnome_libsecret' | 'basic_text' | 'unavailable';

/** The double's configuration, passed in the `ELECTRON_DOUBLE` environment variable as JSON. */
export interface DoubleConfig {
  readonly platform: DoublePlatform;
  readonly isPackaged: boolean;
  /** What `app.requestSingleInstanceLock()` returns (false: another instance holds it). */
  readonly singleInstanceLock: boolean;
  /** What `app.setAsDefaultProtocolClient()` returns. */
  readonly protocolClientResult: boolean;
  readonly safeStorage: SafeStorageMode;
  /** The user's home (a temp dir); `appData` is derived from it per platform. */
  readonly home: string;
  /** `app.getAppPath()`: the folder holding package.json (dev) or `resources/app.asar`. */
  readonly appPath: string;
  /** package.json `productName` (Electron prefers it over `name`) and `version`. */
  readonly name: string;
  readonly version: string;
  readonly preferredSystemLanguages: readonly string[];
  /** What `dialog.showSaveDialog` answers: the path the user chose, or null (Cancel; the default). */
  readonly saveDialogPath?: string | null;
}

/** One thing the app did to Electron (or that the double did on its behalf), in order. */
export interface CallRecord {
  /** 1, 2, 3, … in the order the child recorded them. */
  readonly seq: number;
  /**
   * `app.enableSandbox`, `BrowserWindow.new`, `webContents.send`, `net.fetch`, …; `lacks` when
   * the app touched an API the double does not have; `stderr` for what the app wrote there.
   */
  readonly api: string;
  /** Whether `ready` had been emitted when it happened. */
  readonly ready: boolean;
  /** Call details (plain data: functions are replaced by a marker). */
  readonly data: Record<string, unknown>;
}

/** Messages from the child. */
export type ChildMessage =
  | { readonly kind: 'record'; readonly record: CallRecord }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string };

/** Who an IPC invoke claims to come from. */
export type SenderKind =
  /** The main window's page, top frame, `app://latchkey/index.html`. */
  | 'window'
  /** The main window, but its top frame shows another origin (after a navigation). */
  | 'foreign-origin'
  /** The main window's page, from a subframe (`senderFrame.parent` is not null). */
  | 'subframe'
  /** A webContents that is not the main window's (another window, a webview). */
  | 'other-contents';

/** Commands to the child; each gets one `reply` with the same `id`. */
export type Command =
  /** Emits `will-finish-launching` then `ready`, and resolves `app.whenReady()`. */
  | { readonly cmd: 'ready' }
  /** Emits an `app` event; the first argument is an Event (its `preventDefault` is recorded). */
  | { readonly cmd: 'app-emit'; readonly event: string; readonly args: readonly unknown[] }
  /** The page of window `windowId` finished loading: `did-finish-load`, then `ready-to-show`. */
  | { readonly cmd: 'finish-load'; readonly windowId: number }
  /** The user closed window `windowId`: `close`, `closed`, then `window-all-closed` if last. */
  | { readonly cmd: 'close-window'; readonly windowId: number }
  /** Calls the `ipcMain.handle` handler of `channel` as Electron would for `sender`. */
  | {
      readonly cmd: 'invoke';
      readonly channel: string;
      readonly request: unknown;
      readonly sender: SenderKind;
    }
  /** Calls the `protocol.handle` handler of the URL's scheme with `new Request(url)`. */
  | { readonly cmd: 'protocol-request'; readonly url: string }
  /** Calls the default session's permission request and check handlers. */
  | { readonly cmd: 'permission'; readonly permission: string }
  /** Calls the window's `setWindowOpenHandler` handler and emits `will-navigate`. */
  | { readonly cmd: 'navigation'; readonly windowId: number; readonly url: string }
  /** A snapshot of the double's state ({@link DoubleState}). */
  | { readonly cmd: 'state' };

/** What the `protocol-request` command answers. */
export interface ProtocolResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the `permission` command answers. */
export interface PermissionAnswer {
  /** What the request handler passed to its callback; null when none is set. */
  readonly requestGranted: boolean | null;
  /** What the check handler returned; null when none is set. */
  readonly checkGranted: boolean | null;
}

/** What the `navigation` command answers. */
export interface NavigationAnswer {
  /** The `setWindowOpenHandler` answer's `action`, or null when no handler is set. */
  readonly windowOpen: string | null;
  /** Whether a `will-navigate` listener called `preventDefault()`. */
  readonly navigationPrevented: boolean;
}

/** What the `state` command answers. */
export interface DoubleState {
  readonly ready: boolean;
  readonly paths: { readonly appData: string; readonly userData: string };
  readonly windows: readonly {
    readonly id: number;
    readonly destroyed: boolean;
    readonly visible: boolean;
    readonly loaded: boolean;
    readonly url: string | null;
  }[];
  /** Channels with an `ipcMain.handle` handler. */
  readonly ipcHandlers: readonly string[];
  /** `ipcMain` event names with listeners (Electron's own `error` listener included). */
  readonly ipcListeners: readonly string[];
  /** Schemes with a `protocol.handle` handler. */
  readonly protocolHandlers: readonly string[];
  /** `app` event names with listeners. */
  readonly appListeners: readonly string[];
  /** The cookie jar of the default session: `name=value` per origin. */
  readonly cookies: Record<string, readonly string[]>;
}
