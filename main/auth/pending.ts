import type { CallbackRoute, ProviderId } from '../../preload/api';
import {
  computeCodeChallenge,
  constantTimeEqual,
  generateCodeVerifier,
  generateNonce,
} from './pkce';

/** How long a sign-in waits for the browser before it is discarded (security.md 2). */
export const PENDING_TTL_MS = 10 * 60 * 1000;

/** One sign-in attempt waiting for the browser. Lives in main-process memory only. */
export interface PendingSignIn {
  readonly provider: ProviderId;
  readonly route: CallbackRoute;
  readonly nonce: string;
  readonly verifier: string;
  readonly challenge: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** Result of {@link PendingSignIns.take}: why a callback did not match, when it did not. */
export type TakeResult =
  | { readonly ok: true; readonly pending: PendingSignIn }
  | { readonly ok: false; readonly reason: 'none' | 'mismatch' | 'expired' };

/**
 * Pending sign-ins: at most one per provider, single use, expiring after
 * {@link PENDING_TTL_MS}. A second click with the same route joins the live attempt; a different
 * route replaces it, so two verifiers are never live at once (security.md 2).
 */
export class PendingSignIns {
  readonly #byProvider = new Map<ProviderId, PendingSignIn>();
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(options: { now?: () => number; ttlMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? PENDING_TTL_MS;
  }

  /**
   * Returns the live attempt for `provider` when it has the same route (`joined: true`), or
   * starts a fresh one with a new verifier and nonce, discarding any other, expired or not
   * (`replaced`).
   */
  begin(
    provider: ProviderId,
    route: CallbackRoute,
  ): { pending: PendingSignIn; joined: boolean; replaced: PendingSignIn | null } {
    const live = this.peek(provider);
    if (live && live.route === route) return { pending: live, joined: true, replaced: null };
    const now = this.#now();
    const verifier = generateCodeVerifier();
    const pending: PendingSignIn = {
      provider,
      route,
      nonce: generateNonce(),
      verifier,
      challenge: computeCodeChallenge(verifier),
      createdAt: now,
      expiresAt: now + this.#ttlMs,
    };
    const replaced = this.current(provider);
    this.#byProvider.set(provider, pending);
    return { pending, joined: false, replaced };
  }

  /** The live (unexpired) attempt of a provider. Reading never ends an attempt. */
  peek(provider: ProviderId): PendingSignIn | null {
    const pending = this.current(provider);
    return pending && this.#now() < pending.expiresAt ? pending : null;
  }

  /**
   * The attempt of a provider until it is taken, cancelled or replaced, even past its expiry:
   * what the provider's state shows. It never changes by the clock alone, so the state changes
   * only where its owner publishes it (expiry is a timer that cancels and publishes).
   */
  current(provider: ProviderId): PendingSignIn | null {
    return this.#byProvider.get(provider) ?? null;
  }

  /**
   * Consumes the attempt whose nonce matches, compared in constant time. A match is removed
   * (single use); a mismatch leaves the live attempt untouched so a foreign link cannot cancel it.
   */
  take(provider: ProviderId, nonce: string): TakeResult {
    const pending = this.#byProvider.get(provider);
    if (!pending) return { ok: false, reason: 'none' };
    if (!constantTimeEqual(pending.nonce, nonce)) return { ok: false, reason: 'mismatch' };
    this.#byProvider.delete(provider);
    if (this.#now() >= pending.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, pending };
  }

  /** Whether `nonce` is the live attempt's (constant time), without consuming it. */
  matches(provider: ProviderId, nonce: string): boolean {
    const pending = this.peek(provider);
    return pending !== null && constantTimeEqual(pending.nonce, nonce);
  }

  /** Discards the attempt of a provider ("Cancel sign-in"); returns it when there was one. */
  cancel(provider: ProviderId): PendingSignIn | null {
    const pending = this.#byProvider.get(provider) ?? null;
    this.#byProvider.delete(provider);
    return pending;
  }
}
