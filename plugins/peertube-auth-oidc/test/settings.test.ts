import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettings, SETTINGS } from '../src/core/settings.js';

const minimal = { issuer: 'https://sso.ac-test.fr/realms/apps', 'client-id': 'peertube' };

function errorsOf(raw: Record<string, unknown>): string[] {
  const result = parseSettings(raw);
  if (result.ok) throw new Error('accepted');
  return result.errors.map((e) => `${e.fr} | ${e.en}`);
}

describe('plugin settings', () => {
  it('registers every setting as private but the automatic redirection, the secret as a password input', () => {
    expect(SETTINGS.filter((s) => !s.private).map((s) => s.name)).toEqual(['auto-redirect']);
    expect(SETTINGS.find((s) => s.name === 'client-secret')?.type).toBe('input-password');
  });

  it('registers every setting it reads (the return URLs for apps were read but never registered)', () => {
    expect(SETTINGS.map((s) => s.name)).toEqual(
      expect.arrayContaining(['external-redirect-uris', 'require-verified-email']),
    );
  });

  it('requires a verified email unless the administrator turned it off', () => {
    const on = parseSettings(minimal);
    const off = parseSettings({ ...minimal, 'require-verified-email': false });
    expect(on.ok && on.settings.requireVerifiedEmail).toBe(true);
    expect(off.ok && off.settings.requireVerifiedEmail).toBe(false);
  });

  it('translates every setting label and description into French', () => {
    const fr = JSON.parse(readFileSync(new URL('../languages/fr.json', import.meta.url), 'utf8')) as Record<
      string,
      string
    >;
    for (const setting of SETTINGS) {
      expect(fr[setting.label], setting.label).toBeTruthy();
      if (setting.descriptionHTML) expect(fr[setting.descriptionHTML], setting.descriptionHTML).toBeTruthy();
      for (const option of setting.options ?? []) expect(fr[option.label], option.label).toBeTruthy();
    }
  });

  it('fills the defaults: preferred_username, email, name, groups, role user, sync at every login', () => {
    const result = parseSettings(minimal);
    if (!result.ok) throw new Error('refused');
    expect(result.settings.clientSecret).toBeNull();
    expect(result.settings.mapping).toMatchObject({
      usernameClaim: 'preferred_username',
      emailClaim: 'email',
      defaultRole: 2,
      sync: { role: 'every-login', displayName: 'every-login', quota: 'every-login' },
    });
  });

  it('refuses an empty issuer and client id, in French and English', () => {
    const errors = errorsOf({});
    expect(errors.join('\n')).toContain("L'émetteur (issuer) est vide");
    expect(errors.join('\n')).toContain('The client ID is empty.');
  });

  it('refuses an http issuer other than loopback', () => {
    expect(errorsOf({ ...minimal, issuer: 'http://sso.ac-test.fr/realms/apps' })[0]).toContain('https');
  });

  it('reports bad role rules and quota rules by line', () => {
    const errors = errorsOf({ ...minimal, 'role-rules': 'admin_* = chef', 'quota-rules': 'x = beaucoup' });
    expect(errors[0]).toContain('rôle « chef » inconnu');
    expect(errors[1]).toContain('"beaucoup" is not a size');
  });

  it('refuses a claim name with spaces and an allowed-group pattern with a slash', () => {
    expect(errorsOf({ ...minimal, 'email-claim': 'e mail' })[0]).toContain('(email-claim)');
    expect(errorsOf({ ...minimal, 'allowed-groups': 'member_*, ../x' })[0]).toContain('../x');
  });
});

describe('allowed return URLs for apps', () => {
  it('accepts app schemes and https URLs, one per line', () => {
    const result = parseSettings({
      ...minimal,
      'external-redirect-uris': 'peertube://auth\nhttps://app.ac-test.fr/cb',
    });
    expect(result.ok && result.settings.externalRedirectUris).toEqual(['peertube://auth', 'https://app.ac-test.fr/cb']);
  });

  it('refuses javascript:, relative URLs and URLs with credentials', () => {
    const errors = errorsOf({
      ...minimal,
      'external-redirect-uris': 'javascript:alert(1)\n/relative\nhttps://u:p@x.fr/',
    });
    expect(errors).toHaveLength(3);
  });
});
