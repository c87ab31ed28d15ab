/**
 * A recorded double of Electron's main-process API, for the boot test of the built main bundle
 * (tests/boot). `register-electron-double.mjs` maps the specifier `electron` to this file, so
 * `out/main/index.js` and the dependencies that import `electron` (electron-store) get it when
 * they run under plain Node in a child process.
 *
 * - Everything the app does to Electron is recorded ({@link CallRecord}) and streamed to the test
 *   over the child's IPC channel; the test drives events with {@link Command}s.
 * - Where Electron's behaviour matters to the app, the double reproduces it; each behaviour cites
 *   its source. Paths and line numbers are of electron/electron at the tag
 *   v45.0.0-nightly.20260821 (7ca7c50); docs/api pages are published at
 *   https://www.electronjs.org/docs/latest/api/.
 * - Whatever it does not implement fails loudly: every object is a {@link strict} proxy that
 *   records `lacks` and throws "electron double lacks X", and every Electron export the double
 *   does not implement throws on any use.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { doubleDecrypt, doubleEncrypt } from './double-cipher';
import type {
  CallRecord,
  ChildMessage,
  Command,
  DoubleConfig,
  DoubleState,
  NavigationAnswer,
  PermissionAnswer,
  ProtocolResponse,
  SenderKind,
} from './double-protocol';

const config = JSON.parse(process.env['ELECTRON_DOUBLE'] ?? 'null') as DoubleConfig | null;
if (config === null) throw new Error('electron double: ELECTRON_DOUBLE (JSON config) is not set');
if (process.platform !== config.platform) {
  throw new Error(
    `electron double: process.platform is ${process.platform}, not ${config.platform}`,
  );
}
const platform = config.platform;

// Electron's main process is `process.type === 'browser'` (docs/api/process.md, `process.type`);
// electron-store reads it to tell main from renderer.
Object.assign(process, {
  type: 'browser',
  resourcesPath: config.isPackaged
    ? dirname(config.appPath)
    : join(config.appPath, 'node_modules', 'electron', 'dist', 'resources'),
});

// ---------------------------------------------------------------------------------------------
// Records and the channel to the test
// ---------------------------------------------------------------------------------------------

let seq = 0;
let pendingSends = 0;
const flushed: (() => void)[] = [];
const lifecycle = { ready: false, quitting: false, exiting: false };

function post(message: ChildMessage): void {
  if (!process.send || !process.connected) return;
  pendingSends += 1;
  process.send(message, undefined, undefined, () => {
    pendingSends -= 1;
    if (pendingSends === 0) for (const done of flushed.splice(0)) done();
  });
}

/** Records one call; `data` is made plain (functions become a marker) so it can be cloned. */
function record(api: string, data: Record<string, unknown> = {}): void {
  seq += 1;
  const entry: CallRecord = {
    seq,
    api,
    ready: lifecycle.ready,
    data: plain(data) as Record<string, unknown>,
  };
  post({ kind: 'record', record: entry });
}

/** Ends the child once every record has reached the test. */
function exitChild(code: number): void {
  if (lifecycle.exiting) return;
  lifecycle.exiting = true;
  record('process.exit', { code });
  const done = () => process.exit(code);
  if (pendingSends === 0) done();
  else {
    flushed.push(done);
    setTimeout(done, 2000).unref();
  }
}

function plain(value: unknown, depth = 0): unknown {
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '[too deep]';
  if (value instanceof URL) return value.href;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (ArrayBuffer.isView(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, depth + 1));
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    return `[object ${(proto.constructor as { name?: string } | undefined)?.name ?? '?'}]`;
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, plain(item, depth + 1)]),
  );
}

// What the app writes to stderr (its JSON log lines) joins the ordered record stream, so a test
// can tell whether a log line came before or after, say, `did-finish-load`. Test instrument only.
const writeStderr = process.stderr.write.bind(process.stderr);
process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  record('stderr', { text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString() });
  return writeStderr(chunk, ...rest);
}) as typeof process.stderr.write;

// ---------------------------------------------------------------------------------------------
// Loud failure for whatever the double lacks
// ---------------------------------------------------------------------------------------------

/** Looked up by Promise resolution, JSON.stringify and inspection; never Electron API. */
const DUCK_TYPED = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType']);

function lacks(api: string): never {
  record('lacks', { api });
  throw new Error(`electron double lacks ${api}`);
}

/**
 * `target` behind a proxy that throws "electron double lacks <name>.<prop>" for any property it
 * does not have. `absent` lists properties Electron itself does not define on this platform (they
 * read as `undefined`, as in Electron).
 */
function strict<T extends object>(target: T, name: string, absent: readonly string[] = []): T {
  return new Proxy(target, {
    get(object, prop, receiver) {
      if (typeof prop === 'symbol' || prop in object) return Reflect.get(object, prop, receiver);
      if (DUCK_TYPED.has(prop) || absent.includes(prop)) return undefined;
      return lacks(`${name}.${prop}`);
    },
  });
}

/** An Electron export the double does not implement: any use throws. */
function lacking(name: string): unknown {
  const stand = function () {};
  return new Proxy(stand, {
    get(_object, prop) {
      if (typeof prop === 'symbol' || DUCK_TYPED.has(prop)) return undefined;
      return lacks(`${name}.${prop}`);
    },
    apply: () => lacks(`${name}()`),
    construct: () => lacks(`new ${name}()`),
  });
}

/** What EventEmitter's `on` takes. */
type Listener = Parameters<EventEmitter['on']>[1];

/** Electron's `Event` for app and webContents events: `preventDefault()` is what matters. */
interface DoubleEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

