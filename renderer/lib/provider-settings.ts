import type {
  ConfigurableProviderId,
  OidcSettings,
  ProviderSettings,
  YooaiSettings,
} from '../../preload/api';
import type { MessageKey } from './i18n/index.svelte';

/**
 * The settings forms of the providers that have settings (YOO-AI, generic OAuth/OIDC): which
 * fields they show, and the conversion between what is typed (text) and `ProviderSettings`.
 * Checks here are light (something typed, an address that parses, a number): main validates for
 * real and its `SETTINGS_INVALID` names the field.
 */

export type YooaiField = keyof YooaiSettings;
export type OidcField = keyof OidcSettings;
export type SettingsField = YooaiField | OidcField;

/**
 * - `text`: free text (main checks it is printable).
 * - `id`: an identifier copied from an app registration (no spaces).
 * - `name`: a short name shown in the UI.
 * - `scopes`: space-separated OAuth scopes.
 * - `url`: an absolute http(s) address.
 * - `minutes`: typed in minutes, sent in seconds.
 * - `redirect`: the app's own link or an https bridge page.
 * - `path`: a path on the provider's API.
 */
export type FieldKind = 'text' | 'id' | 'name' | 'scopes' | 'url' | 'minutes' | 'redirect' | 'path';

/** The token lifetimes main accepts (seconds): 5 minutes to 30 days. */
export const TOKEN_LIFETIME = { min: 300, max: 2_592_000 } as const;

export interface FieldSpec<F extends SettingsField = SettingsField> {
  readonly key: F;
  readonly label: MessageKey;
  readonly hint: MessageKey;
  readonly kind: FieldKind;
  /** Checked before saving; the rest is left to main. */
  readonly required: boolean;
  /** Identifiers and addresses read better in a monospace font. */
  readonly mono: boolean;
  /** An example value (not translated: addresses and scopes are the same in every language). */
  readonly placeholder?: string;
}

/** The fields of each form, in the order they are shown. */
export const SETTINGS_FIELDS: {
  readonly yooai: readonly FieldSpec<YooaiField>[];
  readonly oidc: readonly FieldSpec<OidcField>[];
} = {
  yooai: [
    {
      key: 'baseUrl',
      label: 'settings.yooai.baseUrl',
      hint: 'settings.yooai.baseUrl.hint',
      kind: 'url',
      required: true,
      mono: true,
      placeholder: 'https://saas.api.yoo-ai.com',
    },
    {
      key: 'appId',
      label: 'settings.yooai.appId',
      hint: 'settings.yooai.appId.hint',
      kind: 'id',
      required: true,
      mono: true,
    },
    {
      key: 'unionId',
      label: 'settings.yooai.unionId',
      hint: 'settings.yooai.unionId.hint',
      kind: 'id',
      required: true,
      mono: true,
    },
    {
      key: 'scope',
      label: 'settings.yooai.scope',
      hint: 'settings.yooai.scope.hint',
      kind: 'text',
      required: false,
      mono: true,
    },
    {
      key: 'redirectUri',
      label: 'settings.yooai.redirectUri',
      hint: 'settings.yooai.redirectUri.hint',
      kind: 'redirect',
      required: true,
      mono: true,
    },
    {
      key: 'refreshPath',
      label: 'settings.yooai.refreshPath',
      hint: 'settings.yooai.refreshPath.hint',
      kind: 'path',
      required: true,
      mono: true,
      placeholder: '/oauth/…',
    },
    {
      key: 'tokenLifetimeSeconds',
      label: 'settings.yooai.tokenLifetime',
      hint: 'settings.yooai.tokenLifetime.hint',
      kind: 'minutes',
      required: true,
      mono: false,
    },
  ],
  oidc: [
    {
      key: 'displayName',
      label: 'settings.oidc.displayName',
      hint: 'settings.oidc.displayName.hint',
      kind: 'name',
      required: true,
      mono: false,
    },
    {
      key: 'issuer',
      label: 'settings.oidc.issuer',
      hint: 'settings.oidc.issuer.hint',
      kind: 'url',
      required: true,
      mono: true,
      placeholder: 'https://login.example.com',
    },
    {
      key: 'clientId',
      label: 'settings.oidc.clientId',
      hint: 'settings.oidc.clientId.hint',
      kind: 'id',
      required: true,
      mono: true,
    },
    {
      key: 'scopes',
      label: 'settings.oidc.scopes',
      hint: 'settings.oidc.scopes.hint',
      kind: 'scopes',
      required: false,
      mono: true,
      placeholder: 'openid profile offline_access',
    },
    {
      key: 'chatUrl',
      label: 'settings.oidc.chatUrl',
      hint: 'settings.oidc.chatUrl.hint',
      kind: 'url',
      required: false,
      mono: true,
      placeholder: 'https://llm.example.com/v1',
    },
  ],
};

