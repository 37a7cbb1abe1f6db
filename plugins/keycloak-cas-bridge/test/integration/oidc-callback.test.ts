import { PassThrough } from 'node:stream';
import { startOidcProvider } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = `
services:
  - { id: app, name: App, match: { prefix: "${APP}" }, attributes: { mail: email } }
`;
const atApp = (url: string) => url.startsWith(APP);

/** The OIDC callback's negative cases, each its own test, and the IdP's ES256 key rotation. */
describe('OIDC callback checks', () => {
  let t: BridgeUnderTest;
  const logs = new PassThrough();
  let logText = '';
  logs.on('data', (chunk: Buffer) => {
    logText += chunk.toString();
  });
  beforeAll(async () => {
    t = await startBridgeUnderTest({ registry: REGISTRY, idTokenAlg: 'ES256', logStream: logs });
  });
  afterAll(() => t.close());

  const port = () => new URL(t.publicUrl).port;

  /** Starts a login and stops at the IdP's redirect back to the bridge, returning the callback URL. */
  async function callbackUrl(agent = createUserAgent()) {
    const { hops } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, (u) =>
      u.includes('/oidc/callback'),
    );
    const location = hops.at(-1)?.location;
    if (!location?.includes('/oidc/callback')) throw new Error('no callback');
    return { agent, url: new URL(location) };
  }

  it('a missing state is refused', async () => {
    const { agent, url } = await callbackUrl();
    url.searchParams.delete('state');
    expect((await agent.request(url.href)).status).toBe(400);
  });

  it('a state from another browser (login CSRF) is refused', async () => {
    const { url } = await callbackUrl();
    expect((await createUserAgent().request(url.href)).status).toBe(400);
  });

  it('a wrong nonce is refused', async () => {
    const { agent, url } = await callbackUrl();
    const state = url.searchParams.get('state') ?? '';
    const login = await t.bridge.store.takeLoginState(state, Date.now());
    if (!login) throw new Error('no login state');
    await t.bridge.store.putLoginState({ ...login, nonce: 'not-the-nonce-sent' });
    const page = await agent.request(url.href);
    expect(page.status).toBe(400);
    expect(page.body).toContain('pas pu confirmer votre connexion');
  });

  it('a wrong issuer (iss in the response) is refused', async () => {
    const { agent, url } = await callbackUrl();
    url.searchParams.set('iss', 'http://127.0.0.1:1/realms/evil');
    expect((await agent.request(url.href)).status).toBe(400);
  });

  it('a code replayed after a successful login is refused', async () => {
    const { agent, url } = await callbackUrl();
    const first = await agent.request(url.href);
    expect(first.location).toMatch(/ticket=ST-/);
    expect((await agent.request(url.href)).status).toBe(400);
  });

  it('a code from another IdP client is refused', async () => {
    const other = await startOidcProvider({ loginHint: false });
    try {
      other.addClient({
        client_id: `cas-bridge-${port()}`,
        client_secret: 'bridge-secret',
        redirect_uris: [`${t.publicUrl}/oidc/callback`],
      });
      const { agent, url } = await callbackUrl();
      // A code minted by another issuer for the same client id, with the right state and the browser's cookie.
      const foreign = await callbackUrlFrom(other.issuer, url.searchParams.get('state') ?? '');
      url.searchParams.set('code', foreign);
      url.searchParams.delete('iss');
      expect((await agent.request(url.href)).status).toBe(400);
    } finally {
      await other.close();
    }

    async function callbackUrlFrom(issuer: string, state: string) {
      const a = createUserAgent();
      const authorize = new URL(`${issuer}/protocol/openid-connect/auth`);
      authorize.search = new URLSearchParams({
        client_id: `cas-bridge-${port()}`,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${t.publicUrl}/oidc/callback`,
        state,
      }).toString();
      const { location } = await signIn(a, authorize.href, (u) => u.includes('/oidc/callback'));
      return new URL(location ?? '').searchParams.get('code') ?? '';
    }
  });

  it('keeps signing people in with ES256 while the IdP rotates its keys', async () => {
    const before = await signIn(createUserAgent(), `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    expect(before.location).toMatch(/ticket=ST-/);
    t.idp.rotateKeys();
    const after = await signIn(createUserAgent(), `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    expect(after.location ?? `no redirect; logs:\n${logText}`).toMatch(/ticket=ST-/);
  });

  it('never writes a ticket, a token, a code or a cookie value to its logs', async () => {
    const agent = createUserAgent();
    const { location } = await signIn(agent, `${t.publicUrl}/login?service=${encodeURIComponent(APP)}`, atApp);
    const ticket = new URL(location ?? '').searchParams.get('ticket') ?? '';
    await fetch(`${t.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=${ticket}`);
    await fetch(`${t.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=${ticket}`);
    await agent.request(`${t.publicUrl}/logout`);
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toMatch(/ST-[A-Za-z0-9]{10}|TGC-[A-Za-z0-9]{10}|PGT-|eyJ[A-Za-z0-9_-]{10}/);
    expect(logText).not.toContain(ticket);
  });
});