function makeEvent(name: string, extra: Record<string, unknown> = {}): DoubleEvent {
  const event: DoubleEvent = {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return strict(event, `Event(${name})`);
}

// ---------------------------------------------------------------------------------------------
// app
// ---------------------------------------------------------------------------------------------

/**
 * `appData` per platform: docs/api/app.md:620-623; on Linux `$XDG_CONFIG_HOME` or `~/.config`
 * (shell/common/electron_paths.cc:66-71).
 */
function appDataDir(): string {
  if (platform === 'darwin') return join(config!.home, 'Library', 'Application Support');
  if (platform === 'win32') return join(config!.home, 'AppData', 'Roaming');
  return process.env['XDG_CONFIG_HOME'] || join(config!.home, '.config');
}

const PATH_NAMES = new Set([
  'home',
  'appData',
  'assets',
  'userData',
  'sessionData',
  'temp',
  'exe',
  'module',
  'desktop',
  'documents',
  'downloads',
  'music',
  'pictures',
  'videos',
  'recent',
  'logs',
  'crashDumps',
]);

let resolveReady: () => void = () => {};
const readyPromise = new Promise<void>((resolve) => {
  resolveReady = resolve;
});

class AppDouble extends EventEmitter {
  name = config!.name;
  readonly pathOverrides = new Map<string, string>();
  singleInstanceLock = false;
  /** docs/api/command-line.md: Chromium's command line, i.e. the process's argv. */
  readonly commandLine = strict(
    {
      appendSwitch: (name: string, value?: string) =>
        record('app.commandLine.appendSwitch', { name, value }),
      appendArgument: (value: string) => record('app.commandLine.appendArgument', { value }),
      hasSwitch: (name: string) =>
        process.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)),
      getSwitchValue: (name: string) =>
        process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '',
    },
    'app.commandLine',
  );
  /** docs/api/app.md:1926 `app.dock` _macOS_; lib/browser/api/app.ts:65-72. */
  readonly dock =
    platform === 'darwin'
      ? strict(
          {
            show: () => (record('app.dock.show'), Promise.resolve()),
            hide: () => record('app.dock.hide'),
            isVisible: () => true,
            setMenu: (menu: unknown) => record('app.dock.setMenu', { menu }),
            getMenu: () => null,
            setIcon: (image: unknown) => record('app.dock.setIcon', { image }),
            setBadge: (text: string) => record('app.dock.setBadge', { text }),
            getBadge: () => '',
            bounce: () => (record('app.dock.bounce'), 0),
          },
          'app.dock',
        )
      : undefined;

  constructor() {
    super();
    // lib/browser/init.ts:169-174: Electron's own listener quits when all windows are closed and
    // nobody else listens to `window-all-closed`.
    super.on('window-all-closed', () => {
      if (this.listenerCount('window-all-closed') === 1) this.quit();
    });
    // lib/browser/init.ts:176-182 + lib/browser/default-menu.ts:11-24: the default menu is set on
    // `will-finish-launching` unless the app set one (or null) before.
    super.once('will-finish-launching', () => MenuDouble.setDefault());
  }

  // Listener registrations are recorded (`open-url` must be listened to before `ready`).
  override on(event: string | symbol, listener: Listener): this {
    record('app.on', { event: String(event) });
    return super.on(event, listener);
  }
  override addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  /** docs/api/app.md:1931 `app.isPackaged`. */
  get isPackaged(): boolean {
    return config!.isPackaged;
  }

  whenReady(): Promise<void> {
    return readyPromise;
  }
  isReady(): boolean {
    return lifecycle.ready;
  }

  /**
   * docs/api/app.md:1772; shell/browser/api/electron_api_app.cc:1564-1570: throws once ready.
   */
  enableSandbox(): void {
    record('app.enableSandbox');
    if (lifecycle.ready) {
      throw new Error('app.enableSandbox() can only be called before app is ready');
    }
  }

  /**
   * docs/api/app.md:1070; electron_api_app.cc:1054-1060: creates the userData folder (the lock
   * lives there, so two userData folders mean two independent locks).
   */
  requestSingleInstanceLock(additionalData?: unknown): boolean {
    const userData = this.getPath('userData');
    record('app.requestSingleInstanceLock', { additionalData, userData });
    mkdirSync(userData, { recursive: true });
    this.singleInstanceLock = config!.singleInstanceLock;
    return this.singleInstanceLock;
  }
  hasSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  releaseSingleInstanceLock(): void {
    record('app.releaseSingleInstanceLock');
    this.singleInstanceLock = false;
  }

  /** docs/api/app.md:849-880: returns whether the call succeeded. */
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    record('app.setAsDefaultProtocolClient', { protocol, path, args });
    return config!.protocolClientResult;
  }
  removeAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    record('app.removeAsDefaultProtocolClient', { protocol, path, args });
    return true;
  }
  isDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean {
    record('app.isDefaultProtocolClient', { protocol, path, args });
    return false;
  }

  /**
   * docs/api/app.md:616-657; electron_api_app.cc:952-961 (unknown names throw);
   * electron_paths.cc:27-33,101-103 (userData = appData/<name>, created on first use).
   */
  getPath(name: string): string {
    if (!PATH_NAMES.has(name)) throw new Error(`Failed to get '${name}' path`);
    const override = this.pathOverrides.get(name);
    if (override !== undefined) return override;
    const home = config!.home;
    switch (name) {
      case 'home':
        return home;
      case 'appData':
        return appDataDir();
      case 'userData': {
        const dir = join(appDataDir(), this.name);
        mkdirSync(dir, { recursive: true });
        return dir;
      }
      case 'sessionData':
        return this.getPath('userData');
      case 'logs':
      case 'crashDumps': {
        const dir = join(this.getPath('userData'), name === 'logs' ? 'logs' : 'Crashpad');
        mkdirSync(dir, { recursive: true });
        return dir;
      }
      case 'temp':
        return tmpdir();
      case 'exe':
      case 'module':
        return process.execPath;
      case 'assets':
        return dirname(process.execPath);
      default:
        return join(home, name[0]!.toUpperCase() + name.slice(1));
    }
  }

  /**
   * docs/api/app.md:679-692; electron_api_app.cc:963-975: the path must be absolute; it is not
   * created (`OverrideAndCreateIfNeeded(..., create = false)`).
   */
  setPath(name: string, path: string): void {
    record('app.setPath', { name, path });
    if (!isAbsolute(path)) throw new Error('Path must be absolute');
    if (!PATH_NAMES.has(name)) throw new Error('Failed to set path');
    this.pathOverrides.set(name, path);
  }

  /** docs/api/app.md:612; lib/browser/init.ts:148 (the folder of the app's package.json). */
  getAppPath(): string {
    return config!.appPath;
  }
  /** docs/api/app.md:694-708; lib/browser/init.ts:128-138 (productName, version). */
  getName(): string {
    return this.name;
  }
  setName(name: string): void {
    record('app.setName', { name });
    this.name = name;
  }
  getVersion(): string {
    return config!.version;
  }
  getLocale(): string {
    return 'en-US';
  }
  /** electron_api_app.cc:988-994: only after ready. */
  getSystemLocale(): string {
    if (!lifecycle.ready) {
      throw new Error('app.getSystemLocale() can only be called after app is ready');
    }
    return 'en-US';
  }
  getPreferredSystemLanguages(): string[] {
    return [...config!.preferredSystemLanguages];
  }
  /** lib/browser/api/app.ts:62-63: a no-op outside Windows. */
  setAppUserModelId(id: string): void {
    record('app.setAppUserModelId', { id });
  }
  /** electron_api_app.cc:977-982: on Linux, sets `CHROME_DESKTOP` (the windows' app id). */
  setDesktopName(name: string): void {
    record('app.setDesktopName', { name });
    if (platform === 'linux') process.env['CHROME_DESKTOP'] = name;
  }
  focus(options?: unknown): void {
    record('app.focus', { options });
  }

  /**
   * docs/api/app.md:516-524 and shell/browser/browser.cc:120-132, 287-305, 314-322:
   * `before-quit` (preventable), every window closed, then `will-quit` (preventable), `quit`, exit.
   */
  quit(): void {
    record('app.quit');
    if (lifecycle.quitting) return;
    const beforeQuit = makeEvent('before-quit');
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    lifecycle.quitting = true;
    setImmediate(() => {
      for (const window of [...windows]) window.closeForQuit();
      const willQuit = makeEvent('will-quit');
      this.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) {
        lifecycle.quitting = false;
        return;
      }
      this.emit('quit', makeEvent('quit'), 0);
      exitChild(0);
    });
  }

  /** docs/api/app.md:526-533: exits at once, no `before-quit`/`will-quit`. */
  exit(code = 0): void {
    record('app.exit', { code });
    exitChild(code);
  }
}

