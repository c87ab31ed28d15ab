import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ ipcMain: { handle: vi.fn(), removeHandler: vi.fn() } }));

const { isTrustedSender } = await import('../../../main/ipc/electron-ipc');

const ours = {} as WebContents;
function event(options: { url: string; parent?: object | null; sender?: WebContents }) {
  return {
    sender: options.sender ?? ours,
    senderFrame: { url: options.url, parent: options.parent ?? null },
  } as unknown as IpcMainInvokeEvent;
}

describe('IPC sender check (security.md 20)', () => {
  const trusted = () => ours;
  it('accepts our page in the top frame of our window', () => {
    expect(
      isTrustedSender(event({ url: 'app://latchkey/index.html' }), trusted, 'app://latchkey'),
    ).toBe(true);
  });
  it.each([
    ['a subframe', { url: 'app://latchkey/index.html', parent: {} }],
    ['another origin', { url: 'https://evil.example/', parent: null }],
    ['a lookalike host', { url: 'app://latchkey.evil/index.html' }],
    ['file://', { url: 'file:///index.html' }],
    ['another window', { url: 'app://latchkey/index.html', sender: {} as WebContents }],
    ['an unparseable URL', { url: '::' }],
  ])('refuses %s', (_name, options) => {
    expect(isTrustedSender(event(options), trusted, 'app://latchkey')).toBe(false);
  });
});
