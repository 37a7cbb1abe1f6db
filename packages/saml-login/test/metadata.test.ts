import { describe, expect, it } from 'vitest';
import { METADATA_MAX_BYTES, parseIdpMetadata } from '../src/index.js';
import { CERT_A, CERT_B, key, metadata } from './fixtures.js';

const refusal = (xml: string, now?: number) => {
  const result = parseIdpMetadata(xml, now);
  if (result.ok) throw new Error('accepted');
  return result.error;
};

describe('IdP metadata', () => {
  it('reads the entity id, the HTTP-Redirect endpoints, the signing certificates and the NameID formats', () => {
    const result = parseIdpMetadata(metadata());
    if (!result.ok) throw new Error(result.error.en);
    expect(result.value).toEqual({
      entityId: 'https://idp.ac-test.fr/idp/shibboleth',
      ssoUrl: 'https://idp.ac-test.fr/idp/profile/SAML2/Redirect/SSO',
      sloUrl: 'https://idp.ac-test.fr/idp/profile/SAML2/Redirect/SLO',
      // The encryption key is not a signing key.
      signingCertificates: [CERT_A],
      nameIdFormats: [
        'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
      ],
      validUntil: null,
    });
  });

  it('keeps every signing certificate during a rollover, and a key without `use` signs too', () => {
    const result = parseIdpMetadata(metadata({ keys: `${key(CERT_A, 'signing')}${key(CERT_B)}${key(CERT_A)}` }));
    expect(result.ok && result.value.signingCertificates).toEqual([CERT_A, CERT_B]);
  });

  it('takes an IdP without single logout, and one IdP inside an EntitiesDescriptor', () => {
    const withoutSlo = parseIdpMetadata(metadata({ slo: '' }));
    expect(withoutSlo.ok && withoutSlo.value.sloUrl).toBeNull();
    const aggregate = metadata()
      .replace('<?xml version="1.0" encoding="UTF-8"?>', '')
      .replace(/xmlns:md="[^"]+" xmlns:ds="[^"]+"/, '');
    const wrapped = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${aggregate}</md:EntitiesDescriptor>`;
    const result = parseIdpMetadata(wrapped);
    expect(result.ok && result.value.entityId).toBe('https://idp.ac-test.fr/idp/shibboleth');
    expect(refusal(wrapped.replace('</md:EntitiesDescriptor>', `${aggregate}</md:EntitiesDescriptor>`)).en).toBe(
      'The metadata must describe exactly one identity provider (IDPSSODescriptor); it describes 2.',
    );
  });

  it('refuses a document type declaration before parsing: XXE and entity expansion (billion laughs) never run', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`,
    ).join('')}]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&lol9;"/>`;
    const xxe = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>${metadata()
      .replace(/^<\?xml[^>]*>/, '')
      .replace('https://idp.ac-test.fr/idp/shibboleth', '&x;')}`;
    for (const xml of [laughs, xxe]) {
      const started = performance.now();
      const error = refusal(xml);
      expect(error.en).toContain('document type declaration');
      expect(error.fr).toContain('déclaration de type de document');
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  it('refuses a document over 1 MiB, malformed XML and XML that is not SAML metadata, saying which', () => {
    expect(refusal(`<a>${'x'.repeat(METADATA_MAX_BYTES)}</a>`).en).toContain('over 1024 KiB');
    expect(refusal(metadata().replace('</md:EntityDescriptor>', '')).en).toContain('not well-formed XML');
    expect(refusal('<html><body>Login</body></html>').en).toContain('not SAML 2.0 metadata');
    expect(refusal(metadata().replace(/xmlns:md="[^"]+"/, 'xmlns:md="urn:example"')).en).toContain(
      'not SAML 2.0 metadata',
    );
  });

  it('refuses metadata the SP could not use: no entity id, no SAML 2.0, no redirect SSO, no signing key, a bad key', () => {
    expect(refusal(metadata({ entityId: '' })).en).toContain('no entityID');
    expect(refusal(metadata({ protocol: 'urn:oasis:names:tc:SAML:1.1:protocol' })).en).toContain('SAML 2.0');
    expect(refusal(metadata({ sso: '' })).en).toContain('HTTP-Redirect');
    expect(
      refusal(
        metadata({
          sso: '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="javascript:alert(1)"/>',
        }),
      ).en,
    ).toContain('HTTP-Redirect');
    expect(refusal(metadata({ keys: key(CERT_A, 'encryption') })).en).toContain('no signing certificate');
    expect(refusal(metadata({ keys: key(`AAAA${CERT_A.slice(40)}`, 'signing') })).en).toContain(
      'not a valid X.509 certificate',
    );
  });

  it('honours validUntil: good before, refused after, refused when it is not a date', () => {
    const xml = metadata({ validUntil: '2030-01-01T00:00:00Z' });
    const before = parseIdpMetadata(xml, Date.parse('2029-12-31T00:00:00Z'));
    expect(before.ok && before.value.validUntil).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(refusal(xml, Date.parse('2030-01-02T00:00:00Z')).en).toBe(
      'The IdP metadata expired on 2030-01-01T00:00:00.000Z (validUntil): fetch it again from the IdP.',
    );
    expect(refusal(metadata({ validUntil: 'tomorrow' })).en).toContain('"tomorrow" is not a date');
  });
});
