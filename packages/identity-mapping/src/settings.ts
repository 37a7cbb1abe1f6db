import { type Localized, translate } from './i18n.js';
import type { MappingConfig, SyncMode } from './mapping.js';
import {
  GROUP_PATTERN,
  globToRegExp,
  type Parsed,
  type PeerTubeRole,
  parseQuotaRules,
  parseRoleRules,
} from './rules.js';

/**
 * The mapping settings both PeerTube sign-in plugins register (OIDC claims, SAML attributes): same names, same
 * meaning, same checks, so an administrator who set one up knows the other. Labels are in English; each plugin
 * translates them to French in its languages/fr.json.
 */
export interface SettingDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: 'input' | 'input-password' | 'input-textarea' | 'input-checkbox' | 'select';
  readonly default?: string | boolean;
  readonly descriptionHTML?: string;
  readonly options?: readonly { label: string; value: string }[];
  /** Private settings never reach browsers. */
  readonly private: boolean;
}

/** What a plugin calls the values the IdP sends, and which ones it reads by default. */
export interface MappingVocabulary {
  /** "Claim" (OpenID Connect) or "Attribute" (SAML): the labels say "Claim for the username", ... */
  readonly word: 'Claim' | 'Attribute';
  readonly defaults: {
    readonly username: string;
    readonly email: string;
    readonly displayName: string;
    readonly groups: string;
  };
}

const SYNC_OPTIONS = [
  { label: 'At every login', value: 'every-login' },
  { label: 'Only when the account is created', value: 'creation' },
] as const;

/** The mapping settings, in the order the admin page shows them (after the plugin's own). */
export function mappingSettings(vocabulary: MappingVocabulary): SettingDefinition[] {
  const { word, defaults } = vocabulary;
  const source = (what: string, fallback: string): SettingDefinition => ({
    name: `${what.replace(/ /g, '-')}-claim`,
    label: `${word} for the ${what}`,
    type: 'input',
    default: fallback,
    private: true,
  });
  return [
    source('username', defaults.username),
    source('email', defaults.email),
    source('display name', defaults.displayName),
    source('groups', defaults.groups),
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
      label: `${word} for the video quota (bytes, optional)`,
      type: 'input',
      default: '',
      private: true,
    },
    {
      name: 'video-quota-daily-claim',
      label: `${word} for the daily video quota (bytes, optional)`,
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
    ...(
      [
        ['sync-role', 'Apply the role'],
        ['sync-display-name', 'Apply the display name'],
        ['sync-quota', 'Apply the quotas'],
      ] as const
    ).map(
      ([name, label]): SettingDefinition => ({
        name,
        label,
        type: 'select',
        default: 'every-login',
        private: true,
        options: SYNC_OPTIONS,
      }),
    ),
  ];
}

const ROLE: Readonly<Record<string, PeerTubeRole>> = { administrator: 0, moderator: 1, user: 2 };
/** A text setting as PeerTube stores it: trimmed, or empty when absent or not a string. */
export const settingText = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const text = settingText;
/** A claim name (namespaced ones too: https://example.fr/claims/quota), a SAML attribute's friendly name or its OID. */
const SOURCE_NAME = /^[A-Za-z_][A-Za-z0-9_.:/#-]{0,255}$/;

/** The mapping settings as PeerTube stores them -> a checked mapping, or every problem in French and English. */
export function parseMappingSettings(
  raw: Readonly<Record<string, unknown>>,
  vocabulary: MappingVocabulary,
): Parsed<MappingConfig> {
  const errors: Localized[] = [];
  const invalidName = vocabulary.word === 'Claim' ? 'settings.claim' : 'settings.attribute';
  const source = (setting: string, fallback: string) => {
    const value = text(raw[setting]) || fallback;
    if (!SOURCE_NAME.test(value)) errors.push(translate(invalidName, { value, setting }));
    return value;
  };
  const optionalSource = (setting: string) => {
    const value = text(raw[setting]);
    return value === '' ? null : source(setting, value);
  };
  const { defaults } = vocabulary;
  const usernameClaim = source('username-claim', defaults.username);
  const emailClaim = source('email-claim', defaults.email);
  const displayNameClaim = source('display-name-claim', defaults.displayName);
  const groupsClaim = source('groups-claim', defaults.groups);
  const videoQuotaClaim = optionalSource('video-quota-claim');
  const videoQuotaDailyClaim = optionalSource('video-quota-daily-claim');
  const roleRules = parseRoleRules(text(raw['role-rules']));
  if (!roleRules.ok) errors.push(...roleRules.errors);
  const quotaRules = parseQuotaRules(text(raw['quota-rules']));
  if (!quotaRules.ok) errors.push(...quotaRules.errors);
  const defaultRole = ROLE[text(raw['default-role']) || 'user'];
  if (defaultRole === undefined) errors.push(translate('settings.defaultRole', { value: text(raw['default-role']) }));
  const allowed = text(raw['allowed-groups'])
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  for (const pattern of allowed) {
    if (!GROUP_PATTERN.test(pattern)) errors.push(translate('settings.allowedGroup', { value: pattern }));
  }
  if (errors.length > 0 || !roleRules.ok || !quotaRules.ok || defaultRole === undefined) return { ok: false, errors };
  const sync = (key: string): SyncMode => (text(raw[key]) === 'creation' ? 'creation' : 'every-login');
  return {
    ok: true,
    value: {
      usernameClaim,
      emailClaim,
      displayNameClaim,
      groupsClaim,
      roleRules: roleRules.value,
      defaultRole,
      allowedGroups: allowed.map(globToRegExp),
      videoQuotaClaim,
      videoQuotaDailyClaim,
      quotaRules: quotaRules.value,
      sync: { role: sync('sync-role'), displayName: sync('sync-display-name'), quota: sync('sync-quota') },
    },
  };
}
