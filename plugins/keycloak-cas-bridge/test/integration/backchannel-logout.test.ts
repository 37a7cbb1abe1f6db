import { createServer, type Server } from 'node:http';
import { startOidcProvider } from '@apps-education/testkit';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

/**
 * OpenID Connect Back-Channel Logout at the bridge, with the testkit's oidc-provider (a certified implementation)
 * sending real logout tokens: a person who logs out of the IdP (from LaBoite) loses their CAS session at once, and the
 * CAS applications get single logout (a shared school computer no longer opens them as the previous teacher).
 */
describe('back-channel logout from the IdP', () => {
  let t: BridgeUnderTest;
  let app: Server;
  let appUrl = '';
  const sloRequests: string[] = [];
  /** What the IdP sent the bridge, kept to be replayed. */
  const tokens: string[] = [];
  let relay: Server;

  beforeAll(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        if (req.method === 'POST')
          sloRequests.push(decodeURIComponent(new URLSearchParams(body).get('logoutRequest') ?? ''));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}/`;
    const idp = await startOidcProvider({ loginHint: false });
    t = await startBridgeUnderTest({
      registry: `services:\n  - { id: app, name: App, match: { prefix: "${appUrl}" }, logout: { type: back-channel } }\n`,
      idp,
      registerClient: false,
      config: {
        oidc: { issuer: idp.issuer, clientId: 'cas-bridge', clientSecret: 'bridge-secret' },
        unsafe: { allowHttpIssuer: true, allowHttpPgtUrl: true },
      },
    });
    // The IdP posts to this relay, which keeps each token and passes it on to the bridge.
    relay = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', async () => {
        tokens.push(new URLSearchParams(body).get('logout_token') ?? '');
        const answer = await fetch(`${t.publicUrl}/oidc/backchannel-logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        res.writeHead(answer.status).end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    idp.addClient({
      client_id: 'cas-bridge',
      client_secret: 'bridge-secret',
      redirect_uris: [`${t.publicUrl}/oidc/callback`],
      post_logout_redirect_uris: [`${t.publicUrl}/logout/done`],
      backchannel_logout_uri: `http://127.0.0.1:${(relay.address() as { port: number }).port}/`,
      backchannel_logout_session_required: true,
    });
    // LaBoite, where the person logs out.
    idp.addClient({ client_id: 'laboite', client_secret: 's', redirect_uris: ['https://laboite.ac-test.fr/cb'] });
  });
  afterAll(async () => {
    await t?.close();
    await t?.idp.close();
    await new Promise((resolve) => app.close(resolve));
    await new Promise((resolve) => relay.close(resolve));
  });

  const atApp = (u: string) => u.startsWith(appUrl);
  const loginAtApp = async (agent = createUserAgent()) => {
    const { hops } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(appUrl)}`, atApp, 'alice');
    return { agent, ticket: new URL(hops.at(-1)?.location ?? 'http://x/').searchParams.get('ticket') };
  };

  it('ends the CAS session when the person logs out at the IdP, and sends CAS single logout to the application', async () => {
    const { agent, ticket } = await loginAtApp();
    expect(ticket).toMatch(/^ST-/);
    // With the session, /login gives a ticket straight away (SSO): a second application session.
    const sso = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(appUrl)}`);
    const second = new URL(sso.location ?? 'http://x/').searchParams.get('ticket');
    expect(second).toMatch(/^ST-/);
    await t.idp.signOut(agent, 'laboite');
    await expect.poll(() => tokens.length).toBe(1);
    // The CAS session is gone: /login sends the browser to the IdP again, no ticket.
    const after = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(appUrl)}`);
    expect(after.location).toContain('/protocol/openid-connect/auth');
    // The application gets a single-logout request naming the last ticket it was given for this browser (the
    // session remembers one ticket per service, which the application's cookie now belongs to).
    await expect.poll(() => sloRequests.length).toBe(1);
    expect(sloRequests[0]).toMatch(/^<samlp:LogoutRequest /);
    expect(sloRequests[0]).toContain(`<samlp:SessionIndex>${second}</samlp:SessionIndex>`);
    const metrics = await (await fetch(`${t.monitoringUrl}/metrics`)).text();
    expect(metrics).toMatch(/cas_bridge_backchannel_logouts_total\{result="ended"\} 1/);
  });

  it('refuses a replayed logout token (jti single use), with 400', async () => {
    const replay = await fetch(`${t.publicUrl}/oidc/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: tokens[0] ?? '' }).toString(),
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a logout token the IdP did not sign, and ends nothing', async () => {
    const { agent } = await loginAtApp();
    const forged = await new SignJWT({
      iss: t.idp.issuer,
      aud: 'cas-bridge',
      sub: 'f3b7c2a0-1111-4c1e-9a55-0000000000a1',
      jti: 'forged-1',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .sign(new TextEncoder().encode('a-secret-the-idp-never-had-0123456789'));
    const answer = await fetch(`${t.publicUrl}/oidc/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: forged }).toString(),
    });
    expect(answer.status).toBe(400);
    expect((await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(appUrl)}`)).location).toContain(
      'ticket=',
    );
  });

  it('refuses a request without a logout token', async () => {
    const answer = await fetch(`${t.publicUrl}/oidc/backchannel-logout`, { method: 'POST' });
    expect(answer.status).toBe(400);
  });
});

describe('back-channel logout while the IdP is down', () => {
  it('answers 503 (not a bad token: the keys could not be read) and ends nothing', async () => {
    const t = await startBridgeUnderTest({ registry: 'services: []\n' });
    try {
      t.idp.setAvailability({ kind: 'down' });
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT({
        iss: t.idp.issuer,
        aud: 'cas-bridge',
        sub: 'someone',
        jti: 'while-down',
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'unknown-key' })
        .setIssuedAt()
        .sign(privateKey);
      const answer = await fetch(`${t.publicUrl}/oidc/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
      expect(answer.status).toBe(503);
      expect(await answer.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const metrics = await (await fetch(`${t.monitoringUrl}/metrics`)).text();
      expect(metrics).toMatch(/cas_bridge_backchannel_logouts_total\{result="unavailable"\} 1/);
    } finally {
      t.idp.setAvailability({ kind: 'up' });
      await t.close();
    }
  });
});
