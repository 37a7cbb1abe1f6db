import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCertificateAuthority,
  createUserAgent,
  type SamlPostForm,
  type SamlTestServiceProvider,
  type SimpleSamlIdp,
  startSimpleSamlIdp,
  type TempDir,
  type TestCertificate,
  tempDir,
} from '../src/index.js';

const SP = 'https://peertube.ac-test.fr/saml/sp';
const ACS = 'https://peertube.ac-test.fr/saml/acs';
const SLO = 'https://peertube.ac-test.fr/saml/slo';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const ALICE = {
  password: 'alicepass',
  attributes: {
    uid: ['alice'],
    mail: ['alice.martin@ac-test.fr'],
    displayName: ['Alice Martin'],
    eduPersonAffiliation: ['member', 'staff'],
  },
};

/**
 * The SimpleSAMLphp IdP the SAML plugin's tests sign in through, checked with node-saml as the SP: what it sends is
 * what a real SimpleSAMLphp sends (signed, encrypted on demand, OID attribute names on demand, single logout).
 */
describe('SimpleSAMLphp test IdP', () => {
  let idp: SimpleSamlIdp;
  let dir: TempDir;
  let sp: TestCertificate;
  /** The SP as the IdP knows it; each test sets what it needs on top. */
  const trust = (extra: Partial<SamlTestServiceProvider> = {}) =>
    idp.setServiceProviders([
      { entityId: SP, acsUrl: ACS, sloUrl: SLO, nameIdAttribute: 'uid', certificate: sp.cert, ...extra },
    ]);
  const saml = (extra: Partial<ConstructorParameters<typeof SAML>[0]> = {}) =>
    new SAML({
      entryPoint: idp.ssoUrl,
      logoutUrl: idp.sloUrl,
      issuer: SP,
      callbackUrl: ACS,
      audience: SP,
      idpCert: idp.certificate(),
      identifierFormat: PERSISTENT,
      signatureAlgorithm: 'sha256',
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.always,
      ...extra,
    });

  /** Alice signs in from the SP's request (or from `start`, an IdP URL): the form the browser would post to the ACS. */
  const aliceSignsIn = async (client: SAML, start?: string, agent = createUserAgent()) =>
    idp.signIn(agent, start ?? (await client.getAuthorizeUrlAsync('', undefined, {})), 'alice', 'alicepass');
  const nameIdOf = async (client: SAML, form: SamlPostForm) =>
    (await client.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' })).profile?.nameID;

  beforeAll(async () => {
    dir = await tempDir('saml-sp-');
    sp = createTestCertificateAuthority(dir.path).issue(['peertube.ac-test.fr'], 'sp');
    idp = await startSimpleSamlIdp({ users: { alice: ALICE } });
  });
  afterAll(async () => {
    await idp?.close();
    await dir?.remove();
  });

  it('signs a person in: a signed response to our request, with multi-valued attributes', async () => {
    trust();
    const client = saml();
    const form = await aliceSignsIn(client, await client.getAuthorizeUrlAsync('relay-1', undefined, {}));
    expect(form.action).toBe(ACS);
    expect(form.RelayState).toBe('relay-1');
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' });
    expect(profile?.nameID).toBe('alice');
    expect(profile?.nameIDFormat).toBe(PERSISTENT);
    expect(profile?.eduPersonAffiliation).toEqual(['member', 'staff']);
    expect(profile?.mail).toBe('alice.martin@ac-test.fr');
    // The same response again: node-saml's InResponseTo cache took the request id.
    await expect(client.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' })).rejects.toThrow(
      /InResponseTo/,
    );
  }, 30_000);

  it('refuses an unsigned AuthnRequest from an SP that must sign them, and takes a signed one', async () => {
    trust({ requireSignedRequests: true });
    const unsigned = saml();
    await expect(aliceSignsIn(unsigned)).rejects.toThrow(/signature/i);
    const signed = saml({ privateKey: sp.key });
    const form = await aliceSignsIn(signed);
    expect(await nameIdOf(signed, form)).toBe('alice');
  }, 30_000);

  it('encrypts the assertion and names attributes by OID when the SP asks for it', async () => {
    trust({ encryptAssertions: true, attributeNames: 'oid' });
    const client = saml({ decryptionPvk: sp.key });
    const form = await aliceSignsIn(client);
    const xml = Buffer.from(form.SAMLResponse ?? '', 'base64').toString('utf8');
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).not.toContain('alice.martin@ac-test.fr');
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' });
    expect(profile?.['urn:oid:0.9.2342.19200300.100.1.3']).toBe('alice.martin@ac-test.fr');
    expect(profile?.['urn:oid:1.3.6.1.4.1.5923.1.1.1.1']).toEqual(['member', 'staff']);
  }, 30_000);

  it('signs with a new key after a rollover: the old certificate alone no longer verifies, both together do', async () => {
    trust();
    const oldCert = idp.certificate();
    const newCert = idp.rotateSigningKey();
    expect(newCert).not.toBe(oldCert);
    const onlyOld = saml({ idpCert: oldCert });
    const stale = await aliceSignsIn(onlyOld);
    await expect(onlyOld.validatePostResponseAsync({ SAMLResponse: stale.SAMLResponse ?? '' })).rejects.toThrow(
      /signature/i,
    );
    const both = saml({ idpCert: [oldCert, newCert] });
    const fresh = await aliceSignsIn(both);
    expect(await nameIdOf(both, fresh)).toBe('alice');
  }, 30_000);

  it('starts a login itself (IdP-initiated): an unsolicited response, without InResponseTo', async () => {
    trust();
    const form = await aliceSignsIn(saml(), idp.idpInitiatedUrl(SP, 'https://peertube.ac-test.fr/videos'));
    expect(form.RelayState).toBe('https://peertube.ac-test.fr/videos');
    const xml = Buffer.from(form.SAMLResponse ?? '', 'base64').toString('utf8');
    expect(xml).not.toContain('InResponseTo');
    await expect(saml().validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' })).rejects.toThrow(
      /InResponseTo/,
    );
    const lenient = saml({ validateInResponseTo: ValidateInResponseTo.ifPresent });
    expect(await nameIdOf(lenient, form)).toBe('alice');
  }, 30_000);

  it('ends the session on an SP-initiated logout and answers with a signed LogoutResponse', async () => {
    trust({ requireSignedLogout: true });
    const client = saml({ privateKey: sp.key });
    const agent = createUserAgent();
    const form = await aliceSignsIn(client, undefined, agent);
    const { profile } = await client.validatePostResponseAsync({ SAMLResponse: form.SAMLResponse ?? '' });
    if (!profile) throw new Error('no profile');
    const logoutUrl = await client.getLogoutUrlAsync(profile, 'after-logout', {});
    const back = await idp.continueAt(agent, logoutUrl);
    if (!('redirect' in back)) throw new Error(`expected a redirect to the SP, got a form to ${back.action}`);
    const returned = new URL(back.redirect);
    expect(`${returned.origin}${returned.pathname}`).toBe(SLO);
    expect(returned.searchParams.get('RelayState')).toBe('after-logout');
    const checked = await client.validateRedirectAsync(
      Object.fromEntries(returned.searchParams),
      returned.search.slice(1),
    );
    expect(checked.loggedOut).toBe(true);
    // The IdP session is over: the next login asks for the password again.
    const again = await agent.follow(await client.getAuthorizeUrlAsync('', undefined, {}), () => false, 10);
    expect(again.at(-1)?.body).toContain('name="AuthState"');
  }, 30_000);
});
