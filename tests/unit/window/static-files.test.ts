import { describe, expect, it } from 'vitest';
import { mimeType, resolveStaticFile } from '../../../main/window/static-files';

describe('renderer static files', () => {
  const root = '/app/out/renderer';
  it('maps paths inside the renderer directory', () => {
    expect(resolveStaticFile(root, '/')).toBe('/app/out/renderer/index.html');
    expect(resolveStaticFile(root, '/assets/index-abc.js')).toBe(
      '/app/out/renderer/assets/index-abc.js',
    );
  });
  it.each([
    '/../main/index.js',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/assets/../../x',
    '/%00',
    '/%E0%A4%A',
  ])('refuses %s', (path) => {
    expect(resolveStaticFile(root, path)).toBeNull();
  });
  it('names content types', () => {
    expect(mimeType('a.js')).toContain('javascript');
    expect(mimeType('a.html')).toContain('text/html');
    expect(mimeType('a.bin')).toBe('application/octet-stream');
  });
});
