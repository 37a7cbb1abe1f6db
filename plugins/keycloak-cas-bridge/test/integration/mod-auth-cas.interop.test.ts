import { createTestCertificateAuthority, type TempDir, tempDir } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApachePeer, startApache } from './apache.js';
import { type BridgeUnderTest, createUserAgent, fetchTrusting, signIn, startBridgeUnderTest } from './bridge.js';

/** Apache mod_auth_cas 1.2 (Debian), a CAS client no one here wrote, against the bridge over https. */
describe('interoperability with Apache mod_auth_cas', () => {
  let dir: TempDir;
  let t: BridgeUnderTest;
  let apache: ApachePeer;
  let trustedFetch: typeof fetch;

  beforeAll(async () => {
    dir = await tempDir('mod-auth-cas-');
    const ca = createTestCertificateAuthority(dir.path);
    const cert = ca.issue(['127.0.0.1', 'localhost'], 'bridge');
    // The registry must know Apache's URLs before Apache exists: register the loopback host on any port.
    t = await startBridgeUnderTest({
      tls: cert,
      registry: `
services:
  - id: apache
    name: Apache mod_auth_cas
    match: { regex: "http://127\\\\.0\\\\.0\\\\.1:[0-9]+/.*" }
    attributes: { memberOf: groups, mail: email }
`,
    });
    apache = await startApache(dir.path, t.publicUrl, ca.certPath);
    trustedFetch = await fetchTrusting(ca.cert);
  });
  afterAll(async () => {
    await apache?.stop();
    await t?.close();
    await dir?.remove();
  });

  async function visit(site: string, path: string, username: string) {
    const agent = createUserAgent(trustedFetch);
    const { hops } = await signIn(agent, `${site}${path}`, () => false, username);
    return { agent, last: hops.at(-1), hops };
  }

  it('CAS 2 (/p3/serviceValidate): a person signs in and Apache sees the CAS user', async () => {
    const { last, hops } = await visit(apache.cas2Url, '/protected/', 'alice');
    expect(last?.status, `${hops.map((h) => `${h.status} ${h.url} -> ${h.location}`).join('\n')}\n${last?.body}`).toBe(
      200,
    );
    expect(last?.body).toBe('protected page\n');
  });

  it('CAS 2: Require cas-attribute admits alice (admin_maths-4e-b) and refuses bob', async () => {
    expect((await visit(apache.cas2Url, '/admins/', 'alice')).last?.status).toBe(200);
    const bob = await visit(apache.cas2Url, '/admins/', 'bob');
    expect(bob.last?.status).toBe(401);
  });

  it('SAML 1.1 (/samlValidate): sign-in and attribute-based access', async () => {
    const { last } = await visit(apache.samlUrl, '/admins/', 'alice');
    expect(last?.status, apache.peer.output()).toBe(200);
    expect(last?.body).toBe('admins page\n');
    expect((await visit(apache.samlUrl, '/admins/', 'bob')).last?.status).toBe(401);
  });

  it('single logout: after /logout, Apache sends the person back to the bridge', async () => {
    const { agent } = await visit(apache.cas2Url, '/protected/', 'alice');
    expect((await agent.request(`${apache.cas2Url}/protected/`)).status).toBe(200);
    await agent.request(`${t.publicUrl}/logout`);
    for (let i = 0; i < 50; i++) {
      const again = await agent.request(`${apache.cas2Url}/protected/`);
      if (again.status === 302) {
        expect(again.location).toContain(`${t.publicUrl}/login?service=`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Apache still serves the page after single logout:\n${apache.peer.output()}`);
  });
});
