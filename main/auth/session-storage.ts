import { z } from 'zod';
import type { Notice, Persistence, ProviderId } from '../../preload/api';
import { assertNever, LatchkeyError, toErrorView } from '../errors';
import type { Logger } from '../log';
import type { Credential, TokenCredential } from './flow';
import { EMPTY_ACCOUNT, isStored, refreshEnded, type Session } from './session';

/** The slice of the credential store the auth service needs (main/credentials). */
export interface CredentialStorePort {
  load(
    provider: string,
  ): { secret: string; savedAt: number; meta: Record<string, unknown>; weak: boolean } | null;
  save(
    provider: string,
    secret: string,
    meta?: Record<string, unknown>,
    options?: { allowWeak?: boolean },
  ): void;
  updateMeta(provider: string, meta: Record<string, unknown>): void;
  delete(provider: string): void;
}

/**
 * What the OS keyring offers: `secure` persists silently; `weak` (Linux `basic_text`/`unknown`)
 * keeps the key for the session unless the user explicitly chooses otherwise; `unavailable`
 * never persists (security.md 15).
 */
export type StoragePolicy = 'secure' | 'weak' | 'unavailable';

export interface SessionStorageOptions {
  readonly store: CredentialStorePort;
  readonly storagePolicy: StoragePolicy;
  readonly notify: (notice: Notice) => void;
  readonly log: Logger;
  readonly now: () => number;
}

/** What a stored session gives back on restore; the service adds the flow and the lifecycle. */
export type RestoredSession = Pick<Session, 'credential' | 'since' | 'account' | 'persistence'>;

const storedAccountSchema = z.object({
  label: z.string().nullable(),
  usage: z.number().nullable(),
  limit: z.number().nullable(),
  limitRemaining: z.number().nullable(),
  isFreeTier: z.boolean().nullable(),
  fetchedAt: z.number().nullable(),
});

/** Tokens as stored: the whole pair and its lifetimes, encrypted together as one secret. */
const storedTokensSchema = z.object({
  v: z.literal(1),
  kind: z.literal('tokens'),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  accessExpiresAt: z.number().nullable(),
  refreshExpiresAt: z.number().nullable(),
  label: z.string().nullable(),
  extra: z.record(z.string(), z.string()),
});

/**
 * Sessions on disk: one encrypted secret per provider (a key, or the token pair as one JSON
 * document) with its account facts, start time and server fingerprint as metadata. Writes only
 * what the session's {@link Persistence} allows (security.md 12, 15); a failed write downgrades
 * the session to `session-only` and tells the user.
 */
export class SessionStorage {
  readonly #o: SessionStorageOptions;

  constructor(options: SessionStorageOptions) {
    this.#o = options;
  }

  /** How a new session is kept under the storage policy: only `secure` writes without asking. */
  initialPersistence(): Persistence {
    const policy = this.#o.storagePolicy;
    switch (policy) {
      case 'secure':
        return 'stored';
      case 'weak':
        return 'session-only';
      case 'unavailable':
        return 'memory-only';
      default:
        return assertNever(policy);
    }
  }

