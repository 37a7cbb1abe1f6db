import {
  GROUP_PATTERN,
  globToRegExp,
  type MappingConfig,
  type PeerTubeRole,
  parseQuotaRules,
  parseRoleRules,
  type SyncMode,
} from '@apps-education/identity-mapping';
import { type Localized, t } from './i18n.js';

/**
 * The plugin's settings, as PeerTube's admin page shows them (labels in English, translated to French by
 * languages/fr.json). All private: PeerTube never sends them to browsers. The secret is an input-password. Names are
 * shared with peertube-plugin-apps-auth-saml2 where they mean the same thing.
 */
export interface SettingDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: 'input' | 'input-password' | 'input-textarea' | 'input-checkbox' | 'select';
  readonly default?: string | boolean;
  readonly descriptionHTML?: string;
  readonly options?: readonly { label: string; value: string }[];
  /** Private settings never reach browsers; the automatic redirection must, for the login page's script. */
  readonly private: boolean;
}

const SYNC_OPTIONS = [
  { label: 'At every login', value: 'every-login' },
  { label: 'Only when the account is created', value: 'creation' },
];

export const SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'issuer',
    label: 'Issuer (discovery URL)',
    type: 'input',
    private: true,
    descriptionHTML: 'For Keycloak: https://sso.example.fr/realms/apps',
  },
  { name: 'client-id', label: 'Client ID', type: 'input', private: true },
  {
    name: 'client-secret',
    label: 'Client secret (empty for a public client with PKCE)',
    type: 'input-password',
    private: true,
  },
  { name: 'scopes', label: 'Scopes', type: 'input', default: 'openid profile email', private: true },
  { name: 'button-label', label: 'Sign-in button label', type: 'input', default: 'apps.education.fr', private: true },
  {
    name: 'auto-redirect',
    label: 'Send visitors of the login page straight to the identity provider',
    type: 'input-checkbox',
    default: false,
    private: false,
    descriptionHTML: 'The local administrator can still sign in with the form at <code>/login?local=1</code>.',
  },
  {
    name: 'require-verified-email',
    label: 'Require an email the identity provider has verified (email_verified)',
    type: 'input-checkbox',
    default: true,
    private: true,
    descriptionHTML:
      "PeerTube finds accounts by email: an unverified email could open someone else's account. Turn this off only for an identity provider that never sends <code>email_verified</code> and checks every email itself.",
  },
  {
    name: 'external-redirect-uris',
    label: 'Allowed return URLs for apps (one per line; PeerTube 7 and later)',
    type: 'input-textarea',
    default: '',
    private: true,
    descriptionHTML: 'A mobile or desktop app may ask to come back to one of these exact URLs after sign-in.',
  },
  {
    name: 'username-claim',
    label: 'Claim for the username',
    type: 'input',
    default: 'preferred_username',
    private: true,
  },
  { name: 'email-claim', label: 'Claim for the email', type: 'input', default: 'email', private: true },
  { name: 'display-name-claim', label: 'Claim for the display name', type: 'input', default: 'name', private: true },
  { name: 'groups-claim', label: 'Claim for the groups', type: 'input', default: 'groups', private: true },
  {
    name: 'role-rules',
    label: 'Role rules (one per line: group pattern = role; first match wins)',
    type: 'input-textarea',
    default: '',
    private: true,
    descriptionHTML: 'Example: <code>admin_* = moderator</code>. Roles: administrator, moderator, user.',
  },
  {
    name: 'default-role',
    label: 'Role when no rule matches',
    type: 'select',
    default: 'user',
    private: true,
    options: [
      { label: 'User', value: 'user' },
      { label: 'Moderator', value: 'moderator' },
      { label: 'Administrator', value: 'administrator' },
    ],
  },
  {
    name: 'allowed-groups',
    label: 'Allowed groups (patterns separated by commas; empty: everyone)',
    type: 'input',
    default: '',
    private: true,
  },
  {
    name: 'video-quota-claim',
    label: 'Claim for the video quota (bytes, optional)',
    type: 'input',
    default: '',
    private: true,
  },
  {
    name: 'video-quota-daily-claim',
    label: 'Claim for the daily video quota (bytes, optional)',
    type: 'input',
    default: '',
    private: true,
  },
  {
    name: 'quota-rules',
    label: 'Quotas by group (one per line: group pattern = quota, daily quota)',
    type: 'input-textarea',
    default: '',
    private: true,
    descriptionHTML: 'Example: <code>admin_* = 10 GB, 1 GB</code>',
  },
  {
    name: 'sync-role',
    label: 'Apply the role',
    type: 'select',
    default: 'every-login',
    private: true,
    options: SYNC_OPTIONS,
  },
  {
    name: 'sync-display-name',
    label: 'Apply the display name',
    type: 'select',
    default: 'every-login',
    private: true,
    options: SYNC_OPTIONS,
  },
  {
    name: 'sync-quota',
    label: 'Apply the quotas',
    type: 'select',
    default: 'every-login',
    private: true,
    options: SYNC_OPTIONS,
  },
];

