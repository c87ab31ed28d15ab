import type {
  AppInfo,
  CallbackRoute,
  ErrorView,
  LatchkeyApi,
  Notice,
  ProviderId,
  ProviderState,
} from '../../../preload/api';
import { SvelteSet } from 'svelte/reactivity';
import { errorViewOf } from '../api';
import { i18n } from '../i18n/index.svelte';

/** Operations that can be in flight for a provider (each disables only its own control). */
export type ProviderAction = 'sign-in' | 'cancel' | 'sign-out' | 'remember' | 'refresh' | 'dismiss';

type BusyKey = `${ProviderId}:${ProviderAction}`;

/**
 * Sign-in state of every provider, as main reports it, plus what only the UI knows: which
 * operations are in flight, errors of calls that failed before reaching a provider state, and
 * the paste form's draft (kept here so a rejected or interrupted paste never loses its text).
 */
export class AuthStore {
  providers = $state.raw<readonly ProviderState[]>([]);
  appInfo = $state.raw<AppInfo | null>(null);
  notices = $state.raw<readonly Notice[]>([]);
  phase = $state<'loading' | 'ready' | 'failed'>('loading');
  loadError = $state.raw<ErrorView | null>(null);

  /** Text of the paste form. */
  linkDraft = $state('');
  /** Why the last pasted link was rejected. */
  linkError = $state.raw<ErrorView | null>(null);
  /** True after submitting an empty paste form. */
  linkMissing = $state(false);
  linkBusy = $state(false);
  pasteOpen = $state(false);

  /** Deep links first, unless main could not register the protocol. */
  readonly preferredRoute: CallbackRoute = $derived(
    this.appInfo?.deepLinksAvailable === false ? 'loopback' : 'deep-link',
  );
  readonly anySignedIn: boolean = $derived(
    this.providers.some((state) => state.auth.status === 'signed-in'),
  );

  readonly #busy = new SvelteSet<BusyKey>();
  #localErrors = $state.raw<Partial<Record<ProviderId, ErrorView>>>({});
  #routes: Partial<Record<ProviderId, CallbackRoute>> = {};
  /** Providers updated by an event while the initial states were loading (events are newer). */
  readonly #api: LatchkeyApi;

  constructor(api: LatchkeyApi) {
    this.#api = api;
  }

