import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = (sloPort: number) => `
services:
  - id: app
    name: Application de test
    match: { prefix: "${APP}" }
    attributes: { mail: email, memberOf: groups }
  - id: staff
    name: Espace des personnels
    match: { prefix: "https://staff.ac-test.fr/" }
    access: { groups: ["admin_*"] }
  - id: slo
    name: Service with back-channel logout
    match: { prefix: "http://127.0.0.1:${sloPort}/" }
`;
const atApp = (url: string) => url.startsWith(APP) || url.startsWith('https://staff.ac-test.fr/');

describe('CAS /login through the OpenID provider', () => {
  let t: BridgeUnderTest;
  let sloServer: Server;
  let sloPort = 0;
  const logoutRequests: string[] = [];
  beforeAll(async () => {
    sloServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (req.method === 'POST')
          logoutRequests.push(decodeURIComponent(body.replace(/^logoutRequest=/, '').replace(/\+/g, ' ')));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => sloServer.listen(0, '127.0.0.1', resolve));
    const address = sloServer.address();
    sloPort = typeof address === 'object' && address ? address.port : 0;
    t = await startBridgeUnderTest({ registry: REGISTRY(sloPort) });
  });
  afterAll(async () => {
    await t.close();
    sloServer.close();
  });

  const validateUrl = (service: string, ticket: string, extra = '') =>
    `${t.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(service)}&ticket=${ticket}${extra}`;

  it('signs in at the IdP, sets the SSO cookie, and issues a ticket that validates once', async () => {
    const agent = createUserAgent();
    const service = `${APP}course/view.php?id=3`;
    const { location } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(service)}`, atApp);
    expect(location).toMatch(/^https:\/\/app\.ac-test\.fr\/course\/view\.php\?id=3&ticket=ST-[A-Za-z0-9]{29}$/);
    const tgc = agent.cookies(`127.0.0.1:${new URL(t.publicUrl).port}`).get('CASTGC');
    expect(tgc).toMatch(/^TGC-[A-Za-z0-9]{60}$/);
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const xml = await (await fetch(validateUrl(service, ticket))).text();
    expect(xml).toContain('<cas:user>alice</cas:user>');
    expect(xml).toContain('<cas:isFromNewLogin>true</cas:isFromNewLogin>');
    expect(xml).toContain('<cas:memberOf>admin_maths-4e-b</cas:memberOf>');
    expect(await (await fetch(validateUrl(service, ticket))).text()).toContain('code="INVALID_TICKET"');
  });

  it('gives a ticket at once with an existing SSO session (isFromNewLogin false)', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const again = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}`);
    expect(again.status).toBe(302);
    const ticket = new URL(again.location ?? '').searchParams.get('ticket') ?? '';
    expect(await (await fetch(validateUrl(APP, ticket))).text()).toContain(
      '<cas:isFromNewLogin>false</cas:isFromNewLogin>',
    );
  });

  it('renew=true sends the person back to the IdP for a fresh login even with a session', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const renewed = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&renew=true`);
    expect(renewed.location).toContain('/protocol/openid-connect/auth');
    expect(new URL(renewed.location ?? '').searchParams.get('prompt')).toBe('login');
    expect(new URL(renewed.location ?? '').searchParams.get('max_age')).toBe('0');
  });

  it('gateway without any session goes back to the service without a ticket and shows no form', async () => {
    const agent = createUserAgent();
    const hops = await agent.follow(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&gateway=true`, atApp);
    expect(hops.some((h) => h.body.includes('name="password"'))).toBe(false);
    expect(hops.at(-1)?.location).toBe(APP);
  });

  it('gateway with an IdP session but no CAS session signs in silently', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    agent.cookies(`127.0.0.1:${new URL(t.publicUrl).port}`).delete('CASTGC');
    const hops = await agent.follow(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&gateway=true`, atApp);
    expect(hops.at(-1)?.location).toMatch(/\?ticket=ST-/);
  });

  it('method=POST delivers the ticket in an auto-submitted form', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const page = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}&method=POST`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(
      /<form id="cas-post" method="post" action="https:\/\/app\.ac-test\.fr\/"><input type="hidden" name="ticket" value="ST-/,
    );
  });

  it('an unknown service gets a page, never a redirect', async () => {
    const page = await createUserAgent().request(
      `${t.publicUrl}/login?service=${encodeURIComponent('https://evil.fr/')}`,
    );
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
    expect(page.body).toContain('Application non autorisée');
  });

  it('the access gate refuses a person outside the allowed groups with a clear page', async () => {
    const agent = createUserAgent();
    const { last } = await signIn(
      agent,
      `${t.publicUrl}/login?service=${encodeURIComponent('https://staff.ac-test.fr/')}`,
      atApp,
      'bob',
    );
    expect(last?.status).toBe(403);
    expect(last?.body).toContain('Accès refusé');
  });

  it('refuses a repeated or unknown-valued /login parameter with a 400 page naming it, and redirects nowhere', async () => {
    for (const [query, name] of [
      [`service=${encodeURIComponent(APP)}&service=${encodeURIComponent('https://evil.example/')}`, 'service'],
      [`service=${encodeURIComponent(APP)}&method=PUT`, 'method'],
    ] as const) {
      const answer = await fetch(`${t.publicUrl}/login?${query}`, { redirect: 'manual' });
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('location')).toBeNull();
      expect(await answer.text()).toContain(name);
    }
  });

  it('answers a repeated validation parameter with the CAS error for a missing one, in CAS XML', async () => {
    const answer = await fetch(
      `${t.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=ST-a&ticket=ST-b`,
    );
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<cas:authenticationFailure code="INVALID_REQUEST">');
  });

  it('logs out even when the logout service parameter is repeated (only not followed)', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const out = await agent.request(
      `${t.publicUrl}/logout?service=${encodeURIComponent(APP)}&service=${encodeURIComponent(APP)}`,
    );
    expect(out.location ?? '').not.toContain('app.ac-test.fr');
    const again = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}`);
    expect(again.location).toContain('/protocol/openid-connect/auth');
  });

  it('no service: a page saying the person is signed in', async () => {
    const agent = createUserAgent();
    const { last } = await signIn(agent, `${t.publicUrl}/login`, () => false);
    expect(last?.status).toBe(200);
    expect(last?.body).toContain('Vous êtes connecté en tant que alice');
  });

  it('OIDC callback with a wrong state is refused', async () => {
    const agent = createUserAgent();
    const start = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}`);
    const state = new URL(start.location ?? '').searchParams.get('state');
    const forged = await agent.request(`${t.publicUrl}/oidc/callback?code=x&state=${state}x`);
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('expiré ou a déjà été utilisée');
  });

  it('OIDC callback with a replayed code is refused', async () => {
    const agent = createUserAgent();
    const { hops } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const callback = hops.find((h) => h.url.includes('/oidc/callback'));
    expect(callback?.url).toContain('code=');
    const tokenCalls = t.idp.requests.get('token');
    const replay = await agent.request(callback?.url ?? '');
    expect(replay.status).toBe(400);
    // Refused by the bridge (the login is over: "expired or already used"), not by the IdP: it was not asked again.
    expect(replay.body).toContain('expiré ou a déjà été utilisée');
    expect(t.idp.requests.get('token')).toBe(tokenCalls);
  });

  it('logout ends the session, tells back-channel services, and goes through the IdP', async () => {
    const agent = createUserAgent();
    const service = `http://127.0.0.1:${sloPort}/app`;
    const { location } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(service)}`, (u) =>
      u.startsWith(service),
    );
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const logout = await agent.request(`${t.publicUrl}/logout?service=${encodeURIComponent(service)}`);
    expect(logout.location).toContain('/protocol/openid-connect/logout');
    expect(new URL(logout.location ?? '').searchParams.get('id_token_hint')).toBeTruthy();
    for (let i = 0; i < 50 && logoutRequests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(logoutRequests.at(-1)).toContain(`<samlp:SessionIndex>${ticket}</samlp:SessionIndex>`);
    const after = await agent.request(`${t.publicUrl}/login?service=${encodeURIComponent(APP)}`);
    expect(after.location).toContain('/protocol/openid-connect/auth');
    // The IdP sends the person back to /logout/done, which follows the registered service only.
    const state = new URL(logout.location ?? '').searchParams.get('state') ?? '';
    expect((await agent.request(`${t.publicUrl}/logout/done?state=${state}`)).location).toBe(service);
    const evil = Buffer.from('https://evil.fr/').toString('base64url');
    expect((await agent.request(`${t.publicUrl}/logout/done?state=${evil}`)).location).toBeNull();
  });

  it('answers /healthz and /readyz, and /metrics counts logins and validations', async () => {
    expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${t.monitoringUrl}/readyz`)).json()).toEqual({ ready: true, store: 'ok', idp: 'ok' });
    const metrics = await (await fetch(`${t.monitoringUrl}/metrics`)).text();
    expect(metrics).toMatch(/cas_bridge_logins_total\{outcome="idp"\} \d+/);
    expect(metrics).toMatch(/cas_bridge_validations_total\{endpoint="p3\/serviceValidate",result="success"\} \d+/);
  });

  it('serves neither /readyz nor /metrics on the public address by default (their own listener has them)', async () => {
    expect((await fetch(`${t.publicUrl}/readyz`)).status).toBe(404);
    expect((await fetch(`${t.publicUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.monitoringUrl}/metrics`)).status).toBe(200);
  });

  it('serves /readyz and /metrics on the public address to a bearer token only, when one is set', async () => {
    const token = 'a-monitoring-token-of-32-characters!';
    const withToken = await startBridgeUnderTest({ registry: REGISTRY(1), config: { monitoring: { token } } });
    try {
      expect(withToken.monitoringUrl).toBe(withToken.publicUrl);
      expect((await fetch(`${withToken.publicUrl}/metrics`)).status).toBe(401);
      expect(
        (await fetch(`${withToken.publicUrl}/readyz`, { headers: { authorization: 'Bearer wrong' } })).status,
      ).toBe(401);
      const metrics = await fetch(`${withToken.publicUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('cas_bridge_logins_total');
    } finally {
      await withToken.close();
    }
  });

  it('/readyz says 503 when the IdP is down, and /login shows a clear page', async () => {
    t.idp.setAvailability({ kind: 'down' });
    try {
      const bridgeWithoutDiscovery = await startBridgeUnderTest({ registry: REGISTRY(sloPort), idp: t.idp });
      try {
        expect((await fetch(`${bridgeWithoutDiscovery.monitoringUrl}/readyz`)).status).toBe(503);
        const page = await createUserAgent().request(
          `${bridgeWithoutDiscovery.publicUrl}/login?service=${encodeURIComponent(APP)}`,
        );
        expect(page.status).toBe(503);
        expect(page.body).toContain('ne répond pas pour le moment');
      } finally {
        await bridgeWithoutDiscovery.close();
      }
    } finally {
      t.idp.setAvailability({ kind: 'up' });
    }
  });
});
