import { describe, expect, it } from 'vitest';
import { applicationMenu } from '../../../main/window/menu';

describe('applicationMenu', () => {
  it("keeps Electron's default menu (Reload, DevTools) for development builds", () => {
    expect(applicationMenu('darwin', false)).toBeNull();
    expect(applicationMenu('linux', false)).toBeNull();
  });

  it('gives packaged macOS builds an Edit menu of roles, or ⌘C/⌘V would do nothing', () => {
    const menu = applicationMenu('darwin', true) ?? [];
    expect(menu.map((item) => item.role)).toEqual(['appMenu', 'editMenu', 'windowMenu']);
  });

  it.each<NodeJS.Platform>(['win32', 'linux'])(
    'gives packaged %s builds Quit and Edit only: nothing reloads or opens DevTools',
    (platform) => {
      const menu = applicationMenu(platform, true) ?? [];
      expect(menu.map((item) => item.role)).toEqual(['fileMenu', 'editMenu']);
      const roles = JSON.stringify(menu);
      expect(roles).not.toMatch(/toggleDevTools|reload|viewMenu/i);
    },
  );
});
