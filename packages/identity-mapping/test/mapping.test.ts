import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAPPING,
  globToRegExp,
  type MappingConfig,
  mapIdentity,
  parseQuotaRules,
  parseRoleRules,
  parseSize,
  userUpdater,
} from '../src/index.js';

const alice = {
  sub: 'sub-alice',
  preferred_username: 'Alice.Martin',
  email: 'alice@ac-test.fr',
  name: 'Alice Martin',
  groups: ['admin_maths-4e-b', 'member_sciences'],
};

function rules(text: string) {
  const parsed = parseRoleRules(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.en).join());
  return parsed.value;
}

describe('claims to a PeerTube user', () => {
  it('maps username, email, display name and the default role', () => {
    const result = mapIdentity('sub-alice', alice, DEFAULT_MAPPING);
    expect(result).toEqual({
      ok: true,
      identity: {
        subject: 'sub-alice',
        username: 'alice.martin',
        email: 'alice@ac-test.fr',
        displayName: 'Alice Martin',
        role: 2,
      },
    });
  });

  it('gives the role of the first matching group rule', () => {
    const config: MappingConfig = {
      ...DEFAULT_MAPPING,
      roleRules: rules('admin_* = moderator\nmember_* = user\n* = administrator'),
    };
    expect(mapIdentity('s', alice, config)).toMatchObject({ ok: true, identity: { role: 1 } });
    expect(mapIdentity('s', { ...alice, groups: ['member_x'] }, config)).toMatchObject({ identity: { role: 2 } });
  });

  it('refuses a person outside the allowed groups with a clear page text, not an error', () => {
    const config = { ...DEFAULT_MAPPING, allowedGroups: [globToRegExp('member_*'), globToRegExp('admin_*')] };
    const result = mapIdentity('s', { ...alice, groups: ['candidate_maths'] }, config);
    expect(result).toMatchObject({ ok: false, reason: 'access_denied' });
    if (!result.ok) expect(result.message.fr).toContain("n'a pas accès");
  });

  it('refuses when the groups claim is missing and a gate is set (never crashes)', () => {
    const { groups: _g, ...noGroups } = alice;
    expect(mapIdentity('s', noGroups, { ...DEFAULT_MAPPING, allowedGroups: [globToRegExp('*')] })).toMatchObject({
      reason: 'access_denied',
    });
  });

  it('accepts a single group sent as a string (SAML with one value)', () => {
    const config = { ...DEFAULT_MAPPING, allowedGroups: [globToRegExp('admin_*')] };
    expect(mapIdentity('s', { ...alice, groups: 'admin_x' }, config).ok).toBe(true);
  });

  it('refuses a missing email claim, naming it', () => {
    const { email: _e, ...noEmail } = alice;
    const result = mapIdentity('s', noEmail, DEFAULT_MAPPING);
    expect(result).toMatchObject({ ok: false, reason: 'missing_claim' });
    if (!result.ok) expect(result.message.en).toContain('"email"');
  });

  it('refuses a username that sanitises to nothing', () => {
    expect(mapIdentity('s', { ...alice, preferred_username: '...' }, DEFAULT_MAPPING)).toMatchObject({
      reason: 'invalid_username',
    });
  });

  it('takes quotas from claims first, then from the first matching group rule', () => {
    const quota = parseQuotaRules('admin_* = 10 GB, 1 GB\nmember_* = 500 Mo');
    if (!quota.ok) throw new Error('quota rules');
    const config = {
      ...DEFAULT_MAPPING,
      quotaRules: quota.value,
      videoQuotaClaim: 'video_quota',
      videoQuotaDailyClaim: null,
    };
    expect(mapIdentity('s', alice, config)).toMatchObject({
      identity: { videoQuota: 10 * 1024 ** 3, videoQuotaDaily: 1024 ** 3 },
    });
    expect(mapIdentity('s', { ...alice, video_quota: '1000' }, config)).toMatchObject({
      identity: { videoQuota: 1000 },
    });
    expect(mapIdentity('s', { ...alice, video_quota: 'lots' }, config)).toMatchObject({
      identity: { videoQuota: 10 * 1024 ** 3 },
    });
    const plain = mapIdentity('s', { ...alice, groups: [] }, config);
    expect(plain.ok && 'videoQuota' in plain.identity).toBe(false);
  });

  it('falls back to given and family names, and keeps display names within 120 characters', () => {
    const { name: _n, ...noName } = alice;
    expect(mapIdentity('s', { ...noName, given_name: 'Alice', family_name: 'Martin' }, DEFAULT_MAPPING)).toMatchObject({
      identity: { displayName: 'Alice Martin' },
    });
    expect(mapIdentity('s', { ...alice, name: 'x'.repeat(300) }, DEFAULT_MAPPING)).toMatchObject({
      identity: { displayName: 'x'.repeat(120) },
    });
  });
});

describe('userUpdater', () => {
  it('returns the new value for fields synced at every login, the current one otherwise, never undefined', () => {
    const update = userUpdater({ role: 'every-login', displayName: 'creation', quota: 'every-login' });
    expect(update({ fieldName: 'role', currentValue: 2, newValue: 1 })).toBe(1);
    expect(update({ fieldName: 'displayName', currentValue: 'Old', newValue: 'New' })).toBe('Old');
    expect(update({ fieldName: 'videoQuota', currentValue: 5, newValue: undefined })).toBe(5);
    expect(update({ fieldName: 'adminFlags', currentValue: 0, newValue: 1 })).toBe(0);
  });
});

describe('administrator rules', () => {
  it('reads role names in English or French, with comments', () => {
    expect(rules('# staff\nadmin_* = modérateur\nsuper_* -> administrator').map((r) => [r.source, r.role])).toEqual([
      ['admin_*', 1],
      ['super_*', 0],
    ]);
  });

  it('reports every bad line with its number, in French and English', () => {
    const parsed = parseRoleRules('admin_*\nmember_* = chef\nbad pattern! = user');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.fr)).toEqual([
      expect.stringContaining('Ligne 1'),
      expect.stringContaining('rôle « chef » inconnu'),
      expect.stringContaining('Ligne 3'),
    ]);
  });

  it.each([
    ['10 GB', 10 * 1024 ** 3],
    ['500 Mo', 500 * 1024 ** 2],
    ['1,5 Go', 1.5 * 1024 ** 3],
    ['1073741824', 1073741824],
    ['-1', -1],
    ['ten', null],
    ['5 XB', null],
  ])('size %s is %s bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('refuses a quota rule with a size that is not one', () => {
    const parsed = parseQuotaRules('admin_* = beaucoup');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]?.en).toContain('"beaucoup" is not a size');
  });
});