// ---------------------------------------------------------------------------------------------
// Menu
// ---------------------------------------------------------------------------------------------

class MenuDouble {
  static current: MenuDouble | null = null;
  static wasSet = false;
  readonly template: readonly unknown[];

  constructor(template: readonly unknown[]) {
    this.template = template;
  }

  static buildFromTemplate(template: readonly unknown[]): MenuDouble {
    record('Menu.buildFromTemplate', { template });
    return strict(new MenuDouble(template), 'Menu');
  }

  /** lib/browser/api/menu.ts:209-220: marks the menu as set, so no default menu replaces it. */
  static setApplicationMenu(menu: MenuDouble | null): void {
    record('Menu.setApplicationMenu', { template: menu?.template ?? null, by: 'app' });
    MenuDouble.wasSet = true;
    MenuDouble.current = menu;
  }

  static getApplicationMenu(): MenuDouble | null {
    return MenuDouble.current;
  }

  /** lib/browser/default-menu.ts:11-24. */
  static setDefault(): void {
    if (MenuDouble.wasSet) return;
    const template = [
      ...(platform === 'darwin' ? [{ role: 'appMenu' }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ];
    record('Menu.setApplicationMenu', { template, by: 'electron-default' });
    MenuDouble.current = new MenuDouble(template);
  }
}

// ---------------------------------------------------------------------------------------------
// BrowserWindow and webContents
// ---------------------------------------------------------------------------------------------

let nextContentsId = 1;

class WebContentsDouble extends EventEmitter {
  readonly id = nextContentsId++;
  readonly windowId: number | null;
  readonly devToolsAllowed: boolean;
  loaded = false;
  url: string | null = null;
  destroyed = false;
  windowOpenHandler: ((details: unknown) => { action: string }) | null = null;
  readonly loadWaiters: (() => void)[] = [];

  constructor(windowId: number | null, devToolsAllowed: boolean) {
    super();
    this.windowId = windowId;
    this.devToolsAllowed = devToolsAllowed;
  }

  /**
   * docs/api/web-contents.md:2060-2075: arguments are structured-cloned (functions throw).
   * `loaded` records whether the page had finished loading: before that, the page's scripts may
   * not have subscribed yet, so an event can be lost.
   */
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    structuredClone(args);
    record('webContents.send', {
      windowId: this.windowId,
      channel,
      payload: args[0],
      loaded: this.loaded,
    });
  }

  /** docs/api/web-contents.md:1087-1100: resolves on `did-finish-load`. */
  loadURL(url: string, options?: unknown): Promise<void> {
    record('webContents.loadURL', { windowId: this.windowId, url, options });
    this.url = url;
    this.loaded = false;
    const loaded = new Promise<void>((resolve) => this.loadWaiters.push(resolve));
    loaded.catch(() => {});
    return loaded;
  }

  finishLoad(): void {
    if (this.url === null) throw new Error('finish-load: nothing was loaded in this window');
    this.loaded = true;
    record('webContents.did-finish-load', { windowId: this.windowId });
    this.emit('did-finish-load', makeEvent('did-finish-load'));
    for (const resolve of this.loadWaiters.splice(0)) resolve();
  }

  getURL(): string {
    return this.url ?? '';
  }
  isLoading(): boolean {
    return this.url !== null && !this.loaded;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: unknown) => { action: string }): void {
    record('webContents.setWindowOpenHandler', { windowId: this.windowId });
    this.windowOpenHandler = handler;
  }
  /** With `webPreferences.devTools: false` DevTools cannot open (docs/api/structures/web-preferences.md). */
  openDevTools(options?: unknown): void {
    record('webContents.openDevTools', {
      windowId: this.windowId,
      options,
      opened: this.devToolsAllowed,
    });
  }
  closeDevTools(): void {
    record('webContents.closeDevTools', { windowId: this.windowId });
  }
  isDevToolsOpened(): boolean {
    return false;
  }
}

