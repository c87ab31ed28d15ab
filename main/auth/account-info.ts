import type { AccountView, ErrorView, ProviderId } from '../../preload/api';
import { LatchkeyError, toErrorView } from '../errors';
import type { Logger } from '../log';
import type { Credential } from './flow';
import { EMPTY_ACCOUNT, type ContextFactory, type Session } from './session';
import type { SessionStorage } from './session-storage';
import type { TokenLifecycle } from './token-lifecycle';

/** What account info needs from the auth service that owns the sessions and their state. */
export interface AccountInfoOptions {
  readonly storage: SessionStorage;
  readonly lifecycle: TokenLifecycle;
  readonly context: ContextFactory;
  readonly log: Logger;
  /** The provider's live session, if any. */
  readonly session: (provider: ProviderId) => Session | undefined;
  readonly setError: (provider: ProviderId, error: ErrorView | null) => void;
  /** The credential was refused (401): sign out and explain. */
  readonly keyRejected: (provider: ProviderId) => void;
  readonly publish: (provider: ProviderId) => void;
}

/**
 * The account facts of a fresh session: a key is named by us ("Latchkey on <host>") and its
 * usage is fetched next (stale until then); tokens carry who signed in.
 */
export function signedInAccount(credential: Credential, keyLabel: string): AccountView {
  return {
    ...EMPTY_ACCOUNT,
    label: credential.kind === 'key' ? keyLabel : credential.label,
    stale: credential.kind === 'key',
  };
}

/**
 * Account facts of signed-in providers (OpenRouter `GET /api/v1/key`: label, usage, limit),
 * single-flight per provider. Failures keep the last known values, marked stale; a refused key
 * signs out.
 */
export class AccountInfo {
  readonly #o: AccountInfoOptions;
  readonly #running = new Map<ProviderId, Promise<void>>();

  constructor(options: AccountInfoOptions) {
    this.#o = options;
  }

  /**
   * OpenRouter: `GET /api/v1/key` (label, usage, limit); 401 signs out with an explanation,
   * other failures keep the last known values marked stale. Token providers: a refresh that is
   * due or was postponed by a transient failure is run now, else the provider is probed
   * (`ProviderFlow.probe`), so every call reaches the network. Single-flight per provider.
   */
  refresh(provider: ProviderId, background: boolean): Promise<void> {
    const running = this.#running.get(provider);
    if (running) return running;
    const run = this.#refresh(provider, background).finally(() => {
      this.#running.delete(provider);
    });
    this.#running.set(provider, run);
    return run;
  }

  async #refresh(provider: ProviderId, background: boolean): Promise<void> {
    const session = this.#o.session(provider);
    if (!session) return;
    const flow = session.flow;
    if (session.credential.kind === 'tokens') {
      const { lifecycle } = this.#o;
      try {
        if (session.refreshPending || lifecycle.due(session)) {
          await lifecycle.refresh(provider, session);
        } else {
          await flow.probe?.(this.#o.context());
        }
        if (!background) this.#o.setError(provider, null);
      } catch (error) {
        if (this.#o.session(provider) === session && !background) {
          this.#o.setError(provider, toErrorView(error));
        }
      }
      this.#o.publish(provider);
      return;
    }
    if (!flow.account) return;
    try {
      const account = await flow.account(session.credential, this.#o.context());
      if (this.#o.session(provider) !== session) return;
      session.account = account;
      if (!background) this.#o.setError(provider, null);
      this.#o.storage.saveAccount(provider, session);
    } catch (error) {
      if (this.#o.session(provider) !== session) return;
      if (error instanceof LatchkeyError && error.code === 'AUTH_KEY_REVOKED') {
        this.#o.keyRejected(provider);
        return;
      }
      this.#o.log.warn('auth.account.failed', { provider, code: toErrorView(error).code });
      session.account = { ...session.account, stale: true };
      if (!background) this.#o.setError(provider, toErrorView(error));
    }
    this.#o.publish(provider);
  }
}