  /** Subscribes to main's events and loads the initial state; returns the disposer. */
  start(): () => void {
    let offState: () => void;
    let offNotice: () => void;
    try {
      offState = this.#api.onAuthState((state) => this.#apply(state));
      offNotice = this.#api.onNotice((notice) => {
        this.notices = [...this.notices, notice];
      });
    } catch (error) {
      this.loadError = errorViewOf(error);
      this.phase = 'failed';
      return () => {};
    }
    void this.load();
    return () => {
      offState();
      offNotice();
    };
  }

  async load(): Promise<void> {
    this.phase = 'loading';
    this.loadError = null;
    try {
      const [info, states] = await Promise.all([this.#api.getAppInfo(), this.#api.getAuthStates()]);
      this.appInfo = info;
      i18n.setLocale(info.locale);
      const current = this.providers;
      this.providers = [
        ...states.map((state) => {
          const known = current.find((item) => item.provider === state.provider);
          return known && known.revision > state.revision ? known : state;
        }),
        ...current.filter((item) => !states.some((state) => state.provider === item.provider)),
      ];
      this.phase = 'ready';
    } catch (error) {
      this.loadError = errorViewOf(error);
      this.phase = 'failed';
    }
  }

  state(provider: ProviderId): ProviderState | undefined {
    return this.providers.find((state) => state.provider === provider);
  }

  /** The error to show for a provider: main's, else the last failed call's. */
  error(provider: ProviderId): ErrorView | null {
    return this.state(provider)?.error ?? this.#localErrors[provider] ?? null;
  }

  isBusy(provider: ProviderId, action: ProviderAction): boolean {
    return this.#busy.has(`${provider}:${action}`);
  }

  /** The route of the running sign-in, else the one last asked for, else the preferred one. */
  route(provider: ProviderId): CallbackRoute {
    const auth = this.state(provider)?.auth;
    if (auth?.status === 'signing-in') return auth.route;
    return this.#routes[provider] ?? this.preferredRoute;
  }

  /** Starts a sign-in, or joins the pending one (which opens the browser again). */
  signIn(provider: ProviderId, route: CallbackRoute): Promise<boolean> {
    this.#routes[provider] = route;
    return this.#run(provider, 'sign-in', () => this.#api.signIn(provider, route));
  }

  cancel(provider: ProviderId): Promise<boolean> {
    return this.#run(provider, 'cancel', () => this.#api.cancelSignIn(provider));
  }

  signOut(provider: ProviderId): Promise<boolean> {
    return this.#run(provider, 'sign-out', () => this.#api.signOut(provider));
  }

  rememberAnyway(provider: ProviderId): Promise<boolean> {
    return this.#run(provider, 'remember', () => this.#api.rememberAnyway(provider));
  }

  refreshAccount(provider: ProviderId): Promise<boolean> {
    return this.#run(provider, 'refresh', () => this.#api.refreshAccount(provider));
  }

  async dismissError(provider: ProviderId): Promise<boolean> {
    this.#setLocalError(provider, null);
    if (!this.state(provider)?.error) return true;
    return this.#run(provider, 'dismiss', () => this.#api.dismissError(provider));
  }

  /** Opens a provider page (e.g. where the key is revoked) in the user's browser. */
  async openExternal(provider: ProviderId, url: string): Promise<boolean> {
    this.#setLocalError(provider, null);
    try {
      await this.#api.openExternal(url);
      return true;
    } catch (error) {
      this.#setLocalError(provider, errorViewOf(error));
      return false;
    }
  }

  /** Completes a sign-in from the pasted redirect URL; on failure the text stays in the form. */
  async submitLink(url: string = this.linkDraft): Promise<boolean> {
    const link = url.trim();
    this.linkError = null;
    this.linkMissing = link === '';
    if (this.linkMissing || this.linkBusy) return false;
    this.linkBusy = true;
    try {
      this.#apply(await this.#api.submitSignInLink(link));
      this.linkDraft = '';
      this.pasteOpen = false;
      return true;
    } catch (error) {
      this.linkError = errorViewOf(error);
      return false;
    } finally {
      this.linkBusy = false;
    }
  }

  /** The user is editing the link: the previous verdict no longer applies to it. */
  editLink(): void {
    this.linkError = null;
    this.linkMissing = false;
  }

  dismissNotice(notice: Notice): void {
    this.notices = this.notices.filter((item) => item !== notice);
  }

  async #run(
    provider: ProviderId,
    action: ProviderAction,
    call: () => Promise<ProviderState>,
  ): Promise<boolean> {
    const key: BusyKey = `${provider}:${action}`;
    if (this.#busy.has(key)) return false;
    this.#busy.add(key);
    this.#setLocalError(provider, null);
    try {
      this.#apply(await call());
      return true;
    } catch (error) {
      this.#setLocalError(provider, errorViewOf(error));
      return false;
    } finally {
      this.#busy.delete(key);
    }
  }

  #apply(state: ProviderState): void {
    const index = this.providers.findIndex((item) => item.provider === state.provider);
    const known = this.providers[index];
    if (known && known.revision > state.revision) return;
    this.providers = index === -1 ? [...this.providers, state] : this.providers.with(index, state);
    if (state.auth.status !== 'signing-in') {
      this.linkError = null;
      this.linkMissing = false;
    }
    if (state.auth.status === 'signed-in') {
      this.linkDraft = '';
      this.pasteOpen = false;
    }
  }

  #setLocalError(provider: ProviderId, error: ErrorView | null): void {
    if ((this.#localErrors[provider] ?? null) === error) return;
    const { [provider]: _previous, ...rest } = this.#localErrors;
    this.#localErrors = error ? { ...rest, [provider]: error } : rest;
  }
}