const windows: BrowserWindowDouble[] = [];
let nextWindowId = 1;

interface WindowOptions {
  show?: boolean;
  webPreferences?: { devTools?: boolean };
}

class BrowserWindowDouble extends EventEmitter {
  readonly id: number;
  readonly webContents: WebContentsDouble;
  readonly options: WindowOptions;
  visible: boolean;
  minimized = false;
  destroyed = false;
  shownOnce = false;

  /** shell/browser/api/electron_api_browser_window.cc:315: not before `ready`. */
  constructor(options: WindowOptions = {}) {
    super();
    if (!lifecycle.ready) throw new Error('Cannot create BrowserWindow before app is ready');
    this.id = nextWindowId++;
    this.options = options;
    this.visible = options.show !== false;
    const contents = new WebContentsDouble(this.id, options.webPreferences?.devTools !== false);
    this.webContents = strict(contents, 'webContents');
    record('BrowserWindow.new', { id: this.id, options });
    const proxy = strict(this, 'BrowserWindow');
    windows.push(proxy);
    return proxy;
  }

  /** docs/api/browser-window.md:468. */
  static getAllWindows(): BrowserWindowDouble[] {
    return [...windows];
  }
  static getFocusedWindow(): BrowserWindowDouble | null {
    return windows[0] ?? null;
  }
  static fromWebContents(contents: unknown): BrowserWindowDouble | null {
    return windows.find((w) => w.webContents === contents) ?? null;
  }

  show(): void {
    record('BrowserWindow.show', { id: this.id });
    this.visible = true;
  }
  hide(): void {
    record('BrowserWindow.hide', { id: this.id });
    this.visible = false;
  }
  focus(): void {
    record('BrowserWindow.focus', { id: this.id });
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  minimize(): void {
    record('BrowserWindow.minimize', { id: this.id });
    this.minimized = true;
  }
  restore(): void {
    record('BrowserWindow.restore', { id: this.id });
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** docs/api/browser-window.md:1261-1276 `win.loadURL`: same as `webContents.loadURL`. */
  loadURL(url: string, options?: unknown): Promise<void> {
    return this.webContents.loadURL(url, options);
  }

  /** browser-window.md:267-273: once, when the page first rendered. */
  pageRendered(): void {
    if (this.shownOnce) return;
    this.shownOnce = true;
    this.emit('ready-to-show', makeEvent('ready-to-show'));
  }

  /** The user closes the window: `close` (preventable), then `closed`. */
  close(): boolean {
    record('BrowserWindow.close', { id: this.id });
    const event = makeEvent('close');
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }

  closeForQuit(): void {
    const event = makeEvent('close');
    this.emit('close', event);
    this.destroy();
  }

  /**
   * docs/api/browser-window.md:219 `closed`; docs/api/app.md:50-59 and browser.cc:314-322:
   * `window-all-closed` after the last one, unless quitting.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    windows.splice(windows.indexOf(this), 1);
    record('BrowserWindow.closed', { id: this.id });
    this.emit('closed');
    this.webContents.emit('destroyed');
    if (windows.length === 0 && !lifecycle.quitting) app.emit('window-all-closed');
  }
}

// ---------------------------------------------------------------------------------------------
// ipcMain
// ---------------------------------------------------------------------------------------------

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class IpcMainDouble extends EventEmitter {
  readonly invokeHandlers = new Map<string, InvokeHandler>();

  constructor() {
    super();
    // lib/browser/ipc-main-impl.ts:11-12: Electron's own listener, so `error` never throws.
    super.on('error', () => {});
  }

  /** lib/browser/ipc-main-impl.ts:15-23: a second handler for a channel throws. */
  handle(channel: string, handler: InvokeHandler): void {
    record('ipcMain.handle', { channel });
    if (this.invokeHandlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    if (typeof handler !== 'function') {
      throw new TypeError(`Expected handler to be a function, but found type '${typeof handler}'`);
    }
    this.invokeHandlers.set(channel, handler);
  }
  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return handler(event, ...args);
    });
  }
  removeHandler(channel: string): void {
    record('ipcMain.removeHandler', { channel });
    this.invokeHandlers.delete(channel);
  }
  override on(channel: string | symbol, listener: Listener): this {
    record('ipcMain.on', { channel: String(channel) });
    return super.on(channel, listener);
  }
  override addListener(channel: string | symbol, listener: Listener): this {
    return this.on(channel, listener);
  }
  override removeAllListeners(channel?: string | symbol): this {
    record('ipcMain.removeAllListeners', {
      channel: channel === undefined ? null : String(channel),
    });
    return super.removeAllListeners(channel);
  }
  override removeListener(channel: string | symbol, listener: Listener): this {
    record('ipcMain.removeListener', { channel: String(channel) });
    return super.removeListener(channel, listener);
  }
  override off(channel: string | symbol, listener: Listener): this {
    return this.removeListener(channel, listener);
  }
}

// ---------------------------------------------------------------------------------------------
// protocol, session, shell
// ---------------------------------------------------------------------------------------------

