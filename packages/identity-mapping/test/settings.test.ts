import { describe, expect, it } from 'vitest';
import { type MappingVocabulary, mappingSettings, parseMappingSettings } from '../src/index.js';

const OIDC: MappingVocabulary = {
  word: 'Claim',
  defaults: { username: 'preferred_username', email: 'email', displayName: 'name', groups: 'groups' },
};
const SAML: MappingVocabulary = {
  word: 'Attribute',
  defaults: {
    username: 'urn:oid:0.9.2342.19200300.100.1.1',
    email: 'urn:oid:0.9.2342.19200300.100.1.3',
    displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
    groups: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
  },
};

const errorsOf = (raw: Record<string, unknown>, vocabulary: MappingVocabulary) => {
  const parsed = parseMappingSettings(raw, vocabulary);
  if (parsed.ok) throw new Error('accepted');
  return parsed.errors;
};

describe('mapping settings shared by the OIDC and SAML plugins', () => {
  it('registers the same setting names for both, each with its own word and defaults', () => {
    const oidc = mappingSettings(OIDC);
    const saml = mappingSettings(SAML);
    expect(saml.map((s) => s.name)).toEqual(oidc.map((s) => s.name));
    expect(oidc.find((s) => s.name === 'username-claim')).toMatchObject({
      label: 'Claim for the username',
      default: 'preferred_username',
    });
    expect(saml.find((s) => s.name === 'username-claim')).toMatchObject({
      label: 'Attribute for the username',
      default: 'urn:oid:0.9.2342.19200300.100.1.1',
    });
    expect(saml.every((s) => s.private)).toBe(true);
  });

  it('fills the vocabulary defaults and reads rules, gate, quotas and sync', () => {
    const parsed = parseMappingSettings(
      {
        'role-rules': 'admin_* = moderator',
        'default-role': 'user',
        'allowed-groups': 'staff, prof_*',
        'quota-rules': 'prof_* = 10 GB, 1 GB',
        'video-quota-claim': 'videoQuota',
        'sync-quota': 'creation',
      },
      SAML,
    );
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.en).join('\n'));
    expect(parsed.value).toMatchObject({
      usernameClaim: 'urn:oid:0.9.2342.19200300.100.1.1',
      groupsClaim: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.1',
      defaultRole: 2,
      roleRules: [{ role: 1 }],
      videoQuotaClaim: 'videoQuota',
      videoQuotaDailyClaim: null,
      sync: { role: 'every-login', displayName: 'every-login', quota: 'creation' },
    });
    expect(parsed.value.allowedGroups.map((r) => r.test('prof_maths'))).toEqual([false, true]);
  });

  it('takes friendly names, OIDs and namespaced claims; refuses a name with a space, saying what to give', () => {
    for (const name of ['uid', 'urn:oid:0.9.2342.19200300.100.1.1', 'https://ac-test.fr/claims/groups'])
      expect(parseMappingSettings({ 'groups-claim': name }, SAML).ok, name).toBe(true);
    const [saml] = errorsOf({ 'email-claim': 'e mail' }, SAML);
    expect(saml?.en).toBe(
      '"e mail" is not a valid attribute name (email-claim): give its friendly name (uid, mail) or its OID (urn:oid:0.9.2342.19200300.100.1.1).',
    );
    expect(saml?.fr).toContain("n'est pas un nom d'attribut valide");
    const [oidc] = errorsOf({ 'email-claim': 'e mail' }, OIDC);
    expect(oidc?.en).toBe('"e mail" is not a valid claim name (email-claim).');
    expect(errorsOf({ 'video-quota-claim': 'quota du jour' }, OIDC)[0]?.en).toContain('(video-quota-claim)');
  });

  it('reports every problem at once, in French and English', () => {
    const errors = errorsOf(
      { 'default-role': 'chef', 'allowed-groups': '../x', 'role-rules': 'x = boss', 'quota-rules': 'y = beaucoup' },
      OIDC,
    );
    expect(errors.map((e) => e.en)).toEqual([
      expect.stringContaining('unknown role "boss"'),
      expect.stringContaining('"beaucoup" is not a size'),
      'Unknown default role: "chef".',
      'Invalid allowed group pattern: "../x".',
    ]);
    expect(errors.every((e) => e.fr.length > 0 && e.fr !== e.en)).toBe(true);
  });
});
