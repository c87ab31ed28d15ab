import type { AccountView, Persistence } from '../../preload/api';
import type { Credential, FlowContext, ProviderFlow, TokenCredential } from './flow';

/**
 * One signed-in provider, in main-process memory only. Shared by the parts of the auth service:
 * storage writes it, the token lifecycle rotates its credential, account info fills `account`.
 */
export interface Session {
  credential: Credential;
  /**
   * The flow the session was obtained with: refresh, account and chat use it, never a flow built
   * later from other settings (a refresh token only ever goes back to the server that issued it).
   */
  readonly flow: ProviderFlow;
  /** When the current credential was received (0 when restored: unknown). */
  obtainedAt: number;
  /** The refresh in flight for this session (single-flight), if any. */
  refreshing: Promise<TokenCredential> | null;
  readonly since: number;
  readonly fingerprint: string;
  account: AccountView;
  persistence: Persistence;
  /** A refresh failed for a transient reason and is scheduled again. */
  refreshPending: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  retryDelayMs: number;
}

/** Builds the {@link FlowContext} of one network step; `signal` aborts it (cancel, sign-out). */
export type ContextFactory = (signal?: AbortSignal) => FlowContext;

/** Account facts before any are known. */
export const EMPTY_ACCOUNT: AccountView = {
  label: null,
  usage: null,
  limit: null,
  limitRemaining: null,
  isFreeTier: null,
  fetchedAt: null,
  stale: true,
};

/** True when the session's credential is on disk (so rotations and metadata are written too). */
export function isStored(persistence: Persistence): boolean {
  return persistence === 'stored' || persistence === 'stored-weak';
}

/**
 * Whether a token session can no longer be renewed now: its refresh token has ended, or
 * there is none and the access token has ended (security.md 12).
 */
export function refreshEnded(credential: TokenCredential, now: () => number): boolean {
  if (credential.refreshToken === null) {
    return credential.accessExpiresAt !== null && now() >= credential.accessExpiresAt;
  }
  return credential.refreshExpiresAt !== null && now() >= credential.refreshExpiresAt;
}