  /**
   * Reads a provider's stored session without touching the network. A session from another
   * server than `fingerprint`, or unreadable, is deleted (null); a token session whose refresh
   * token has ended is deleted too (`'ended'`, for an explanation).
   */
  restore(provider: ProviderId, fingerprint: string): RestoredSession | 'ended' | null {
    const stored = this.#o.store.load(provider);
    if (!stored) return null;
    const storedFingerprint = stored.meta['fingerprint'];
    if (storedFingerprint !== undefined && storedFingerprint !== fingerprint) {
      // Signed in to another server, app or chat endpoint than the one configured now: those
      // tokens must not go to the new one, and nothing in the UI could sign them out: deleted.
      this.#o.log.info('auth.restore.other-server', { provider });
      this.delete(provider);
      return null;
    }
    const credential = decodeCredential(stored.secret);
    if (!credential) {
      this.#o.log.warn('auth.restore.unreadable', { provider });
      this.delete(provider);
      return null;
    }
    if (credential.kind === 'tokens' && refreshEnded(credential, this.#o.now)) {
      this.#o.log.info('auth.restore.session-ended', { provider });
      this.delete(provider);
      return 'ended';
    }
    const account = storedAccountSchema.safeParse(stored.meta['account']);
    return {
      credential,
      since: typeof stored.meta['since'] === 'number' ? stored.meta['since'] : stored.savedAt,
      account: account.success
        ? { ...account.data, stale: true }
        : { ...EMPTY_ACCOUNT, label: credential.kind === 'tokens' ? credential.label : null },
      persistence: stored.weak ? 'stored-weak' : 'stored',
    };
  }

  /**
   * Writes a new session when its persistence is `stored`. Returns false when the write failed:
   * the session is then `session-only` and the user was told.
   */
  persist(provider: ProviderId, session: Session): boolean {
    if (session.persistence !== 'stored') return true;
    try {
      this.#o.store.save(provider, encodeCredential(session.credential), meta(session));
      return true;
    } catch (error) {
      this.#o.log.warn('auth.persist.failed', { provider, code: toErrorView(error).code });
      session.persistence = 'session-only';
      this.#o.notify({ code: 'STORE_WRITE_FAILED' });
      return false;
    }
  }

  /**
   * Writes a rotated token pair over the stored one, before anyone uses it (security.md 12). If
   * the write fails the stored pair is deleted and the session becomes `session-only`.
   */
  saveRotated(provider: ProviderId, session: Session, next: TokenCredential): void {
    if (!isStored(session.persistence)) return;
    try {
      this.#o.store.save(provider, encodeCredential(next), meta(session), {
        allowWeak: session.persistence === 'stored-weak',
      });
    } catch (error) {
      this.#o.log.warn('auth.refresh.persist-failed', {
        provider,
        code: toErrorView(error).code,
      });
      // The stored pair is rotated away now: remove it so a restart asks to sign in.
      this.delete(provider);
      session.persistence = 'session-only';
      this.#o.notify({ code: 'STORE_WRITE_FAILED' });
    }
  }

  /**
   * Stores a session-only credential although the OS offers only weak protection (security.md
   * 15); the session becomes `stored-weak`.
   * @throws LatchkeyError `STORE_WRITE_FAILED` where nothing can encrypt, or the store's error.
   */
  rememberAnyway(provider: ProviderId, session: Session): void {
    if (this.#o.storagePolicy === 'unavailable') throw new LatchkeyError('STORE_WRITE_FAILED');
    this.#o.store.save(provider, encodeCredential(session.credential), meta(session), {
      allowWeak: true,
    });
    session.persistence = 'stored-weak';
  }

  /** Updates the stored account facts of a stored session; a failure is only logged. */
  saveAccount(provider: ProviderId, session: Session): void {
    if (!isStored(session.persistence)) return;
    try {
      this.#o.store.updateMeta(provider, meta(session));
    } catch (error) {
      this.#o.log.warn('auth.account.meta-failed', { code: toErrorView(error).code });
    }
  }

  /** Deletes a provider's stored session; a failure is only logged. */
  delete(provider: ProviderId): void {
    try {
      this.#o.store.delete(provider);
    } catch (error) {
      this.#o.log.warn('auth.delete-failed', { provider, code: toErrorView(error).code });
    }
  }

  /** Deletes a provider's stored session at the user's request; a failure is reported. */
  deleteOnSignOut(provider: ProviderId): void {
    try {
      this.#o.store.delete(provider);
    } catch (error) {
      this.#o.log.warn('auth.sign-out.delete-failed', { provider, code: toErrorView(error).code });
      this.#o.notify({ code: 'STORE_WRITE_FAILED' });
    }
  }
}

function meta(
  session: Pick<Session, 'account' | 'since' | 'fingerprint'>,
): Record<string, unknown> {
  const { label, usage, limit, limitRemaining, isFreeTier, fetchedAt } = session.account;
  return {
    account: { label, usage, limit, limitRemaining, isFreeTier, fetchedAt },
    since: session.since,
    fingerprint: session.fingerprint,
  };
}

/** Keys are stored as they are (as before tokens existed); tokens as one JSON document. */
function encodeCredential(credential: Credential): string {
  if (credential.kind === 'key') return credential.key;
  return JSON.stringify({ v: 1, ...credential });
}

function decodeCredential(secret: string): Credential | null {
  if (!secret.startsWith('{')) return secret.length > 0 ? { kind: 'key', key: secret } : null;
  try {
    const parsed = storedTokensSchema.safeParse(JSON.parse(secret));
    if (!parsed.success) return null;
    const { v: _version, ...credential } = parsed.data;
    return credential;
  } catch {
    return null;
  }
}
