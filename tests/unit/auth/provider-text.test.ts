import { describe, expect, it } from 'vitest';
import { hasControlCharacters, plainProviderText } from '../../../main/auth/provider-text';

describe('provider text', () => {
  it('turns control characters into single spaces, trims and caps the length', () => {
    expect(plainProviderText('bad\r\n\tcode\u0085 here  ')).toBe('bad code here');
    expect(plainProviderText('x'.repeat(400))).toHaveLength(300);
    expect(plainProviderText('名字很长的公司', 4)).toBe('名字很长');
  });

  it('is undefined for non-strings and for nothing left', () => {
    expect(plainProviderText(undefined)).toBeUndefined();
    expect(plainProviderText(42)).toBeUndefined();
    expect(plainProviderText('\u0000\u001f ')).toBeUndefined();
  });

  it('spots C0, DEL and C1 characters', () => {
    expect(hasControlCharacters('Acme SSO')).toBe(false);
    expect(hasControlCharacters('Acme\u007fSSO')).toBe(true);
    expect(hasControlCharacters('Acme\u009bSSO')).toBe(true);
    expect(hasControlCharacters('Acme\nSSO')).toBe(true);
  });
});
