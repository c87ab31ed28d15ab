import type {
  ConfigurableProviderId,
  ErrorView,
  LatchkeyApi,
  ProviderState,
} from '../../../preload/api';
import { errorViewOf } from '../api';
import {
  draftOf,
  fieldSpec,
  parseDraft,
  problemOf,
  type FieldProblem,
  type SettingsDraft,
  type SettingsField,
} from '../provider-settings';

/** A field the form points at: found before saving, or named by main's `SETTINGS_INVALID`. */
export interface FieldError {
  readonly field: SettingsField;
  readonly problem: FieldProblem;
  /** Main's error, when main rejected the value (its `providerMessage` is shown too). */
  readonly view: ErrorView | null;
}

/**
 * One provider's settings form. What the user typed is kept as edits over the saved settings
 * and lives here, not in the component: closing the form, switching to the chat and back, or a
 * rejected save never loses it. Only a successful save clears the edits.
 */
export class SettingsForm {
  readonly provider: ConfigurableProviderId;
  readonly #api: LatchkeyApi;
  readonly #state: () => ProviderState | undefined;
  readonly #onSaved: (state: ProviderState) => void;

  /** Typed text per field, over the saved values. */
  #edits = $state<Partial<Record<SettingsField, string>>>({});
  /** Opened or closed by the user; null until then (open by default while not configured). */
  #open = $state<boolean | null>(null);

  busy = $state(false);
  fieldError = $state.raw<FieldError | null>(null);
  /** A failure that is not about one field (the disk, a locked provider, …). */
  formError = $state.raw<ErrorView | null>(null);

  readonly #stored: SettingsDraft = $derived.by(() => {
    const settings = this.#state()?.settings;
    return settings && settings.provider === this.provider ? draftOf(settings) : {};
  });
  readonly dirty: boolean = $derived(
    Object.entries(this.#edits).some(
      ([field, text]) => this.#stored[field as SettingsField] !== text,
    ),
  );

  constructor(
    provider: ConfigurableProviderId,
    api: LatchkeyApi,
    state: () => ProviderState | undefined,
    onSaved: (state: ProviderState) => void,
  ) {
    this.provider = provider;
    this.#api = api;
    this.#state = state;
    this.#onSaved = onSaved;
  }

  /** Shown: by choice, else while the provider is not configured. */
  get open(): boolean {
    return this.#open ?? this.#state()?.configured === false;
  }

  set open(open: boolean) {
    this.#open = open;
  }

  value(field: SettingsField): string {
    return this.#edits[field] ?? this.#stored[field] ?? '';
  }

  edit(field: SettingsField, text: string): void {
    this.#edits[field] = text;
    if (this.fieldError?.field === field) this.fieldError = null;
  }

  /** Drops the edits: the form shows the saved settings again. */
  discard(): void {
    this.#edits = {};
    this.fieldError = null;
    this.formError = null;
  }

  /**
   * Checks and saves the typed settings. On a problem with a field, `fieldError` names it (the
   * component moves the focus there) and every typed value stays as it was.
   */
  async save(): Promise<boolean> {
    if (this.busy) return false;
    this.formError = null;
    const parsed = parseDraft(this.provider, (field) => this.value(field));
    if (!parsed.ok) {
      this.fieldError = { field: parsed.field, problem: parsed.problem, view: null };
      return false;
    }
    this.fieldError = null;
    this.busy = true;
    try {
      const state = await this.#api.configureProvider(parsed.settings);
      this.#onSaved(state);
      this.#edits = {};
      if (state.configured) this.#open = false;
      return true;
    } catch (error) {
      const view = errorViewOf(error);
      const spec = view.code === 'SETTINGS_INVALID' ? fieldSpec(this.provider, view.field) : null;
      if (spec) this.fieldError = { field: spec.key, problem: problemOf(spec), view };
      else this.formError = view;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
