import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { applicationMenu } from '../../../main/window/menu';

function item(menu: MenuItemConstructorOptions[] | null, id: string) {
  for (const top of menu ?? []) {
    const submenu = Array.isArray(top.submenu) ? top.submenu : [];
    const found = submenu.find((entry) => entry.id === id);
    if (found) return { top, found };
  }
  return null;
}

describe('applicationMenu: Keyboard Shortcuts', () => {
  it.each<NodeJS.Platform>(['darwin', 'win32', 'linux'])(
    'packaged %s builds end with a Help menu whose item asks the page to open the sheet',
    (platform) => {
      const showShortcuts = vi.fn();
      const menu = applicationMenu(platform, true, { showShortcuts });
      expect(menu?.at(-1)?.role).toBe('help');
      const hit = item(menu, 'keyboard-shortcuts');
      expect(hit?.found.label).toBe('Keyboard Shortcuts');
      (hit?.found.click as () => void)();
      expect(showShortcuts).toHaveBeenCalledOnce();
      // Still nothing that reloads or opens DevTools.
      expect(JSON.stringify(menu)).not.toMatch(/toggleDevTools|reload|viewMenu/i);
    },
  );

  it('is worded in Chinese for a Chinese system', () => {
    const menu = applicationMenu('linux', true, { showShortcuts: () => undefined }, 'zh-CN');
    expect(item(menu, 'keyboard-shortcuts')?.found.label).toBe('键盘快捷键');
  });

  it("leaves development builds on Electron's default menu", () => {
    expect(applicationMenu('linux', false, { showShortcuts: () => undefined })).toBeNull();
  });
});
