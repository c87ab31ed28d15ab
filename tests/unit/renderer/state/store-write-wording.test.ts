import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../../../renderer/lib/i18n/index.svelte';

describe('STORE_WRITE_FAILED wording', () => {
  it('says why a write failed when main knows, and stays generic when it does not', () => {
    const full = errorMessage({ code: 'STORE_WRITE_FAILED', reason: 'disk-full' }, 'OpenRouter');
    expect(full.message).toMatch(/disk is full/);
    expect(full.next).toMatch(/Free some space/);
    const denied = errorMessage(
      { code: 'STORE_WRITE_FAILED', reason: 'no-permission' },
      'OpenRouter',
    );
    expect(denied.message).toMatch(/may not write/);
    const broken = errorMessage({ code: 'STORE_WRITE_FAILED', reason: 'disk-error' }, 'OpenRouter');
    expect(broken.message).toMatch(/disk reported an error/);
    expect(errorMessage({ code: 'STORE_WRITE_FAILED' }, 'OpenRouter').message).not.toMatch(
      /disk is full|may not write|reported an error/,
    );
    expect(full.detail).toContain('STORE_WRITE_FAILED');
  });
});