type ProtocolHandler = (request: Request) => Response | Promise<Response>;
const protocolHandlers = new Map<string, ProtocolHandler>();

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: unknown,
) => void;
type PermissionCheckHandler = (
  contents: unknown,
  permission: string,
  origin: string,
  details: unknown,
) => boolean;
const permissionHandlers: {
  request: PermissionRequestHandler | null;
  check: PermissionCheckHandler | null;
} = { request: null, check: null };

/**
 * docs/api/protocol.md:127 `protocol.handle`; lib/browser/api/protocol.ts:123-161 (a second
 * registration fails: "Failed to register protocol"), :196 (it is the default session's, so it
 * needs `ready`).
 */
function handleProtocol(scheme: string, handler: ProtocolHandler): void {
  record('protocol.handle', { scheme });
  requireSession();
  if (protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
  protocolHandlers.set(scheme, handler);
}

const protocol = strict(
  {
    /**
     * docs/api/protocol.md:72-80; shell/browser/api/electron_api_protocol.cc:362-369: throws
     * once the app is ready.
     */
    registerSchemesAsPrivileged(schemes: unknown): void {
      record('protocol.registerSchemesAsPrivileged', { schemes });
      if (lifecycle.ready) {
        throw new Error(
          'protocol.registerSchemesAsPrivileged should be called before app is ready',
        );
      }
    },
    handle: handleProtocol,
    unhandle(scheme: string): void {
      record('protocol.unhandle', { scheme });
      protocolHandlers.delete(scheme);
    },
    isProtocolHandled(scheme: string): boolean {
      return protocolHandlers.has(scheme);
    },
  },
  'protocol',
);

/**
 * lib/browser/api/session.ts:128-129 (`defaultSession` is `fromPartition('')`) and
 * shell/browser/api/electron_api_session.cc:1924-1927: not before `ready`.
 */
function requireSession(): void {
  if (!lifecycle.ready) throw new TypeError('Session can only be received when app is ready');
}

const defaultSession = strict(
  {
    setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
      record('session.setPermissionRequestHandler', { handler });
      permissionHandlers.request = handler;
    },
    setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
      record('session.setPermissionCheckHandler', { handler });
      permissionHandlers.check = handler;
    },
    protocol,
    fetch: (input: string | URL | Request, init?: RequestInit) => netFetch(input, init),
    /**
     * docs/api/session.md `ses.preconnect(options)`; shell/browser/api/electron_api_session.cc
     * `Session::Preconnect`: an invalid URL and `numSockets` outside 1–6 throw TypeErrors.
     * Recorded only: the double's `net.fetch` has no socket pool to warm.
     */
    preconnect(options: { url: string; numSockets?: number }): void {
      if (!URL.canParse(options.url)) {
        throw new TypeError('Must pass non-empty valid url to session.preconnect.');
      }
      const sockets = options.numSockets ?? 1;
      if (sockets < 1 || sockets > 6) {
        throw new TypeError('numSocketsToPreconnect is outside range [1,6]');
      }
      record('session.preconnect', { url: options.url, numSockets: sockets });
    },
  },
  'session.defaultSession',
);

const session = strict(
  {
    get defaultSession() {
      requireSession();
      return defaultSession;
    },
  },
  'session',
);

const shell = strict(
  {
    /** docs/api/shell.md `shell.openExternal`: resolves once the OS took the URL. */
    openExternal(url: string, options?: unknown): Promise<void> {
      record('shell.openExternal', { url, options });
      return Promise.resolve();
    },
  },
  'shell',
);

/**
 * docs/api/dialog.md `dialog.showSaveDialog([window, ]options)`: the window is optional (the
 * dialog is modal to it when given); resolves `{canceled, filePath}`, `filePath` `''` when
 * cancelled. The user's answer is `config.saveDialogPath` (null: Cancel).
 */
const dialog = strict(
  {
    showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath: string }> {
      const [window, options] = args.length >= 2 ? args : [null, args[0]];
      record('dialog.showSaveDialog', {
        windowId: (window as { id?: number } | null)?.id ?? null,
        options,
      });
      const path = config!.saveDialogPath ?? null;
      return Promise.resolve(
        path === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: path },
      );
    },
    /**
     * docs/api/dialog.md `dialog.showErrorBox(title, content)`: a modal error dialog, which "can
     * be called safely before the `ready` event"; returns once the user closes it.
     */
    showErrorBox(title: unknown, content: unknown): void {
      if (typeof title !== 'string' || typeof content !== 'string') {
        throw new TypeError('dialog.showErrorBox(title, content) takes two strings');
      }
      record('dialog.showErrorBox', { title, content });
    },
  },
  'dialog',
);

// ---------------------------------------------------------------------------------------------
// safeStorage
// ---------------------------------------------------------------------------------------------

/**
 * shell/browser/api/electron_api_safe_storage.cc. On Linux the backend is chosen at startup
 * (shell/browser/electron_browser_main_parts.cc:554-580) and reported only after `ready`
 * (:192-198, `unknown` before); `basic_text` has no OSCrypt key, so encryption is available only
 * after `setUsePlainTextEncryption(true)` (:146-157). macOS and Windows: available after `ready`.
 */
const safeStorageState = { usePasswordV10: false };
const linuxBackend = config.safeStorage === 'basic_text' ? 'basic_text' : 'gnome_libsecret';

function osCryptAvailable(): boolean {
  if (config!.safeStorage === 'unavailable') return false;
  return platform !== 'linux' || config!.safeStorage === 'gnome_libsecret';
}

function encryptionAvailable(): boolean {
  if (!lifecycle.ready) return false;
  if (platform !== 'linux') return osCryptAvailable();
  return osCryptAvailable() || (safeStorageState.usePasswordV10 && linuxBackend === 'basic_text');
}