export interface OidcSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | null;
  readonly scopes: string;
  readonly buttonLabel: string;
  readonly mapping: MappingConfig;
  /** Exact URLs an app may ask PeerTube to send the person back to (externalRedirectUri). */
  readonly externalRedirectUris: readonly string[];
  /** Refuse a sign-in unless the IdP says the email is verified (email_verified: true). */
  readonly requireVerifiedEmail: boolean;
}

export type SettingsResult = { ok: true; settings: OidcSettings } | { ok: false; errors: Localized[] };

const ROLE: Readonly<Record<string, PeerTubeRole>> = { administrator: 0, moderator: 1, user: 2 };
const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const claimName = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

/** Settings as PeerTube stores them -> a checked configuration, or every problem in French and English. */
export function parseSettings(raw: Readonly<Record<string, unknown>>): SettingsResult {
  const errors: Localized[] = [];
  const issuer = text(raw.issuer);
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname))) {
      errors.push(t('settings.issuerHttps'));
    }
  } catch {
    errors.push(t('settings.issuer'));
  }
  const clientId = text(raw['client-id']);
  if (clientId === '') errors.push(t('settings.clientId'));
  const claims: Record<string, string> = {};
  for (const [key, fallback] of [
    ['username-claim', 'preferred_username'],
    ['email-claim', 'email'],
    ['display-name-claim', 'name'],
    ['groups-claim', 'groups'],
  ] as const) {
    const value = text(raw[key]) || fallback;
    if (!claimName.test(value)) errors.push(t('settings.claim', { value, setting: key }));
    claims[key] = value;
  }
  const roleRules = parseRoleRules(text(raw['role-rules']));
  if (!roleRules.ok) errors.push(...roleRules.errors);
  const quotaRules = parseQuotaRules(text(raw['quota-rules']));
  if (!quotaRules.ok) errors.push(...quotaRules.errors);
  const defaultRole = ROLE[text(raw['default-role']) || 'user'];
  if (defaultRole === undefined) errors.push(t('settings.defaultRole', { value: text(raw['default-role']) }));
  const allowed = text(raw['allowed-groups'])
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  for (const pattern of allowed) {
    if (!GROUP_PATTERN.test(pattern)) errors.push(t('settings.allowedGroup', { value: pattern }));
  }
  const externalRedirectUris = text(raw['external-redirect-uris'])
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter(Boolean);
  for (const uri of externalRedirectUris) {
    let ok = false;
    try {
      const parsed = new URL(uri);
      ok =
        !parsed.username &&
        !parsed.password &&
        !parsed.hash &&
        /^[a-z][a-z0-9+.-]*:$/.test(parsed.protocol) &&
        !['javascript:', 'data:', 'file:'].includes(parsed.protocol);
    } catch {
      ok = false;
    }
    if (!ok) errors.push(t('settings.redirectUri', { value: uri }));
  }
  const sync = (key: string): SyncMode => (text(raw[key]) === 'creation' ? 'creation' : 'every-login');
  if (errors.length > 0 || !roleRules.ok || !quotaRules.ok || defaultRole === undefined) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      issuer,
      clientId,
      clientSecret: text(raw['client-secret']) || null,
      scopes: text(raw.scopes) || 'openid profile email',
      buttonLabel: text(raw['button-label']) || 'apps.education.fr',
      externalRedirectUris,
      // A checkbox PeerTube stores as a boolean (or its string form); absent means the default, on.
      requireVerifiedEmail: !(raw['require-verified-email'] === false || raw['require-verified-email'] === 'false'),
      mapping: {
        usernameClaim: claims['username-claim'] ?? 'preferred_username',
        emailClaim: claims['email-claim'] ?? 'email',
        displayNameClaim: claims['display-name-claim'] ?? 'name',
        groupsClaim: claims['groups-claim'] ?? 'groups',
        roleRules: roleRules.value,
        defaultRole,
        allowedGroups: allowed.map(globToRegExp),
        videoQuotaClaim: text(raw['video-quota-claim']) || null,
        videoQuotaDailyClaim: text(raw['video-quota-daily-claim']) || null,
        quotaRules: quotaRules.value,
        sync: { role: sync('sync-role'), displayName: sync('sync-display-name'), quota: sync('sync-quota') },
      },
    },
  };
}
