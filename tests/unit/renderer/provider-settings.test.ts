import { describe, expect, it } from 'vitest';
import type { OidcSettings, YooaiSettings } from '../../../preload/api';
import { en } from '../../../renderer/lib/i18n/en';
import {
  SETTINGS_FIELDS,
  checkField,
  draftOf,
  fieldSpec,
  minutesToSeconds,
  parseDraft,
  problemOf,
  secondsToMinutes,
  type SettingsDraft,
  type SettingsField,
} from '../../../renderer/lib/provider-settings';

const YOOAI: YooaiSettings = {
  baseUrl: 'https://saas.api.yoo-ai.com',
  appId: 'app-123',
  unionId: 'union-456',
  scope: 'chat',
  redirectUri: 'app.latchkey://oauth/yooai',
  refreshPath: '/oauth/refresh',
  tokenLifetimeSeconds: 7200,
};

const OIDC: OidcSettings = {
  displayName: 'Company SSO',
  issuer: 'https://login.example.com',
  clientId: 'latchkey',
  scopes: 'openid offline_access',
  chatUrl: null,
};

const reader = (draft: SettingsDraft) => (field: SettingsField) => draft[field] ?? '';

describe('provider settings forms', () => {
  it('labels the fields as the product names them', () => {
    const labels = (provider: 'yooai' | 'oidc') =>
      SETTINGS_FIELDS[provider].map((spec) => en[spec.label]);
    expect(labels('yooai')).toEqual([
      'Base URL',
      'App ID',
      'Union ID',
      'Scope',
      'Redirect URI',
      'Refresh path',
      'Token lifetime (minutes)',
    ]);
    expect(labels('oidc')).toEqual([
      'Display name',
      'Issuer URL',
      'Client ID',
      'Scopes',
      'Chat base URL (optional)',
    ]);
  });

  it('shows the token lifetime in minutes and sends it in seconds', () => {
    expect(secondsToMinutes(7200)).toBe('120');
    expect(secondsToMinutes(90)).toBe('1.5');
    expect(secondsToMinutes(0)).toBe('');
    expect(minutesToSeconds('120')).toBe(7200);
    expect(minutesToSeconds(' 1,5 ')).toBe(90);
    expect(minutesToSeconds('0')).toBeNull();
    expect(minutesToSeconds('-5')).toBeNull();
    expect(minutesToSeconds('ten')).toBeNull();
    const lifetime = fieldSpec('yooai', 'tokenLifetimeSeconds');
    expect(lifetime && checkField(lifetime, '4')).toBe('minutes');
    expect(lifetime && checkField(lifetime, '43200')).toBeNull();
    expect(lifetime && checkField(lifetime, '43201')).toBe('minutes');
  });

  it('round-trips saved settings through the form text', () => {
    const yooai = draftOf({ provider: 'yooai', settings: YOOAI });
    expect(yooai.tokenLifetimeSeconds).toBe('120');
    expect(parseDraft('yooai', reader(yooai))).toEqual({
      ok: true,
      settings: { provider: 'yooai', settings: YOOAI },
    });
    const oidc = draftOf({ provider: 'oidc', settings: OIDC });
    expect(oidc.chatUrl).toBe('');
    expect(parseDraft('oidc', reader(oidc))).toEqual({
      ok: true,
      settings: { provider: 'oidc', settings: OIDC },
    });
  });

  it('trims what was typed and sends an empty chat URL as null', () => {
    const parsed = parseDraft(
      'oidc',
      reader({
        ...draftOf({ provider: 'oidc', settings: OIDC }),
        clientId: '  abc  ',
        chatUrl: ' ',
      }),
    );
    expect(parsed).toMatchObject({
      ok: true,
      settings: { settings: { clientId: 'abc', chatUrl: null } },
    });
  });

  it('points at the first field with a problem, in form order', () => {
    const draft = {
      ...draftOf({ provider: 'oidc', settings: OIDC }),
      issuer: 'login',
      clientId: '',
    };
    expect(parseDraft('oidc', reader(draft))).toEqual({
      ok: false,
      field: 'issuer',
      problem: 'url',
    });
    expect(
      parseDraft(
        'yooai',
        reader({ ...draftOf({ provider: 'yooai', settings: YOOAI }), tokenLifetimeSeconds: 'x' }),
      ),
    ).toEqual({ ok: false, field: 'tokenLifetimeSeconds', problem: 'minutes' });
  });

  it('leaves optional fields and deeper checks to main', () => {
    const chatUrl = fieldSpec('oidc', 'chatUrl');
    expect(chatUrl && checkField(chatUrl, '')).toBeNull();
    const redirect = fieldSpec('yooai', 'redirectUri');
    expect(redirect && checkField(redirect, 'https://bridge.example.com/cb')).toBeNull();
    expect(redirect && checkField(redirect, 'not a link')).toBe('redirect');
  });

  it('finds the field main named, however main spelled its path', () => {
    expect(fieldSpec('oidc', 'issuer')?.key).toBe('issuer');
    expect(fieldSpec('oidc', 'settings.issuer')?.key).toBe('issuer');
    expect(fieldSpec('yooai', 'issuer')).toBeNull();
    expect(fieldSpec('yooai', undefined)).toBeNull();
    const lifetime = fieldSpec('yooai', 'tokenLifetimeSeconds');
    expect(lifetime && problemOf(lifetime)).toBe('minutes');
    const appId = fieldSpec('yooai', 'appId');
    expect(appId && problemOf(appId)).toBe('id');
    const scope = fieldSpec('yooai', 'scope');
    expect(scope && problemOf(scope)).toBe('invalid');
  });
});
