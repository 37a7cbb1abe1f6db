import { startForgingProvider } from '@apps-education/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, startBridgeUnderTest } from './bridge.js';

const APP = 'https://app.ac-test.fr/';

/**
 * renew=true (CAS 3.0.3, 2.1.1) asks the IdP for a fresh login (prompt=login, max_age=0). An IdP may ignore that and
 * answer with the old session: the bridge then checks the ID token's auth_time against oidc.renewMaxAgeSeconds
 * (30 s by default). The forging provider here ignores prompt and max_age, as such an IdP would.
 */
let rogue: Awaited<ReturnType<typeof startForgingProvider>>;
let t: BridgeUnderTest;
beforeAll(async () => {
  rogue = await startForgingProvider({
    clientId: 'cas-bridge',
    clientSecret: 'bridge-secret',
    claims: { sub: 'sub-alice', preferred_username: 'alice', email: 'alice@ac-test.fr' },
  });
  t = await startBridgeUnderTest({
    registry: `services:\n  - { id: app, name: App, match: { prefix: "${APP}" } }\n`,
    registerClient: false,
    config: { oidc: { issuer: rogue.issuer, clientId: 'cas-bridge', clientSecret: 'bridge-secret' } },
  });
});
afterAll(async () => {
  await t?.close();
  await rogue?.close();
});

async function renewedLogin() {
  const hops = await createUserAgent().follow(
    `${t.publicUrl}/login?service=${encodeURIComponent(APP)}&renew=true`,
    (u) => u.startsWith(APP),
  );
  return hops.at(-1);
}

it('refuses a renew answered with an authentication 10 minutes old (the IdP ignored prompt=login)', async () => {
  rogue.setAuthTimeAgo(600);
  const last = await renewedLogin();
  expect(last?.location ?? '').not.toContain('ticket=');
  expect(last?.status).toBe(400);
});

it('refuses a renew answered with an authentication 2 minutes old (the old 300 s tolerance accepted it)', async () => {
  rogue.setAuthTimeAgo(120);
  expect((await renewedLogin())?.location ?? '').not.toContain('ticket=');
});

it('refuses a renew whose ID token says nothing of when the person authenticated', async () => {
  rogue.setAuthTimeAgo(null);
  expect((await renewedLogin())?.location ?? '').not.toContain('ticket=');
});

it('accepts a renew answered with a fresh authentication', async () => {
  rogue.setAuthTimeAgo(2);
  expect((await renewedLogin())?.location ?? '').toMatch(/ticket=ST-/);
});
