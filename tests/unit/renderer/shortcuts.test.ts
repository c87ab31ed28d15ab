// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/lib/i18n/en';
import {
  inTextField,
  isMac,
  keyFace,
  opensSheet,
  SHORTCUTS,
} from '../../../renderer/lib/shortcuts';

const t = (key: keyof typeof en) => en[key];

describe('shortcut sheet data', () => {
  it('lists New chat, Search, Stop (Esc), Edit last (↑) and Attach', () => {
    const labels = SHORTCUTS.map((s) => en[s.label]);
    expect(labels).toEqual(
      expect.arrayContaining([
        'New chat',
        'Search conversations',
        'Stop the answer',
        expect.stringMatching(/^Edit your last message/),
        expect.stringMatching(/^Attach files/),
      ]),
    );
  });

  it('names the modifier per platform: ⌘ (spoken "Command") on macOS, Ctrl elsewhere', () => {
    expect(isMac({ platform: 'MacIntel' })).toBe(true);
    expect(isMac({ platform: 'Win32' })).toBe(false);
    expect(isMac({ platform: 'Linux x86_64' })).toBe(false);
    expect(isMac({ platform: '', userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)' })).toBe(
      true,
    );
    const search = SHORTCUTS.find((s) => s.id === 'search')?.combos[0] ?? [];
    expect(search.map((key) => keyFace(key, true, t).shown)).toEqual(['⌘', 'K']);
    expect(search.map((key) => keyFace(key, true, t).spoken)).toEqual(['Command', 'K']);
    expect(search.map((key) => keyFace(key, false, t).shown)).toEqual(['Ctrl', 'K']);
  });

  it('`?` opens the sheet outside text fields only', () => {
    const input = document.createElement('input');
    const area = document.createElement('textarea');
    const button = document.createElement('button');
    const check = document.createElement('input');
    check.type = 'checkbox';
    expect(inTextField(input)).toBe(true);
    expect(inTextField(area)).toBe(true);
    expect(inTextField(button)).toBe(false);
    expect(inTextField(check)).toBe(false);
    const press = (target: HTMLElement, init: KeyboardEventInit = {}) => {
      document.body.append(target);
      let opened = false;
      target.addEventListener('keydown', (event) => (opened = opensSheet(event)), { once: true });
      target.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true, ...init }));
      target.remove();
      return opened;
    };
    expect(press(button)).toBe(true);
    expect(press(input)).toBe(false);
    expect(press(area)).toBe(false);
    expect(press(button, { ctrlKey: true })).toBe(false);
  });
});
