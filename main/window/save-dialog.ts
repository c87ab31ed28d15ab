import { join } from 'node:path';
import type { BaseWindow, Dialog, SaveDialogOptions } from 'electron';

/** What {@link saveDialogChooser} needs from Electron (injected, so a test can pass a double). */
export interface SaveDialogDeps {
  readonly dialog: Pick<Dialog, 'showSaveDialog'>;
  /** The main window, which the dialog is modal to (a sheet on macOS); null when closed. */
  readonly window: () => BaseWindow | null;
  /** The folder the dialog opens in (the user's Downloads folder). */
  readonly folder: () => string;
}

/**
 * The Electron save dialog behind an export: parented to the main window, opening in
 * `folder()` with the suggested name, Markdown as the file type, asking before it overwrites
 * (docs/api/dialog.md `dialog.showSaveDialog`). The chosen path, or null when cancelled.
 */
export function saveDialogChooser(deps: SaveDialogDeps) {
  return async (suggestedName: string): Promise<string | null> => {
    const options: SaveDialogOptions = {
      defaultPath: join(deps.folder(), suggestedName),
      filters: [{ name: 'Markdown', extensions: ['md'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    };
    const window = deps.window();
    const result = window
      ? await deps.dialog.showSaveDialog(window, options)
      : await deps.dialog.showSaveDialog(options);
    return result.canceled || !result.filePath ? null : result.filePath;
  };
}
