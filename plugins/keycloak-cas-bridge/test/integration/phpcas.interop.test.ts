import { createTestCertificateAuthority, type TempDir, tempDir } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, fetchTrusting, signIn, startBridgeUnderTest } from './bridge.js';
import { type PhpCasPeer, startPhpCas } from './phpcas.js';

/** phpCAS 1.6 (Debian), a CAS client no one here wrote: CAS 1.0, 2.0, 3.0, SAML 1.1 and single logout, over https. */
describe('interoperability with phpCAS', () => {
  let dir: TempDir;
  let t: BridgeUnderTest;
  let php: PhpCasPeer;
  let trustedFetch: typeof fetch;

  beforeAll(async () => {
    dir = await tempDir('phpcas-');
    const ca = createTestCertificateAuthority(dir.path);
    t = await startBridgeUnderTest({
      tls: ca.issue(['127.0.0.1', 'localhost'], 'bridge'),
      registry: `
services:
  - id: php
    name: Application PHP
    match: { regex: "http://127\\\\.0\\\\.0\\\\.1:[0-9]+/.*" }
    attributes: { mail: email, displayName: name, memberOf: groups }
`,
    });
    php = await startPhpCas(dir.path, new URL(t.publicUrl), ca.certPath);
    trustedFetch = await fetchTrusting(ca.cert);
  });
  afterAll(async () => {
    await php?.stop();
    await t?.close();
    await dir?.remove();
  });

  async function visit(page: string) {
    const agent = createUserAgent(trustedFetch);
    const { hops } = await signIn(agent, `${php.url}/${page}`, () => false, 'alice');
    const last = hops.at(-1);
    return {
      agent,
      last,
      trace: `${hops.map((h) => `${h.status} ${h.url} -> ${h.location}`).join('\n')}\n${last?.body}\n${php.peer.output()}`,
    };
  }

  it('CAS 3.0: user and multi-valued attributes', async () => {
    const { last, trace } = await visit('cas3.php');
    expect(last?.status, trace).toBe(200);
    expect(last?.body).toContain('user=alice\n');
    expect(last?.body).toContain('mail=alice@ac-test.fr\n');
    expect(last?.body).toContain('memberOf=admin_maths-4e-b,member_sciences\n');
  });

  it('CAS 2.0: user', async () => {
    const { last, trace } = await visit('cas2.php');
    expect(last?.status, trace).toBe(200);
    expect(last?.body).toContain('user=alice\n');
  });

  it('CAS 1.0 (/validate): user', async () => {
    const { last, trace } = await visit('cas1.php');
    expect(last?.status, trace).toBe(200);
    expect(last?.body).toContain('user=alice\n');
  });

  it('SAML 1.1 (/samlValidate, with its fixed 2002 IssueInstant): user and attributes', async () => {
    const { last, trace } = await visit('saml.php');
    expect(last?.status, trace).toBe(200);
    expect(last?.body).toContain('user=alice\n');
    expect(last?.body).toContain('mail=alice@ac-test.fr');
  });

  it("single logout: the bridge's logout request ends the phpCAS session", async () => {
    const { agent, last, trace } = await visit('cas3.php');
    expect(last?.status, trace).toBe(200);
    expect((await agent.request(`${php.url}/cas3.php`)).status).toBe(200);
    await agent.request(`${t.publicUrl}/logout`);
    for (let i = 0; i < 50; i++) {
      const again = await agent.request(`${php.url}/cas3.php`);
      if (again.status === 302) {
        expect(again.location).toContain(`${t.publicUrl}/login?service=`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`phpCAS still serves the page after single logout:\n${php.peer.output()}`);
  });
});
