import type { App, Event } from 'electron';
import { findDeepLinkInArgv } from './argv';
import type { DeepLinkIntake } from './intake';

/** What {@link listenForDeepLinks} needs; `app` is injected so tests can pass a fake. */
export interface DeepLinkListenerOptions {
  readonly app: App;
  /** `app.latchkey`, or `app.latchkey.dev` in development (product.md). */
  readonly scheme: string;
  readonly intake: DeepLinkIntake;
  /** The startup argv (`process.argv`), scanned once for a cold-start deep link. */
  readonly argv: readonly string[];
  /** Called on every `second-instance`, after any deep link was delivered: focus the window. */
  readonly onSecondInstance?: () => void;
}

/**
 * The Electron side of the deep-link intake (security.md 4–5), after VS Code's
 * `ElectronURLListener`: every route the OS uses to hand a URL over ends in
 * {@link DeepLinkIntake.deliver}, which queues until the app attaches its handler.
 * - macOS `open-url` (warm and cold start): `preventDefault()` and deliver. Electron only emits it
 *   to listeners registered early, hence "call before `ready`".
 * - Windows/Linux `second-instance`: the argv of the second launch, scanned with
 *   {@link findDeepLinkInArgv} (switches skipped, zero or several candidates ignored).
 * - Windows/Linux cold start: the startup argv, scanned the same way, delivered at once.
 *
 * The single-instance lock is the caller's (`main/index.ts`). Returns a function that removes
 * the listeners; calling it twice is harmless.
 */
export function listenForDeepLinks(options: DeepLinkListenerOptions): () => void {
  const { app, scheme, intake, onSecondInstance } = options;

  const onOpenUrl = (event: Event, url: string): void => {
    event.preventDefault();
    intake.deliver(url);
  };
  const onSecond = (_event: Event, argv: string[]): void => {
    const url = findDeepLinkInArgv(argv, scheme);
    if (url !== null) intake.deliver(url);
    onSecondInstance?.();
  };

  app.on('open-url', onOpenUrl);
  app.on('second-instance', onSecond);

  const coldStart = findDeepLinkInArgv(options.argv, scheme);
  if (coldStart !== null) intake.deliver(coldStart);

  return () => {
    app.removeListener('open-url', onOpenUrl);
    app.removeListener('second-instance', onSecond);
  };
}
