import { describe, expect, it } from 'vitest';
import { PENDING_TTL_MS, PendingSignIns } from '../../../main/auth/pending';
import { computeCodeChallenge } from '../../../main/auth/pkce';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('PendingSignIns', () => {
  it('starts an attempt with a fresh verifier, its S256 challenge and a nonce', () => {
    const c = clock();
    const pending = new PendingSignIns({ now: c.now });
    const { pending: p, joined } = pending.begin('openrouter', 'deep-link');
    expect(joined).toBe(false);
    expect(p.challenge).toBe(computeCodeChallenge(p.verifier));
    expect(p.nonce).toMatch(/^[\w-]{43}$/);
    expect(p.expiresAt - p.createdAt).toBe(PENDING_TTL_MS);
  });

  it('is single use: a matching nonce is consumed once', () => {
    const pending = new PendingSignIns();
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    expect(pending.take('openrouter', p.nonce)).toMatchObject({ ok: true, pending: p });
    expect(pending.take('openrouter', p.nonce)).toEqual({ ok: false, reason: 'none' });
  });

  it('a wrong nonce neither matches nor cancels the live attempt', () => {
    const pending = new PendingSignIns();
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    expect(pending.take('openrouter', 'x'.repeat(43))).toEqual({ ok: false, reason: 'mismatch' });
    expect(pending.take('openrouter', p.nonce).ok).toBe(true);
  });

  it('expires after 10 minutes', () => {
    const c = clock();
    const pending = new PendingSignIns({ now: c.now });
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    c.advance(PENDING_TTL_MS - 1);
    expect(pending.peek('openrouter')).toBe(p);
    c.advance(1);
    expect(pending.peek('openrouter')).toBeNull();
    expect(pending.take('openrouter', p.nonce).ok).toBe(false);
  });

  it('an expired attempt taken by nonce reports expiry', () => {
    const c = clock();
    const pending = new PendingSignIns({ now: c.now });
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    c.advance(PENDING_TTL_MS);
    expect(pending.take('openrouter', p.nonce)).toEqual({ ok: false, reason: 'expired' });
  });

  it('one per provider: a second click with the same route joins the live attempt', () => {
    const pending = new PendingSignIns();
    const first = pending.begin('openrouter', 'deep-link');
    const second = pending.begin('openrouter', 'deep-link');
    expect(second.joined).toBe(true);
    expect(second.pending).toBe(first.pending);
  });

  it('another route replaces the attempt: the old verifier is gone at once', () => {
    const pending = new PendingSignIns();
    const first = pending.begin('openrouter', 'deep-link');
    const second = pending.begin('openrouter', 'loopback');
    expect(second.joined).toBe(false);
    expect(second.replaced).toBe(first.pending);
    expect(second.pending.verifier).not.toBe(first.pending.verifier);
    expect(pending.take('openrouter', first.pending.nonce).ok).toBe(false);
    expect(pending.take('openrouter', second.pending.nonce).ok).toBe(true);
  });

  it('after expiry a click starts a fresh attempt', () => {
    const c = clock();
    const pending = new PendingSignIns({ now: c.now });
    const first = pending.begin('openrouter', 'deep-link');
    c.advance(PENDING_TTL_MS);
    const second = pending.begin('openrouter', 'deep-link');
    expect(second.joined).toBe(false);
    expect(second.pending.nonce).not.toBe(first.pending.nonce);
  });

  it('reading never ends an attempt: past its expiry it stays current until ended', () => {
    const c = clock();
    const pending = new PendingSignIns({ now: c.now });
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    c.advance(PENDING_TTL_MS);
    expect(pending.peek('openrouter')).toBeNull();
    expect(pending.matches('openrouter', p.nonce)).toBe(false);
    expect(pending.current('openrouter')).toBe(p);
    // Replaced by the next click, which says what it replaced.
    const next = pending.begin('openrouter', 'deep-link');
    expect(next.replaced).toBe(p);
    expect(pending.current('openrouter')).toBe(next.pending);
  });

  it('cancel discards the attempt', () => {
    const pending = new PendingSignIns();
    const { pending: p } = pending.begin('openrouter', 'deep-link');
    expect(pending.cancel('openrouter')).toBe(p);
    expect(pending.peek('openrouter')).toBeNull();
    expect(pending.take('openrouter', p.nonce).ok).toBe(false);
  });
});