const safeStorage = strict(
  {
    isEncryptionAvailable(): boolean {
      const available = encryptionAvailable();
      record('safeStorage.isEncryptionAvailable', { available });
      return available;
    },
    /** :188-190 (`SetUsePasswordV10`); docs/api/safe-storage.md:106-113. */
    setUsePlainTextEncryption(usePlainText: boolean): void {
      record('safeStorage.setUsePlainTextEncryption', { usePlainText });
      safeStorageState.usePasswordV10 = usePlainText;
    },
    ...(platform === 'linux' && {
      /** :72-75 (Linux only), :192-198; docs/api/safe-storage.md:115-130. */
      getSelectedStorageBackend(): string {
        const backend = lifecycle.ready ? linuxBackend : 'unknown';
        record('safeStorage.getSelectedStorageBackend', { backend });
        return backend;
      },
    }),
    /** :201-227: throws while unavailable; `v11` with a keyring key, else `v10`. */
    encryptString(plaintext: string): Buffer {
      record('safeStorage.encryptString');
      if (!encryptionAvailable()) {
        if (!lifecycle.ready) throw new Error('safeStorage cannot be used before app is ready');
        throw new Error(
          'Error while encrypting the text provided to safeStorage.encryptString. ' +
            'Encryption is not available.',
        );
      }
      const keyring = platform === 'linux' && osCryptAvailable();
      return doubleEncrypt(plaintext, keyring ? 'v11' : 'v10');
    },
    /** :229-277. */
    decryptString(ciphertext: Buffer): string {
      record('safeStorage.decryptString');
      if (!encryptionAvailable()) {
        if (!lifecycle.ready) throw new Error('safeStorage cannot be used before app is ready');
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptString. ' +
            'Decryption is not available.',
        );
      }
      if (!Buffer.isBuffer(ciphertext)) {
        throw new Error('Expected the first argument of decryptString() to be a buffer');
      }
      if (ciphertext.length === 0) return '';
      try {
        return doubleDecrypt(ciphertext);
      } catch {
        throw new Error(
          'Error while decrypting the ciphertext provided to safeStorage.decryptString. ' +
            'Ciphertext does not appear to be encrypted.',
        );
      }
    },
  },
  'safeStorage',
  platform === 'linux' ? [] : ['getSelectedStorageBackend'],
);

// ---------------------------------------------------------------------------------------------
// net.fetch
// ---------------------------------------------------------------------------------------------

/**
 * The default session's cookie jar, per origin (Domain/Path attributes are not modelled: every
 * test server is one origin on 127.0.0.1).
 */
const cookieJar = new Map<string, Map<string, string>>();

function storeCookies(url: URL, setCookies: readonly string[]): void {
  for (const line of setCookies) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const jar = cookieJar.get(url.origin) ?? new Map<string, string>();
    cookieJar.set(url.origin, jar);
    const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

function cookieHeader(url: URL): string | null {
  const jar = cookieJar.get(url.origin);
  if (!jar || jar.size === 0) return null;
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * Node's (undici's) failure codes → Chromium's net error names
 * (https://source.chromium.org/chromium/chromium/src/+/main:net/base/net_error_list.h).
 */
const NET_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'net::ERR_CONNECTION_REFUSED',
  ECONNRESET: 'net::ERR_CONNECTION_RESET',
  EPIPE: 'net::ERR_CONNECTION_RESET',
  ENOTFOUND: 'net::ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'net::ERR_NAME_NOT_RESOLVED',
  ETIMEDOUT: 'net::ERR_CONNECTION_TIMED_OUT',
  UND_ERR_CONNECT_TIMEOUT: 'net::ERR_CONNECTION_TIMED_OUT',
  EHOSTUNREACH: 'net::ERR_ADDRESS_UNREACHABLE',
  ENETUNREACH: 'net::ERR_INTERNET_DISCONNECTED',
  // The server closed the connection: before any answer Chromium says EMPTY_RESPONSE, in the
  // middle of a body CONNECTION_CLOSED (see `toNetError`).
  UND_ERR_SOCKET: 'net::ERR_EMPTY_RESPONSE',
};

/**
 * Node's fetch failures in Electron's shape. Electron rejects with a plain `Error` whose message
 * is Chromium's net error name (shell/common/api/electron_api_url_loader.cc:773-779
 * `net::ErrorToString`, lib/common/api/net-client-request.ts:463-466 `new Error(netErrorString)`),
 * or "Attempted to redirect, but redirect policy was 'error'" (net-client-request.ts:479-480);
 * an abort rejects with the signal's reason (lib/browser/api/net-fetch.ts:37-41, 57-67). Node's fetch
 * throws `TypeError('fetch failed')` with the cause instead.
 */
function toNetError(error: unknown, signal: AbortSignal, inBody = false): unknown {
  if (signal.aborted) return signal.reason ?? error;
  if (error instanceof DOMException) return error;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.message === 'unexpected redirect') {
    return new Error("Attempted to redirect, but redirect policy was 'error'");
  }
  const code = cause?.code ?? (error as { code?: string } | null)?.code;
  if (inBody && code === 'UND_ERR_SOCKET') return new Error('net::ERR_CONNECTION_CLOSED');
  return new Error((code && NET_ERRORS[code]) ?? 'net::ERR_FAILED');
}

