import { randomBytes } from 'node:crypto';
import { type OidcProviderHandle, requireRedis, startOidcProvider } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserAgent, signIn } from './bridge.js';
import { type BridgePair, startBridgePair } from './load-balancer.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = `
services:
  - { id: app, name: App, match: { prefix: "${APP}" }, attributes: { mail: email } }
`;

/** Two bridge processes on one Redis behind a round-robin load balancer: every request alternates between them. */
describe('two bridges on one Redis are interchangeable', () => {
  let idp: OidcProviderHandle;
  let pair: BridgePair;
  let publicUrl = '';

  beforeAll(async () => {
    const redis = await requireRedis();
    const store = { type: 'redis', url: redis, prefix: `two-bridges-${randomBytes(4).toString('hex')}:` };
    idp = await startOidcProvider({ loginHint: false });
    // LaBoite, where people log out of everything.
    idp.addClient({ client_id: 'laboite', client_secret: 's', redirect_uris: ['https://laboite.ac-test.fr/cb'] });
    pair = await startBridgePair({ registry: REGISTRY, idp, store });
    publicUrl = pair.publicUrl;
  });
  afterAll(async () => {
    await pair?.close();
    await idp?.close();
  });

  it('login, SSO, validation and logout work whichever bridge answers each step', async () => {
    const agent = createUserAgent();
    const { location } = await signIn(agent, `${publicUrl}/login?service=${encodeURIComponent(APP)}`, (u) =>
      u.startsWith(APP),
    );
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const validate = () =>
      fetch(`${publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=${ticket}`).then((r) =>
        r.text(),
      );
    expect(await validate()).toContain('<cas:user>alice</cas:user>');
    expect(await validate()).toContain('INVALID_TICKET');
    for (let i = 0; i < 4; i++) {
      const sso = await agent.request(`${publicUrl}/login?service=${encodeURIComponent(APP)}`);
      expect(sso.location).toMatch(/ticket=ST-/);
    }
    await agent.request(`${publicUrl}/logout`);
    for (let i = 0; i < 2; i++) {
      expect((await agent.request(`${publicUrl}/login?service=${encodeURIComponent(APP)}`)).location).toContain(
        '/protocol/openid-connect/auth',
      );
    }
    expect(pair.hits.every((n) => n > 3)).toBe(true);
  });

  it('200 parallel validations of one ticket across both bridges: exactly one success', async () => {
    const agent = createUserAgent();
    const { location } = await signIn(agent, `${publicUrl}/login?service=${encodeURIComponent(APP)}`, (u) =>
      u.startsWith(APP),
    );
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    const bodies = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(`${publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=${ticket}`).then((r) =>
          r.text(),
        ),
      ),
    );
    expect(bodies.filter((body) => body.includes('authenticationSuccess'))).toHaveLength(1);
  });

  it('a back-channel logout from the IdP, received by one bridge, ends the session on both', async () => {
    const agent = createUserAgent();
    await signIn(agent, `${publicUrl}/login?service=${encodeURIComponent(APP)}`, (u) => u.startsWith(APP));
    const sso = async () => (await agent.request(`${publicUrl}/login?service=${encodeURIComponent(APP)}`)).location;
    expect(await sso()).toMatch(/ticket=ST-/);
    await idp.signOut(agent, 'laboite');
    // Whichever bridge answers, the session is gone (the IdP posted to the load balancer, so to one of them).
    for (let i = 0; i < 4; i++) expect(await sso()).toContain('/protocol/openid-connect/auth');
  });
});
