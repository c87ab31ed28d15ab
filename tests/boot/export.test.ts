/**
 * Boot test of "Export conversation" in the built Electron main bundle: main asks where to save
 * with `dialog.showSaveDialog`, modal to the main window and opening in Downloads, and writes the
 * file itself; Cancel is no error; an unknown conversation shows no dialog. The browser harness
 * has no dialog and downloads instead (tests/e2e/harness/export.spec.ts).
 * Needs `npm run build` first.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import type { BootedApp } from './boot';
import { test } from './boot-test';

async function openWindow(app: BootedApp): Promise<number> {
  await app.ready();
  const windowId = await app.mainWindow();
  await app.finishLoad(windowId);
  return windowId;
}

describe('exporting a conversation in the Electron app', () => {
  test('shows the save dialog on the window and writes the Markdown where the user chose', async ({
    boot,
  }) => {
    const home = mkdtempSync(join(tmpdir(), 'latchkey-boot-export-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    const chosen = join(home, 'Documents', 'My notes.md');
    const app = await boot({ home, saveDialogPath: chosen });
    const windowId = await openWindow(app);
    const conversation = await app.call('chat:create', { provider: 'openrouter', model: null });

    expect(await app.invoke('chat:export', { id: conversation.id })).toEqual({
      ok: true,
      value: { kind: 'saved', filename: 'My notes.md' },
    });
    const shown = app.calls('dialog.showSaveDialog');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.data).toEqual({
      windowId,
      options: {
        defaultPath: join(home, 'Downloads', 'New chat.md'),
        filters: [{ name: 'Markdown', extensions: ['md'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      },
    });
    expect(readFileSync(chosen, 'utf8')).toBe('# New chat\n');
    // Written atomically: no temporary file left beside it.
    expect(readdirSync(join(home, 'Documents'))).toEqual(['My notes.md']);
  });

  test('Cancel writes nothing and is no error; an unknown conversation shows no dialog', async ({
    boot,
  }) => {
    const app = await boot();
    await openWindow(app);
    const conversation = await app.call('chat:create', { provider: 'openrouter', model: null });

    expect(await app.invoke('chat:export', { id: conversation.id })).toEqual({
      ok: true,
      value: { kind: 'cancelled' },
    });
    expect(app.calls('dialog.showSaveDialog')).toHaveLength(1);
    expect(existsSync(join(app.home, 'Downloads'))).toBe(false);

    expect(await app.invoke('chat:export', { id: '9c0d2a55-1111-4c55-8a5e-2f1f3c1d2e4f' })).toEqual(
      { ok: false, error: { code: 'CHAT_NOT_FOUND' } },
    );
    expect(app.calls('dialog.showSaveDialog')).toHaveLength(1);
  });
});
