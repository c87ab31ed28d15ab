import { describe, expect, it } from 'vitest';
import { findDeepLinkInArgv } from '../../../main/deep-link/argv';

const SCHEME = 'app.latchkey';
const NONCE = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const URL_A = `${SCHEME}://oauth/openrouter/${NONCE}?code=abc`;
const URL_B = `${SCHEME}://oauth/openrouter/${NONCE}?code=def`;
const EXE = 'C:\\Program Files\\Latchkey\\Latchkey.exe';

describe('findDeepLinkInArgv (security.md 5)', () => {
  it.each([
    ['packaged cold start', [EXE, URL_A]],
    ['development: electron, entry, URL', ['/usr/bin/electron', '/work/out/main/index.js', URL_A]],
    ['switches before the URL', [EXE, '--allow-file-access-from-files', '--no-sandbox', URL_A]],
    ['switches after the URL', [EXE, URL_A, '--original-process-start-time=13370000000000000']],
    ['switches around the URL', [EXE, '--a', '-b', URL_A, '--c=d', '-e']],
    ['the URL first', [URL_A, EXE]],
    ['another scheme beside ours', [EXE, 'https://example.com/', URL_A]],
    ['a working directory that looks like a path', [EXE, 'C:\\Users\\me', URL_A]],
  ])('finds the one URL: %s', (_name, argv) => {
    expect(findDeepLinkInArgv(argv, SCHEME)).toBe(URL_A);
  });

  it.each([
    ['empty argv', []],
    ['no URL', [EXE, '--flag']],
    ['two URLs', [EXE, URL_A, URL_B]],
    ['two identical URLs', [EXE, URL_A, URL_A]],
    ['two URLs among switches', [EXE, '--x', URL_A, '--y', URL_B, '--z']],
    ['URL hidden inside a switch', [EXE, `--url=${URL_A}`]],
    ['switch that starts with the scheme after a dash', [EXE, `-${URL_A}`]],
    ['upper-case scheme', [EXE, URL_A.replace(SCHEME, 'APP.LATCHKEY')]],
    ['lookalike scheme', [EXE, URL_A.replace(SCHEME, 'app.latchkey.evil')]],
    ['development scheme', [EXE, URL_A.replace(SCHEME, 'app.latchkey.dev')]],
    ['other scheme only', [EXE, 'https://openrouter.ai/']],
    ['leading space', [EXE, ` ${URL_A}`]],
  ])('finds nothing: %s', (_name, argv) => {
    expect(findDeepLinkInArgv(argv, SCHEME)).toBeNull();
  });

  it('matches the development scheme exactly', () => {
    const dev = URL_A.replace(SCHEME, 'app.latchkey.dev');
    expect(findDeepLinkInArgv([EXE, dev, URL_A], 'app.latchkey.dev')).toBe(dev);
  });

  it('returns the element unchanged for the parser to validate', () => {
    const odd = `${SCHEME}://oauth/openrouter/../x?code=a`;
    expect(findDeepLinkInArgv([EXE, odd], SCHEME)).toBe(odd);
  });
});
