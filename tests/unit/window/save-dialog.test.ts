import { join } from 'node:path';
import type { BaseWindow, SaveDialogOptions, SaveDialogReturnValue } from 'electron';
import { describe, expect, it } from 'vitest';
import { saveDialogChooser } from '../../../main/window/save-dialog';

function fakeDialog(answer: SaveDialogReturnValue) {
  const calls: { window: BaseWindow | null; options: SaveDialogOptions }[] = [];
  const showSaveDialog = (...args: [BaseWindow, SaveDialogOptions] | [SaveDialogOptions]) => {
    const [window, options] = args.length === 2 ? args : [null, args[0]];
    calls.push({ window, options });
    return Promise.resolve(answer);
  };
  return { calls, dialog: { showSaveDialog } as never };
}

describe('the save dialog behind an export', () => {
  it('is modal to the main window, opens in Downloads with the suggested name, Markdown only', async () => {
    const window = { id: 1 } as unknown as BaseWindow;
    const { calls, dialog } = fakeDialog({ canceled: false, filePath: '/home/me/notes/a.md' });
    const choose = saveDialogChooser({
      dialog,
      window: () => window,
      folder: () => '/home/me/Downloads',
    });
    await expect(choose('Sorting in Rust.md')).resolves.toBe('/home/me/notes/a.md');
    expect(calls).toEqual([
      {
        window,
        options: {
          defaultPath: join('/home/me/Downloads', 'Sorting in Rust.md'),
          filters: [{ name: 'Markdown', extensions: ['md'] }],
          properties: ['createDirectory', 'showOverwriteConfirmation'],
        },
      },
    ]);
  });

  it('cancelled (or no path) is null; without a window the dialog is not parented', async () => {
    const cancelled = fakeDialog({ canceled: true, filePath: '' });
    const choose = saveDialogChooser({
      dialog: cancelled.dialog,
      window: () => null,
      folder: () => '/tmp',
    });
    await expect(choose('a.md')).resolves.toBeNull();
    expect(cancelled.calls[0]?.window).toBeNull();
  });
});
