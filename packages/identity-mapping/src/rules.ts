import { type Localized, translate } from './i18n.js';

/** PeerTube roles (shared/models/users/user-role.ts): 0 administrator, 1 moderator, 2 user. */
export type PeerTubeRole = 0 | 1 | 2;

export interface RoleRule {
  readonly pattern: RegExp;
  readonly source: string;
  readonly role: PeerTubeRole;
}

export interface QuotaRule {
  readonly pattern: RegExp;
  readonly source: string;
  readonly videoQuota: number;
  readonly videoQuotaDaily: number | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Localized[] };

const ROLE_NAMES: Readonly<Record<string, PeerTubeRole>> = {
  administrator: 0,
  administrateur: 0,
  admin: 0,
  '0': 0,
  moderator: 1,
  moderateur: 1,
  modérateur: 1,
  '1': 1,
  user: 2,
  utilisateur: 2,
  '2': 2,
};

/**
 * A group pattern, as every plugin's settings and the CAS registry accept it: letters, digits, `_ . : @ -`, and `*`
 * as the only wildcard, at most 128 characters (LaBoite's groups are `<role>_<group>`).
 */
export const GROUP_PATTERN = /^[A-Za-z0-9_.:@*-]{1,128}$/;

/** `admin_*` -> /^admin_.*$/: only `*` is special. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function lines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, text: t.replace(/#.*$/, '').trim() }))
    .filter((l) => l.text !== '');
}

/** Role rules, one per line: `admin_* = moderator` (first match wins). Every bad line is reported. */
export function parseRoleRules(text: string): Parsed<RoleRule[]> {
  const errors: Localized[] = [];
  const rules: RoleRule[] = [];
  for (const { line, text: t } of lines(text)) {
    const match = /^(\S+)\s*(?:=|->)\s*(\S+)$/.exec(t);
    if (!match?.[1] || !match[2]) {
      errors.push(translate('rules.role.syntax', { line, text: t }));
      continue;
    }
    const [, pattern, roleName] = match;
    if (!GROUP_PATTERN.test(pattern)) {
      errors.push(translate('rules.pattern', { line, pattern }));
      continue;
    }
    const role = ROLE_NAMES[roleName.toLowerCase()];
    if (role === undefined) {
      errors.push(translate('rules.role.unknownRole', { line, role: roleName }));
      continue;
    }
    rules.push({ pattern: globToRegExp(pattern), source: pattern, role });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: rules };
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  o: 1,
  kb: 1024,
  ko: 1024,
  mb: 1024 ** 2,
  mo: 1024 ** 2,
  gb: 1024 ** 3,
  go: 1024 ** 3,
  tb: 1024 ** 4,
  to: 1024 ** 4,
};

/** `10 GB`, `500 Mo`, `1073741824`, `-1` (unlimited) -> bytes; null when it is not a size. */
export function parseSize(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === '-1') return -1;
  const match = /^(\d+(?:[.,]\d+)?)\s*([kmgt]?[bo]?)$/.exec(t);
  if (!match?.[1]) return null;
  const factor = UNITS[match[2] ?? ''];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(match[1].replace(',', '.')) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Group quotas, one per line: `admin_* = 10 GB, 1 GB` (quota, then optional daily quota; first match wins). */
export function parseQuotaRules(text: string): Parsed<QuotaRule[]> {
  const errors: Localized[] = [];
  const rules: QuotaRule[] = [];
  for (const { line, text: t } of lines(text)) {
    const match = /^(\S+)\s*=\s*([^,]+?)\s*(?:,\s*(.+))?$/.exec(t);
    if (!match?.[1] || !match[2]) {
      errors.push(translate('rules.quota.syntax', { line, text: t }));
      continue;
    }
    const [, pattern, total, daily] = match;
    if (!GROUP_PATTERN.test(pattern)) {
      errors.push(translate('rules.pattern', { line, pattern }));
      continue;
    }
    const videoQuota = parseSize(total);
    const videoQuotaDaily = daily === undefined ? null : parseSize(daily);
    if (videoQuota === null || (daily !== undefined && videoQuotaDaily === null)) {
      errors.push(translate('rules.quota.size', { line, size: videoQuota === null ? total : (daily ?? '') }));
      continue;
    }
    rules.push({ pattern: globToRegExp(pattern), source: pattern, videoQuota, videoQuotaDaily });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: rules };
}
