import { inflateRawSync } from 'node:zlib';
import {
  createUserAgent,
  type PeerTubeHost,
  type PeerTubeVersion,
  type PluginInHost,
  pemBody,
  type SimpleSamlIdp,
  startPluginInHost,
  startSimpleSamlIdp,
} from '@apps-education/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_NAME, NPM_NAME, PEOPLE, PERSISTENT, postToAcs, ROUTER, signIn, spFromMetadata } from './saml-idp.js';

const LINKS = 'plugin_apps_auth_saml2_accounts';
const SESSIONS = 'plugin_apps_auth_saml2_sessions';

/**
 * The tarball `pnpm build` ships, installed in the strict PeerTube host (6.3.3, the oldest supported version, and
 * 8.2.4), signing people in through a real SimpleSAMLphp that requires signed requests and logouts, encrypts its
 * assertions and names attributes by OID.
 */
describe.each<PeerTubeVersion>(['6.3.3', '8.2.4'])('peertube-plugin-apps-auth-saml2 in PeerTube %s', (version) => {
  let running: PluginInHost;
  let idp: SimpleSamlIdp;
  let host: PeerTubeHost;
  let db: pg.Pool;
  const GOOD = () => ({
    'idp-metadata-url': idp.metadataUrl,
    'role-rules': 'staff = moderator\nmember = user',
    'allowed-groups': 'member, staff',
    'quota-rules': 'staff = 10 GB, 1 GB\nmember = 1 GB',
  });

  beforeAll(async () => {
    idp = await startSimpleSamlIdp({ users: PEOPLE });
    running = await startPluginInHost(NPM_NAME, { version });
    host = running.host;
    db = new pg.Pool({ connectionString: running.database.url, max: 2 });
  });
  afterAll(async () => {
    await db?.end();
    await running?.close();
    await idp?.close();
  });

  // What PeerTube logged, next to a failure: the plugin says there why it refused.
  afterEach((context) => {
    if (context.task.result?.state === 'fail')
      console.log(
        host.logs
          .slice(-12)
          .map((l) => `${l.level} ${l.message}`)
          .join('\n'),
      );
  });

  const subjectOf = async (email: string) =>
    String((await db.query(`SELECT subject FROM ${LINKS} WHERE email = $1`, [email])).rows[0]?.subject);
  const sessionsOf = async (email: string) =>
    (await db.query(`SELECT session_index FROM ${SESSIONS} WHERE subject = $1`, [await subjectOf(email)])).rows;
  const userByEmail = async (email: string) => (await host.users()).find((u) => u.email === email);

  it('serves its SP metadata before the IdP is set, and shows no button while the settings are incomplete', async () => {
    expect(host.externalAuths.has(AUTH_NAME)).toBe(false);
    const logged = host.logs.map((l) => l.message).join('\n');
    expect(logged).toContain("Give the identity provider's metadata");
    expect(logged).toContain("Indiquez les métadonnées du fournisseur d'identité");
    const sp = await spFromMetadata(host).catch((e) => {
      throw e;
    });
    expect(sp).toMatchObject({
      entityId: `${host.url}${ROUTER}/metadata.xml`,
      acsUrl: `${host.url}${ROUTER}/assertion-consumer`,
      sloUrl: `${host.url}${ROUTER}/logout`,
    });
    const xml = await (await fetch(`${host.url}${ROUTER}/metadata.xml`)).text();
    expect(xml).toContain('AuthnRequestsSigned="true"');
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toContain('use="encryption"');
    expect(xml).toContain(`<NameIDFormat>${PERSISTENT}</NameIDFormat>`);
    expect(xml).toMatch(/SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"/);
    // The key stays in the plugin's data folder: the same certificate after a restart.
    await host.restart();
    expect((await spFromMetadata(host)).certificate).toBe(sp.certificate);
    idp.setServiceProviders([sp]);
    await host.updateSettings(GOOD());
    expect(host.externalAuths.get(AUTH_NAME)?.authDisplayName()).toBe('apps.education.fr');
  });

  it('registers its settings, all private but the automatic redirection, the key as a password input', () => {
    expect(host.registeredSettings.filter((s) => s.private !== true).map((s) => s.name)).toEqual(['auto-redirect']);
    expect(host.registeredSettings.find((s) => s.name === 'sp-private-key')?.type).toBe('input-password');
  });

  it('signs a teacher in through SimpleSAMLphp: the account gets the mapped role, quota and name', async () => {
    const { token, form } = await signIn(host, idp, 'alice');
    expect(Buffer.from(form.SAMLResponse ?? '', 'base64').toString()).toContain('EncryptedAssertion');
    expect(token?.status).toBe(200);
    expect(await userByEmail('alice.martin@ac-test.fr')).toMatchObject({
      username: 'alice',
      role: 1,
      displayName: 'Alice Martin',
      videoQuota: 10 * 1024 ** 3,
      videoQuotaDaily: 1024 ** 3,
    });
    const bob = await signIn(host, idp, 'bob');
    expect(bob.token?.status).toBe(200);
    expect(await userByEmail('bob.durand@ac-test.fr')).toMatchObject({ role: 2, videoQuota: 1024 ** 3 });
  });

  it("links the account by its persistent NameID in the plugin's own tables, nothing in storageManager", async () => {
    const alice = await userByEmail('alice.martin@ac-test.fr');
    const links = (await db.query(`SELECT subject, user_id, email FROM ${LINKS} ORDER BY subject`)).rows;
    expect(links).toContainEqual({ subject: 'alice', user_id: alice?.id, email: 'alice.martin@ac-test.fr' });
    const sessions = (await db.query(`SELECT subject, name_id, name_id_format, session_index FROM ${SESSIONS}`)).rows;
    expect(sessions).toContainEqual({
      subject: await subjectOf('alice.martin@ac-test.fr'),
      name_id: await subjectOf('alice.martin@ac-test.fr'),
      name_id_format: PERSISTENT,
      session_index: expect.stringMatching(/^_/),
    });
    expect(await host.storage()).toBeNull();
  });

  it('refuses a person outside the allowed groups, with the reason in French', async () => {
    const { status, page, token } = await signIn(host, idp, 'eve');
    expect(status).toBe(403);
    expect(page).toContain('lang="fr"');
    expect(token).toBeUndefined();
    expect(await userByEmail('eve@ac-test.fr')).toBeUndefined();
  });

  it('takes a response once: the same form posted again is refused, and so is one from another browser', async () => {
    const agent = createUserAgent();
    const first = await signIn(host, idp, 'bob', agent);
    expect(first.token?.status).toBe(200);
    const again = await postToAcs(host, agent, first.form);
    expect(again.status).toBe(400);
    expect(again.location).toBeNull();
    expect(again.page).toContain('a déjà servi');
    // A fresh response, posted by a browser that did not start this sign-in (login CSRF).
    const fresh = await idp.signIn(createUserAgent(), host.authUrl(AUTH_NAME), 'bob', 'bobpass');
    const elsewhere = await postToAcs(host, createUserAgent(), fresh);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.token).toBeUndefined();
  });

  it('refuses a clear assertion while only encrypted ones are accepted', async () => {
    const sp = await spFromMetadata(host);
    idp.setServiceProviders([{ ...sp, encryptAssertions: false }]);
    try {
      const { status, token, page } = await signIn(host, idp, 'bob');
      expect(status).toBe(400);
      expect(token).toBeUndefined();
      expect(page).toContain('digne de confiance');
      expect(host.logs.map((l) => l.message).join('\n')).toContain('not_encrypted');
    } finally {
      idp.setServiceProviders([sp]);
    }
  });

  it('refuses a sign-in started at the IdP unless switched on; then it works and RelayState redirects nowhere', async () => {
    const sp = await spFromMetadata(host);
    const unsolicited = async () => {
      const agent = createUserAgent();
      const form = await idp.signIn(agent, idp.idpInitiatedUrl(sp.entityId, 'https://evil.example/'), 'bob', 'bobpass');
      return postToAcs(host, agent, form);
    };
    const refused = await unsolicited();
    expect(refused.status).toBe(400);
    expect(refused.page).toContain('pas été commencée depuis PeerTube');
    await host.updateSettings({ ...GOOD(), 'idp-initiated': true });
    try {
      const accepted = await unsolicited();
      expect(accepted.location).toMatch(new RegExp(`^${host.url}/login\\?externalAuthToken=`));
      expect(accepted.token?.status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('keeps signing people in across a key rollover at the IdP, with metadata listing both certificates', async () => {
    const before = await (await fetch(idp.metadataUrl)).text();
    const oldCertificate = idp.certificate();
    const newCertificate = idp.rotateSigningKey();
    try {
      // The metadata as it was, pasted: the new key's signatures are refused, and the log says why.
      await host.updateSettings({ ...GOOD(), 'idp-metadata-url': '', 'idp-metadata-xml': before });
      const stale = await signIn(host, idp, 'bob');
      expect(stale.status).toBe(400);
      expect(host.logs.at(-1)?.message).toContain('Invalid signature');
      // The IdP's metadata during a rollover lists both: either key signs.
      const both = before.replace(
        /(<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>)/,
        (descriptor) => `${descriptor}${descriptor.replace(pemBody(oldCertificate), pemBody(newCertificate))}`,
      );
      expect(both).toContain(pemBody(newCertificate));
      await host.updateSettings({ ...GOOD(), 'idp-metadata-url': '', 'idp-metadata-xml': both });
      expect((await signIn(host, idp, 'bob')).token?.status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('refuses pasted metadata holding a DTD: the button goes and the log says why', async () => {
    const before = await (await fetch(idp.metadataUrl)).text();
    const doctype = before.replace('<md:EntityDescriptor', '<!DOCTYPE x [<!ENTITY e "e">]><md:EntityDescriptor');
    await host.updateSettings({ ...GOOD(), 'idp-metadata-url': '', 'idp-metadata-xml': doctype });
    try {
      expect(host.externalAuths.has(AUTH_NAME)).toBe(false);
      expect(host.logs.at(-1)?.message).toMatch(
        /settings refused: .*document type declaration.* \/ .*déclaration de type/,
      );
    } finally {
      await host.updateSettings(GOOD());
    }
    expect(host.externalAuths.has(AUTH_NAME)).toBe(true);
  });

  it('links by the username attribute when the NameID is transient (a new one at each sign-in)', async () => {
    const sp = await spFromMetadata(host);
    idp.setServiceProviders([{ ...sp, nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }]);
    await host.updateSettings({ ...GOOD(), 'nameid-format': 'transient' });
    try {
      const first = await signIn(host, idp, 'carol');
      const second = await signIn(host, idp, 'carol');
      expect([first.token?.status, second.token?.status]).toEqual([200, 200]);
      expect(Buffer.from(first.form.SAMLResponse ?? '', 'base64').toString()).not.toContain('>carol</saml:NameID>');
      expect(await subjectOf('carol.petit@ac-test.fr')).toBe('attr:carol');
    } finally {
      idp.setServiceProviders([sp]);
      await host.updateSettings(GOOD());
    }
  });

  it('logs out at the IdP when the person logs out of PeerTube (NameID, format and SessionIndex), and forgets the session', async () => {
    const agent = createUserAgent();
    const { token } = await signIn(host, idp, 'alice', agent);
    const access = String(token?.body.access_token);
    const [before] = await sessionsOf('alice.martin@ac-test.fr');
    const revoked = await host.revoke(access);
    const redirectUrl = String(revoked.body.redirectUrl);
    expect(redirectUrl.startsWith(idp.sloUrl)).toBe(true);
    const sent = new URL(redirectUrl).searchParams;
    expect(sent.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    const logoutRequest = inflateRawSync(Buffer.from(sent.get('SAMLRequest') ?? '', 'base64')).toString();
    // The NameID as the IdP sent it: its format and its SPNameQualifier too.
    expect(logoutRequest).toMatch(/<saml:NameID Format="[^"]+persistent" SPNameQualifier="[^"]+">alice<\/saml:NameID>/);
    expect(logoutRequest).toContain(`>${before?.session_index}</saml2p:SessionIndex>`);
    expect(await sessionsOf('alice.martin@ac-test.fr')).toEqual([]);
    // The IdP (which requires signed logout requests) ends its session and sends the browser back to PeerTube.
    const back = await idp.continueAt(agent, redirectUrl);
    if (!('redirect' in back)) throw new Error('expected a redirect back to PeerTube');
    expect(back.redirect.startsWith(`${host.url}${ROUTER}/logout?SAMLResponse=`)).toBe(true);
    const landed = await agent.request(back.redirect);
    expect(landed.location).toBe(`${host.url}/`);
    // An IdP that does not sign its LogoutResponse still brings the browser home: nothing hangs on it.
    const unsignedResponse = new URL(back.redirect);
    unsignedResponse.searchParams.delete('Signature');
    expect((await agent.request(unsignedResponse.href)).location).toBe(`${host.url}/`);
    // The IdP session is over: the next sign-in asks for the password again.
    const again = await agent.follow(host.authUrl(AUTH_NAME), () => false, 10);
    expect(again.at(-1)?.body).toContain('name="AuthState"');
  });

  it('ends the PeerTube session at once when the IdP logs the person out (its cached token too)', async () => {
    const agent = createUserAgent();
    const { token } = await signIn(host, idp, 'alice', agent);
    const access = String(token?.body.access_token);
    expect((await host.me(access)).status).toBe(200);
    const start = `${idp.sloUrl}?${new URLSearchParams({ ReturnTo: `${idp.url}/logged-out` })}`;
    const toPeerTube = await agent.follow(start, (location) => location.startsWith(host.url), 10);
    const request = toPeerTube.at(-1)?.location ?? '';
    expect(request.startsWith(`${host.url}${ROUTER}/logout?SAMLRequest=`)).toBe(true);
    // Without its signature, the same request is refused and changes nothing.
    const unsigned = new URL(request);
    unsigned.searchParams.delete('Signature');
    expect((await agent.request(unsigned.href)).status).toBe(400);
    expect((await host.me(access)).status).toBe(200);
    const answered = await agent.request(request);
    expect(answered.location?.startsWith(`${idp.sloUrl}?SAMLResponse=`)).toBe(true);
    expect((await host.me(access)).status).toBe(401);
    expect(await sessionsOf('alice.martin@ac-test.fr')).toEqual([]);
    const done = await agent.follow(answered.location ?? '', () => false, 10);
    // The IdP took the LogoutResponse and sends the browser on to ReturnTo.
    expect(done.map((hop) => hop.url)).toContain(`${idp.url}/logged-out`);
  });

  it("erases the person's link and session when their PeerTube account is deleted (GDPR)", async () => {
    await signIn(host, idp, 'bob');
    const bob = await userByEmail('bob.durand@ac-test.fr');
    if (!bob) throw new Error('no bob');
    const subject = await subjectOf('bob.durand@ac-test.fr');
    expect(await sessionsOf('bob.durand@ac-test.fr')).toHaveLength(1);
    await host.deleteUser(bob.id);
    await host.hooksSettled();
    expect((await db.query(`SELECT 1 FROM ${LINKS} WHERE subject = $1`, [subject])).rowCount).toBe(0);
    expect((await db.query(`SELECT 1 FROM ${SESSIONS} WHERE subject = $1`, [subject])).rowCount).toBe(0);
  });
});
