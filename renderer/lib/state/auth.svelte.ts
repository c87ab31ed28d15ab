import type {
  AppInfo,
  CallbackRoute,
  ConfigurableProviderId,
  ErrorView,
  LatchkeyApi,
  ProviderId,
  ProviderState,
} from '../../../preload/api';
import { SvelteSet } from 'svelte/reactivity';
import { errorViewOf } from '../api';
import { providerName } from '../providers';
import type { LocaleStore } from './locale.svelte';
import { SettingsForm } from './provider-settings.svelte';

/** Operations that can be in flight for a provider (each disables only its own control). */
export type ProviderAction = 'sign-in' | 'cancel' | 'sign-out' | 'remember' | 'refresh' | 'dismiss';

type BusyKey = `${ProviderId}:${ProviderAction}`;

/**
 * The "paste the sign-in link" form of one provider's pending sign-in. Its text lives here, so a
 * rejected or interrupted paste never loses it.
 */
export class PasteLink {
  /** Text of the paste form. */
  draft = $state('');
  /** Why the last pasted link was rejected. */
  error = $state.raw<ErrorView | null>(null);
  /** True after submitting an empty paste form. */
  missing = $state(false);
  busy = $state(false);
  open = $state(false);

  /** The sign-in ended (or restarted): the last verdict no longer applies. */
  settle(signedIn: boolean): void {
    this.error = null;
    this.missing = false;
    if (signedIn) {
      this.draft = '';
      this.open = false;
    }
  }
}

/**
 * Sign-in state of every provider, as main reports it, plus what only the UI knows: which
 * operations are in flight, errors of calls that failed before reaching a provider state, the
 * paste forms and the settings forms (kept here so nothing typed is lost).
 */
export class AuthStore {
  providers = $state.raw<readonly ProviderState[]>([]);
  appInfo = $state.raw<AppInfo | null>(null);
  phase = $state<'loading' | 'ready' | 'failed'>('loading');
  loadError = $state.raw<ErrorView | null>(null);

  /** Deep links first, unless main could not register the protocol. */
  readonly preferredRoute: CallbackRoute = $derived(
    this.appInfo?.deepLinksUnavailable ? 'loopback' : 'deep-link',
  );
  readonly anySignedIn: boolean = $derived(
    this.providers.some((state) => state.auth.status === 'signed-in'),
  );
  /** Signed-in providers the chat can talk to, in the contract's order. */
  readonly chatProviders: readonly ProviderId[] = $derived(
    this.providers
      .filter((state) => state.canChat && state.auth.status === 'signed-in')
      .map((state) => state.provider),
  );
  /** The settings form of each provider that has settings. */
  readonly forms: Readonly<Record<ConfigurableProviderId, SettingsForm>>;
  /** The paste form of each provider. */
  readonly paste: Readonly<Record<ProviderId, PasteLink>> = {
    openrouter: new PasteLink(),
    yooai: new PasteLink(),
    oidc: new PasteLink(),
  };

  readonly #busy = new SvelteSet<BusyKey>();
  #localErrors = $state.raw<Partial<Record<ProviderId, ErrorView>>>({});
  #routes: Partial<Record<ProviderId, CallbackRoute>> = {};
  readonly #api: LatchkeyApi;
  readonly #locale: LocaleStore;

  /** `locale` is told main's remembered language (`AppInfo.locale`) once it is known. */
  constructor(api: LatchkeyApi, locale: LocaleStore) {
    this.#api = api;
    this.#locale = locale;
    const form = (provider: ConfigurableProviderId) =>
      new SettingsForm(
        provider,
        api,
        () => this.state(provider),
        (state) => this.#apply(state),
      );
    this.forms = { yooai: form('yooai'), oidc: form('oidc') };
  }

  /** Subscribes to main's events and loads the initial state; returns the disposer. */
  start(): () => void {
    let offState: () => void;
    try {
      offState = this.#api.onAuthState((state) => this.#apply(state));
    } catch (error) {
      this.loadError = errorViewOf(error);
      this.phase = 'failed';
      return () => {};
    }
    void this.load();
    return () => offState();
  }

  async load(): Promise<void> {
    this.phase = 'loading';
    this.loadError = null;
    try {
      const [info, states] = await Promise.all([this.#api.getAppInfo(), this.#api.getAuthStates()]);
      this.appInfo = info;
      this.#locale.adopt(info.locale);
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

  /** The provider's name as shown (main's display name once loaded). */
  name(provider: ProviderId): string {
    return providerName(provider, this.state(provider));
  }

  isSignedIn(provider: ProviderId): boolean {
    return this.state(provider)?.auth.status === 'signed-in';
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
    return this.#routes[provider] ?? this.primaryRoute(provider);
  }

  /** The route the main sign-in button uses: the preferred one when the provider accepts it. */
  primaryRoute(provider: ProviderId): CallbackRoute {
    const routes = this.state(provider)?.routes ?? [];
    return routes.length === 0 || routes.includes(this.preferredRoute)
      ? this.preferredRoute
      : (routes[0] ?? this.preferredRoute);
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

  /**
   * Completes a sign-in from the redirect URL pasted in `provider`'s form (main finds the
   * provider from the link itself); on failure the text stays in the form.
   */
  async submitLink(
    provider: ProviderId,
    url: string = this.paste[provider].draft,
  ): Promise<boolean> {
    const form = this.paste[provider];
    const link = url.trim();
    form.error = null;
    form.missing = link === '';
    if (form.missing || form.busy) return false;
    form.busy = true;
    try {
      this.#apply(await this.#api.submitSignInLink(link));
      form.draft = '';
      form.open = false;
      return true;
    } catch (error) {
      form.error = errorViewOf(error);
      return false;
    } finally {
      form.busy = false;
    }
  }

  /** The user is editing the link: the previous verdict no longer applies to it. */
  editLink(provider: ProviderId): void {
    this.paste[provider].error = null;
    this.paste[provider].missing = false;
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
      this.paste[state.provider].settle(state.auth.status === 'signed-in');
    }
  }

  #setLocalError(provider: ProviderId, error: ErrorView | null): void {
    if ((this.#localErrors[provider] ?? null) === error) return;
    const { [provider]: _previous, ...rest } = this.#localErrors;
    this.#localErrors = error ? { ...rest, [provider]: error } : rest;
  }
}
