import { type Localized, translate } from './i18n.js';
import type { PeerTubeRole, QuotaRule, RoleRule } from './rules.js';
import { sanitiseUsername } from './username.js';

/** Claims as the IdP gave them (OIDC claims, SAML attributes): narrowed here, never trusted as typed. */
export type Claims = Readonly<Record<string, unknown>>;

/** Apply a field at every login (through PeerTube's userUpdater), or only when the account is created. */
export type SyncMode = 'every-login' | 'creation';

export interface MappingConfig {
  readonly usernameClaim: string;
  readonly emailClaim: string;
  readonly displayNameClaim: string;
  readonly groupsClaim: string;
  /** First match wins; no match gives defaultRole. */
  readonly roleRules: readonly RoleRule[];
  readonly defaultRole: PeerTubeRole;
  /** Empty: everyone may sign in. Otherwise at least one group must match. */
  readonly allowedGroups: readonly RegExp[];
  readonly videoQuotaClaim: string | null;
  readonly videoQuotaDailyClaim: string | null;
  readonly quotaRules: readonly QuotaRule[];
  readonly sync: { readonly role: SyncMode; readonly displayName: SyncMode; readonly quota: SyncMode };
}

export const DEFAULT_MAPPING: MappingConfig = {
  usernameClaim: 'preferred_username',
  emailClaim: 'email',
  displayNameClaim: 'name',
  groupsClaim: 'groups',
  roleRules: [],
  defaultRole: 2,
  allowedGroups: [],
  videoQuotaClaim: null,
  videoQuotaDailyClaim: null,
  quotaRules: [],
  sync: { role: 'every-login', displayName: 'every-login', quota: 'every-login' },
};

/** What PeerTube's `userAuthenticated` receives (server/core/lib/auth/external-auth.ts), plus the stable subject. */
export interface MappedIdentity {
  readonly subject: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: PeerTubeRole;
  readonly videoQuota?: number;
  readonly videoQuotaDaily?: number;
}

export type MappingResult =
  | { readonly ok: true; readonly identity: MappedIdentity }
  | {
      readonly ok: false;
      readonly reason: 'access_denied' | 'missing_claim' | 'invalid_username';
      readonly message: Localized;
    };

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
}

/** A groups claim may be a list, one string (SAML with one value), or absent: always a list of strings. */
export function groupsOf(claims: Claims, claim: string): string[] {
  const value = claims[claim];
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((g): g is string => typeof g === 'string' && g !== '');
}

function quotaValue(value: unknown): number | undefined {
  const raw = first(value);
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= -1 ? n : undefined;
}

// PeerTube: displayName 1..120 characters; no control characters.
function displayNameOf(claims: Claims, config: MappingConfig, username: string): string {
  const named = first(claims[config.displayNameClaim]);
  const composed = [first(claims.given_name), first(claims.family_name)].filter(Boolean).join(' ');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
  const clean = (named ?? (composed || username)).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || username).slice(0, 120);
}

/**
 * Claims -> the PeerTube user: access gate first (a refusal page, not an error), then username (lower-cased,
 * sanitised), email, display name, role by the first matching group rule, quotas from claims or the first matching
 * group rule. A missing claim the account needs is a clear refusal naming it.
 */
export function mapIdentity(subject: string, claims: Claims, config: MappingConfig): MappingResult {
  const groups = groupsOf(claims, config.groupsClaim);
  if (config.allowedGroups.length > 0 && !groups.some((g) => config.allowedGroups.some((p) => p.test(g)))) {
    return { ok: false, reason: 'access_denied', message: translate('deny.access') };
  }
  const rawUsername = first(claims[config.usernameClaim]);
  if (rawUsername === undefined) {
    return {
      ok: false,
      reason: 'missing_claim',
      message: translate('deny.missingClaim', { claim: config.usernameClaim }),
    };
  }
  const username = sanitiseUsername(rawUsername);
  if (username === null) {
    return {
      ok: false,
      reason: 'invalid_username',
      message: translate('deny.invalidUsername', { value: rawUsername.slice(0, 64) }),
    };
  }
  const email = first(claims[config.emailClaim]);
  if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
    return {
      ok: false,
      reason: 'missing_claim',
      message: translate('deny.missingClaim', { claim: config.emailClaim }),
    };
  }
  const role = config.roleRules.find((rule) => groups.some((g) => rule.pattern.test(g)))?.role ?? config.defaultRole;
  const quotaRule = config.quotaRules.find((rule) => groups.some((g) => rule.pattern.test(g)));
  const videoQuota =
    (config.videoQuotaClaim ? quotaValue(claims[config.videoQuotaClaim]) : undefined) ?? quotaRule?.videoQuota;
  const videoQuotaDaily =
    (config.videoQuotaDailyClaim ? quotaValue(claims[config.videoQuotaDailyClaim]) : undefined) ??
    quotaRule?.videoQuotaDaily ??
    undefined;
  return {
    ok: true,
    identity: {
      subject,
      username,
      email,
      displayName: displayNameOf(claims, config, username),
      role,
      ...(videoQuota === undefined ? {} : { videoQuota }),
      ...(videoQuotaDaily === undefined ? {} : { videoQuotaDaily }),
    },
  };
}

/** The fields PeerTube's userUpdater asks about (6.3+: every updatable field, every login). */
export type UpdatableField = 'displayName' | 'role' | 'adminFlags' | 'videoQuota' | 'videoQuotaDaily';

/**
 * PeerTube calls userUpdater for every updatable field and stores what it returns; returning undefined fails the
 * login with a database error (verified on 6.3.3). So: the new value when this field syncs at every login and the
 * IdP gave one, otherwise the current value, never undefined.
 */
export function userUpdater(sync: MappingConfig['sync']) {
  return <T>(options: { fieldName: UpdatableField | string; currentValue: T; newValue: T }): T => {
    const mode =
      options.fieldName === 'role'
        ? sync.role
        : options.fieldName === 'displayName'
          ? sync.displayName
          : options.fieldName === 'videoQuota' || options.fieldName === 'videoQuotaDaily'
            ? sync.quota
            : 'creation';
    return mode === 'every-login' && options.newValue !== undefined && options.newValue !== null
      ? options.newValue
      : options.currentValue;
  };
}
