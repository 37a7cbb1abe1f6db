import { createUserAgent, startSimpleSamlIdp } from '@apps-education/testkit';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { expect, it } from 'vitest';
import { generateSpCredentials } from '../src/index.js';

const SP = 'https://videos.ac-test.fr/plugins/apps-auth-saml2/router/metadata.xml';
const ACS = 'https://videos.ac-test.fr/plugins/apps-auth-saml2/router/assertion-consumer';

it('a generated SP key and certificate work with a real SimpleSAMLphp: signed requests accepted, encryption read', async () => {
  const sp = await generateSpCredentials({ commonName: 'videos.ac-test.fr' });
  const idp = await startSimpleSamlIdp({
    users: { alice: { password: 'alicepass', attributes: { uid: ['alice'] } } },
    serviceProviders: [
      {
        entityId: SP,
        acsUrl: ACS,
        nameIdAttribute: 'uid',
        certificate: sp.certificatePem,
        requireSignedRequests: true,
        encryptAssertions: true,
      },
    ],
  });
  try {
    const saml = new SAML({
      entryPoint: idp.ssoUrl,
      issuer: SP,
      callbackUrl: ACS,
      audience: SP,
      idpCert: idp.certificate(),
      privateKey: sp.privateKeyPem,
      decryptionPvk: sp.privateKeyPem,
      signatureAlgorithm: 'sha256',
      identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      validateInResponseTo: ValidateInResponseTo.always,
    });
    const form = await idp.signIn(
      createUserAgent(),
      await saml.getAuthorizeUrlAsync('', undefined, {}),
      'alice',
      'alicepass',
    );
    expect(Buffer.from(form.SAMLResponse ?? '', 'base64').toString()).toContain('EncryptedAssertion');
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' });
    expect(profile?.nameID).toBe('alice');
  } finally {
    await idp.close();
  }
}, 30_000);
