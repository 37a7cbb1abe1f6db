import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettings, SETTINGS } from '../src/core/settings.js';

const minimal = { 'idp-metadata-url': 'https://idp.ac-test.fr/simplesaml/saml2/idp/metadata.php' };

function errorsOf(raw: Record<string, unknown>): string[] {
  const result = parseSettings(raw);
  if (result.ok) throw new Error('accepted');
  return result.errors.map((e) => `${e.fr} | ${e.en}`);
}

describe('SAML plugin settings', () => {
  it('registers every setting as private but the automatic redirection, the SP key as a password input', () => {
    expect(SETTINGS.filter((s) => !s.private).map((s) => s.name)).toEqual(['auto-redirect']);
    expect(SETTINGS.find((s) => s.name === 'sp-private-key')?.type).toBe('input-password');
  });

  it('shares the mapping settings of the OIDC plugin, by the same names', () => {
    const names = SETTINGS.map((s) => s.name);
    for (const name of [
      'username-claim',
      'email-claim',
      'groups-claim',
      'role-rules',
      'allowed-groups',
      'quota-rules',
      'sync-role',
    ])
      expect(names).toContain(name);
  });

  it('translates every setting label, description and option into French, and lists them in English', () => {
    const read = (file: string) =>
      JSON.parse(readFileSync(new URL(`../languages/${file}`, import.meta.url), 'utf8')) as Record<string, string>;
    const [fr, en] = [read('fr.json'), read('en.json')];
    for (const setting of SETTINGS) {
      for (const text of [setting.label, setting.descriptionHTML, ...(setting.options ?? []).map((o) => o.label)]) {
        if (text === undefined) continue;
        expect(fr[text], text).toBeTruthy();
        expect(fr[text], text).not.toBe(text);
        expect(en[text], text).toBe(text);
      }
    }
  });

  it('takes safe defaults: signed requests and assertions, encrypted only, persistent NameID, 60 s skew, no IdP-initiated', () => {
    const result = parseSettings(minimal);
    if (!result.ok) throw new Error('refused');
    expect(result.settings).toMatchObject({
      signRequests: true,
      wantAssertionsSigned: true,
      wantResponseSigned: false,
      encryptedOnly: true,
      nameIdFormat: 'persistent',
      clockSkewMs: 60_000,
      idpInitiated: false,
      spKey: null,
      metadataRefreshMs: 6 * 3_600_000,
    });
    expect(result.settings.mapping.usernameClaim).toBe('urn:oid:0.9.2342.19200300.100.1.1');
    expect(result.settings.mapping.emailClaim).toBe('urn:oid:0.9.2342.19200300.100.1.3');
  });

  it('needs the metadata, by URL (https but on localhost) or pasted', () => {
    expect(errorsOf({})[0]).toContain('Indiquez les métadonnées');
    expect(errorsOf({ 'idp-metadata-url': 'http://idp.ac-test.fr/md' })[0]).toContain('https');
    expect(errorsOf({ 'idp-metadata-url': 'pas une url' })[0]).toContain('« pas une url »');
    expect(parseSettings({ 'idp-metadata-url': 'http://127.0.0.1:8080/md' }).ok).toBe(true);
    const pasted = parseSettings({ 'idp-metadata-xml': '<md:EntityDescriptor/>' });
    expect(pasted.ok && pasted.settings.metadataXml).toBe('<md:EntityDescriptor/>');
  });

  it('refuses to accept assertions with no signature at all (an encrypted one proves nothing)', () => {
    expect(errorsOf({ ...minimal, 'want-assertions-signed': false, 'want-response-signed': 'false' })[0]).toContain(
      'Require signed assertions, signed responses, or both',
    );
    expect(parseSettings({ ...minimal, 'want-assertions-signed': false, 'want-response-signed': true }).ok).toBe(true);
  });

  it('wants a pasted key with its certificate, both in PEM', () => {
    expect(
      errorsOf({ ...minimal, 'sp-private-key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' })[0],
    ).toContain('ou aucun des deux');
    const both = { 'sp-private-key': 'not a key', 'sp-certificate': 'not a cert' };
    const errors = errorsOf({ ...minimal, ...both });
    expect(errors[0]).toContain('PEM private key');
    expect(errors[1]).toContain('PEM certificate');
  });

  it('refuses a clock skew, refresh interval or NameID format out of range, each with its reason', () => {
    expect(errorsOf({ ...minimal, 'clock-skew-seconds': '3600' })[0]).toContain('0 to 600');
    expect(errorsOf({ ...minimal, 'clock-skew-seconds': '-1' })[0]).toContain('0 to 600');
    expect(errorsOf({ ...minimal, 'idp-metadata-refresh-hours': '0' })[0]).toContain('1 to 168');
    expect(errorsOf({ ...minimal, 'nameid-format': 'x509' })[0]).toContain('« x509 »');
    expect(errorsOf({ ...minimal, 'sp-entity-id': 'has space' })[0]).toContain('sans espace');
  });

  it('takes attribute names as OIDs or friendly names and refuses others with the setting named', () => {
    expect(parseSettings({ ...minimal, 'groups-claim': 'eduPersonAffiliation' }).ok).toBe(true);
    expect(errorsOf({ ...minimal, 'email-claim': 'mail address' })[0]).toContain('(email-claim)');
  });
});