/** What is wrong with a field, worded by `settings.problem.<problem>`. */
export type FieldProblem = Exclude<FieldKind, 'text'> | 'required' | 'invalid';

/** The text a form shows for each field. */
export type SettingsDraft = Readonly<Partial<Record<SettingsField, string>>>;

export type ParsedSettings =
  | { readonly ok: true; readonly settings: ProviderSettings }
  | { readonly ok: false; readonly field: SettingsField; readonly problem: FieldProblem };

export function fieldsOf(provider: ConfigurableProviderId): readonly FieldSpec[] {
  return SETTINGS_FIELDS[provider];
}

/** The spec of the field main named in a `SETTINGS_INVALID` (`issuer`, `settings.issuer`…). */
export function fieldSpec(
  provider: ConfigurableProviderId,
  field: string | undefined,
): FieldSpec | null {
  if (!field) return null;
  const name = field.split(/[./]/).at(-1);
  return fieldsOf(provider).find((spec) => spec.key === name) ?? null;
}

/** Seconds as typed minutes: whole minutes as integers, otherwise up to two decimals. */
export function secondsToMinutes(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '';
  const minutes = seconds / 60;
  return Number.isInteger(minutes) ? String(minutes) : String(Math.round(minutes * 100) / 100);
}

/** Typed minutes as whole seconds; null unless a positive number was typed (range unchecked). */
export function minutesToSeconds(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(trimmed)) return null;
  const seconds = Math.round(Number(trimmed) * 60);
  return seconds >= 1 ? seconds : null;
}

/** The saved settings as the text of the form. */
export function draftOf(settings: ProviderSettings): SettingsDraft {
  if (settings.provider === 'yooai') {
    const { tokenLifetimeSeconds, ...text } = settings.settings;
    return { ...text, tokenLifetimeSeconds: secondsToMinutes(tokenLifetimeSeconds) };
  }
  return { ...settings.settings, chatUrl: settings.settings.chatUrl ?? '' };
}

function isWebAddress(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const { protocol, hostname } = new URL(text);
  return (protocol === 'https:' || protocol === 'http:') && hostname !== '';
}

/** The problem a field has on its own, before main sees it. */
export function checkField(spec: FieldSpec, text: string): FieldProblem | null {
  const value = text.trim();
  if (value === '') return spec.required ? 'required' : null;
  switch (spec.kind) {
    case 'url':
      return isWebAddress(value) ? null : 'url';
    case 'minutes': {
      const seconds = minutesToSeconds(value);
      return seconds === null || seconds < TOKEN_LIFETIME.min || seconds > TOKEN_LIFETIME.max
        ? 'minutes'
        : null;
    }
    case 'redirect':
      return URL.canParse(value) ? null : 'redirect';
    case 'path':
      return value.startsWith('/') ? null : 'path';
    case 'id':
      return /\s/.test(value) ? 'id' : null;
    case 'name':
      return [...value].length > 40 ? 'name' : null;
    case 'scopes':
    case 'text':
      return null;
  }
}

/** What to say about a field main rejected: the kind of value it expects. */
export function problemOf(spec: FieldSpec): FieldProblem {
  return spec.kind === 'text' ? 'invalid' : spec.kind;
}

/**
 * The typed text as settings for `configureProvider`, or the first field with a problem.
 * Text is trimmed; an empty optional chat URL is `null`.
 */
export function parseDraft(
  provider: ConfigurableProviderId,
  value: (field: SettingsField) => string,
): ParsedSettings {
  for (const spec of fieldsOf(provider)) {
    const problem = checkField(spec, value(spec.key));
    if (problem) return { ok: false, field: spec.key, problem };
  }
  const text = (field: SettingsField) => value(field).trim();
  if (provider === 'yooai') {
    return {
      ok: true,
      settings: {
        provider,
        settings: {
          baseUrl: text('baseUrl'),
          appId: text('appId'),
          unionId: text('unionId'),
          scope: text('scope'),
          redirectUri: text('redirectUri'),
          refreshPath: text('refreshPath'),
          tokenLifetimeSeconds: minutesToSeconds(text('tokenLifetimeSeconds')) ?? 0,
        },
      },
    };
  }
  const chatUrl = text('chatUrl');
  return {
    ok: true,
    settings: {
      provider,
      settings: {
        displayName: text('displayName'),
        issuer: text('issuer'),
        clientId: text('clientId'),
        scopes: text('scopes'),
        chatUrl: chatUrl === '' ? null : chatUrl,
      },
    },
  };
}