/** A response body whose stream errors are Electron's errors too (net-client-request.ts:465). */
function netBody(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        const netError = toNetError(error, signal, true);
        record('net.fetch.body-error', { error: netError });
        controller.error(netError);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * docs/api/net.md:67-99 `net.fetch`; lib/browser/api/net.ts:21-23 (the default session's fetch,
 * so not before `ready`); lib/browser/api/net-fetch.ts:84-95 (credentials: a Request's default
 * `same-origin` becomes `include` without an origin; `cache` is passed on) and
 * shell/common/api/electron_api_url_loader.cc:641-642, 702-710 (with credentials given, cookies
 * of the session are sent and Set-Cookie stored, unless `omit`; `no-store` disables the HTTP
 * cache, :655-660); net-fetch.ts:111-128 (the Response is rebuilt: no `url`, multi-valued
 * headers joined, null body for 101/204/205/304 and HEAD).
 */
async function netFetch(
  input: string | URL | Request,
  init?: RequestInit & { bypassCustomProtocolHandlers?: boolean },
): Promise<Response> {
  requireSession();
  const request = new Request(input, init);
  const url = new URL(request.url);
  const origin = request.headers.get('origin');
  const credentials =
    request.credentials === 'same-origin' && !origin ? 'include' : request.credentials;
  const sentCookie = credentials === 'omit' ? null : cookieHeader(url);
  record('net.fetch', {
    url: request.url,
    method: request.method,
    init: {
      credentials: init?.credentials ?? null,
      cache: init?.cache ?? null,
      redirect: init?.redirect ?? null,
      signal: init?.signal ? true : false,
    },
    effective: { credentials, cache: request.cache, redirect: request.redirect },
    sentCookie,
  });
  const headers = new Headers(request.headers);
  if (sentCookie !== null) headers.set('cookie', sentCookie);
  let response: Response;
  try {
    response = await fetch(new Request(request, { headers }));
  } catch (error) {
    const netError = toNetError(error, request.signal);
    record('net.fetch.rejected', { url: request.url, error: netError });
    throw netError;
  }
  if (credentials !== 'omit') storeCookies(url, response.headers.getSetCookie());
  const nullBody = [101, 204, 205, 304].includes(response.status) || request.method === 'HEAD';
  const joined = new Headers();
  for (const [name, value] of response.headers) joined.set(name, value);
  return new Response(nullBody || !response.body ? null : netBody(response.body, request.signal), {
    status: response.status,
    statusText: response.statusText,
    headers: joined,
  });
}

const net = strict(
  {
    fetch: netFetch,
    isOnline: () => true,
    get online() {
      return true;
    },
  },
  'net',
);

// ---------------------------------------------------------------------------------------------
// nativeTheme
// ---------------------------------------------------------------------------------------------

class NativeThemeDouble extends EventEmitter {
  source = 'system';
  readonly shouldUseDarkColors = false;
  readonly shouldUseHighContrastColors = false;
  readonly shouldUseInvertedColorScheme = false;
  readonly inForcedColorsMode = false;
  get themeSource(): string {
    return this.source;
  }
  set themeSource(source: string) {
    record('nativeTheme.themeSource', { source });
    this.source = source;
  }
}

// ---------------------------------------------------------------------------------------------
// The module
// ---------------------------------------------------------------------------------------------

export const app = strict(new AppDouble(), 'app', ['dock']);
export const ipcMain = strict(new IpcMainDouble(), 'ipcMain');
export const BrowserWindow = strict(BrowserWindowDouble, 'BrowserWindow');
export const Menu = strict(MenuDouble, 'Menu');
export const nativeTheme = strict(new NativeThemeDouble(), 'nativeTheme');
export { dialog, net, protocol, safeStorage, session, shell };

// Every other export of Electron's main process (lib/browser/api/module-list.ts,
// lib/common/api/module-list.ts): present, so imports link, and loud on any use.
export const autoUpdater = lacking('autoUpdater');
export const BaseWindow = lacking('BaseWindow');
export const BrowserView = lacking('BrowserView');
export const clipboard = lacking('clipboard');
export const ClipboardItem = lacking('ClipboardItem');
export const contentTracing = lacking('contentTracing');
export const crashReporter = lacking('crashReporter');
export const desktopCapturer = lacking('desktopCapturer');
export const globalShortcut = lacking('globalShortcut');
export const ImageView = lacking('ImageView');
export const inAppPurchase = lacking('inAppPurchase');
export const MenuItem = lacking('MenuItem');
export const MessageChannelMain = lacking('MessageChannelMain');
export const nativeImage = lacking('nativeImage');
export const netLog = lacking('netLog');
export const Notification = lacking('Notification');
export const powerMonitor = lacking('powerMonitor');
export const powerSaveBlocker = lacking('powerSaveBlocker');
export const pushNotifications = lacking('pushNotifications');
export const screen = lacking('screen');
export const ServiceWorkerMain = lacking('ServiceWorkerMain');
export const sharedTexture = lacking('sharedTexture');
export const ShareMenu = lacking('ShareMenu');
export const systemPreferences = lacking('systemPreferences');
export const TouchBar = lacking('TouchBar');
export const Tray = lacking('Tray');
export const utilityProcess = lacking('utilityProcess');
export const View = lacking('View');
export const webContents = lacking('webContents');
export const WebContentsView = lacking('WebContentsView');
export const webFrameMain = lacking('webFrameMain');

const electron = strict(
  {
    app,
    ipcMain,
    BrowserWindow,
    Menu,
    nativeTheme,
    net,
    protocol,
    safeStorage,
    session,
    shell,
    autoUpdater,
    BaseWindow,
    BrowserView,
    clipboard,
    ClipboardItem,
    contentTracing,
    crashReporter,
    desktopCapturer,
    dialog,
    globalShortcut,
    ImageView,
    inAppPurchase,
    MenuItem,
    MessageChannelMain,
    nativeImage,
    netLog,
    Notification,
    powerMonitor,
    powerSaveBlocker,
    pushNotifications,
    screen,
    ServiceWorkerMain,
    sharedTexture,
    ShareMenu,
    systemPreferences,
    TouchBar,
    Tray,
    utilityProcess,
    View,
    webContents,
    WebContentsView,
    webFrameMain,
  },
  'electron',
);
/** `import electron from 'electron'` (electron-store does this). */
export default electron;

// ---------------------------------------------------------------------------------------------
// Commands from the test
// ---------------------------------------------------------------------------------------------

function windowById(id: number): BrowserWindowDouble {
  const window = windows.find((w) => w.id === id);
  if (!window) throw new Error(`no open window ${id}`);
  return window;
}

/** A WebFrameMain as an IPC event's `senderFrame` (docs/api/web-frame-main.md). */
function frame(url: string, parent: unknown): object {
  return strict(
    {
      url,
      origin: new URL(url).origin,
      parent,
      top: parent ?? null,
      name: '',
      frameTreeNodeId: parent ? 2 : 1,
      routingId: parent ? 2 : 1,
      processId: 4,
      detached: false,
      isDestroyed: () => false,
    },
    'WebFrameMain',
  );
}

/**
 * An `IpcMainInvokeEvent` (docs/api/structures/ipc-main-invoke-event.md) from `sender`: the real
 * page is `app://latchkey/index.html` in the main window's top frame.
 */
function invokeEvent(sender: SenderKind): object {
  const window = windows[0];
  if (!window) throw new Error('invoke: no window is open');
  const page = 'app://latchkey/index.html';
  const contents =
    sender === 'other-contents'
      ? strict(new WebContentsDouble(null, true), 'webContents')
      : window.webContents;
  const top = frame(sender === 'foreign-origin' ? 'https://evil.example/index.html' : page, null);
  const senderFrame = sender === 'subframe' ? frame(page, top) : top;
  return strict(
    { type: 'frame', processId: 4, frameId: 1, sender: contents, senderFrame },
    'IpcMainInvokeEvent',
  );
}

function snapshot(): DoubleState {
  const cookies: Record<string, string[]> = {};
  for (const [origin, jar] of cookieJar) {
    cookies[origin] = [...jar].map(([name, value]) => `${name}=${value}`);
  }
  return {
    ready: lifecycle.ready,
    paths: {
      appData: app.getPath('appData'),
      userData: app.pathOverrides.get('userData') ?? join(appDataDir(), app.name),
    },
    windows: windows.map((w) => ({
      id: w.id,
      destroyed: w.destroyed,
      visible: w.visible,
      loaded: w.webContents.loaded,
      url: w.webContents.url,
    })),
    ipcHandlers: [...ipcMain.invokeHandlers.keys()],
    ipcListeners: ipcMain.eventNames().map(String),
    protocolHandlers: [...protocolHandlers.keys()],
    appListeners: app.eventNames().map(String),
    cookies,
  };
}

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'ready': {
      // docs/api/app.md:22-48; shell/browser/browser.cc:239-256 (userData is created, then
      // `ready`; `whenReady()` resolves).
      if (lifecycle.ready) throw new Error('ready was already emitted');
      app.emit('will-finish-launching');
      mkdirSync(app.getPath('userData'), { recursive: true });
      lifecycle.ready = true;
      record('app.ready');
      app.emit('ready', makeEvent('ready'), {});
      resolveReady();
      return null;
    }
    case 'app-emit': {
      // docs/api/app.md:501-502: `second-instance` only after `ready`; :129 `open-url` is macOS's.
      if (command.event === 'second-instance' && !lifecycle.ready) {
        throw new Error('Electron emits second-instance only after ready');
      }
      if (command.event === 'open-url' && platform !== 'darwin') {
        throw new Error('Electron emits open-url on macOS only');
      }
      const event = makeEvent(command.event);
      record('app.emit', { event: command.event, args: command.args });
      app.emit(command.event, event, ...command.args);
      return { defaultPrevented: event.defaultPrevented };
    }
    case 'finish-load': {
      const window = windowById(command.windowId);
      window.webContents.finishLoad();
      window.pageRendered();
      return null;
    }
    case 'close-window':
      return windowById(command.windowId).close();
    case 'invoke': {
      const handler = ipcMain.invokeHandlers.get(command.channel);
      // lib/browser/ipc-main-internal-utils / ipc-main-impl: no handler → the invoke rejects.
      if (!handler) throw new Error(`No handler registered for '${command.channel}'`);
      return await handler(invokeEvent(command.sender), command.request);
    }
    case 'protocol-request': {
      const url = new URL(command.url);
      const handler = protocolHandlers.get(url.protocol.slice(0, -1));
      if (!handler) throw new Error(`no protocol handler for ${url.protocol}`);
      const response = await handler(new Request(command.url));
      const answer: ProtocolResponse = {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: await response.text(),
      };
      return answer;
    }
    case 'permission': {
      const window = windows[0];
      let requestGranted: boolean | null = null;
      permissionHandlers.request?.(
        window?.webContents ?? null,
        command.permission,
        (granted) => {
          requestGranted = granted;
        },
        { requestingUrl: 'app://latchkey/index.html', isMainFrame: true },
      );
      const checkGranted =
        permissionHandlers.check?.(
          window?.webContents ?? null,
          command.permission,
          'app://latchkey',
          { requestingUrl: 'app://latchkey/index.html', isMainFrame: true },
        ) ?? null;
      const answer: PermissionAnswer = { requestGranted, checkGranted };
      return answer;
    }
    case 'navigation': {
      const contents = windowById(command.windowId).webContents;
      const opened = contents.windowOpenHandler?.({
        url: command.url,
        frameName: '',
        features: '',
        disposition: 'foreground-tab',
        referrer: { url: '', policy: 'default' },
      });
      const event = makeEvent('will-navigate', { url: command.url });
      contents.emit('will-navigate', event, command.url);
      const answer: NavigationAnswer = {
        windowOpen: opened?.action ?? null,
        navigationPrevented: event.defaultPrevented,
      };
      return answer;
    }
    case 'state':
      return snapshot();
  }
}

process.on('message', (message: { id: number } & Command) => {
  run(message).then(
    (value) => post({ kind: 'reply', id: message.id, ok: true, value: plain(value) }),
    (error: unknown) =>
      post({
        kind: 'reply',
        id: message.id,
        ok: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
  );
});
// The test went away: nothing is left to drive the app.
process.on('disconnect', () => process.exit(0));
