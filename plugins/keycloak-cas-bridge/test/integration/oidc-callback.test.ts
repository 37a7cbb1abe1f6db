import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openLoginState, sealLoginState } from '@apps-education/oidc-login';
import { startOidcProvider } from '@apps-education/testkit';
import Database from 'better-sqlite3';
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
    // The login state as the bridge sealed it, resealed with another nonce: the ID token's nonce no longer matches.
    const jar = agent.cookies(new URL(t.publicUrl).host);
    const keys = await t.bridge.store.loginKeys();
    const login = openLoginState<unknown>(keys, jar.get('cas_login'));
    if (!login) throw new Error('no login state');
    jar.set('cas_login', sealLoginState(keys, { ...login, nonce: 'not-the-nonce-sent' }));
    const page = await agent.request(url.href);
    expect(page.status).toBe(400);
    expect(page.body).toContain('pas pu confirmer votre connexion');
  });

  it('a tampered login cookie is refused as no login in progress', async () => {
    const { agent, url } = await callbackUrl();
    const jar = agent.cookies(new URL(t.publicUrl).host);
    const sealed = jar.get('cas_login') ?? '';
    jar.set('cas_login', `${sealed.slice(0, -4)}AAAA`);
    const page = await agent.request(url.href);
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('pas pu confirmer votre connexion');
  });

  it('a callback replayed with its cookie is refused by the bridge itself (single use), not by the IdP', async () => {
    const { agent, url } = await callbackUrl();
    const jar = agent.cookies(new URL(t.publicUrl).host);
    const sealed = jar.get('cas_login') ?? '';
    expect((await agent.request(url.href)).location).toMatch(/ticket=ST-/);
    jar.set('cas_login', sealed);
    const tokenCalls = t.idp.requests.get('token');
    const page = await agent.request(url.href);
    expect(page.status).toBe(400);
    // The "expired or already used" page, not the IdP-refused one, and the IdP was not asked again.
    expect(page.body).toContain('expiré ou a déjà été utilisée');
    expect(page.body).not.toContain('pas pu confirmer votre connexion');
    expect(t.idp.requests.get('token')).toBe(tokenCalls);
  });

  it('stores nothing for a login that never comes back: 1,000 visits leave the SQLite store as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cas-logins-'));
    const path = join(dir, 'bridge.db');
    const sqlite = await startBridgeUnderTest({ registry: REGISTRY, store: { type: 'sqlite', path } });
    try {
      const size = () => {
        const db = new Database(path, { readonly: true });
        try {
          return ['cas_used_logins', 'cas_sessions', 'cas_tickets'].map(
            (table) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
          );
        } finally {
          db.close();
        }
      };
      const before = size();
      for (let i = 0; i < 1000; i += 100) {
        const answers = await Promise.all(
          Array.from({ length: 100 }, () =>
            fetch(`${sqlite.publicUrl}/login?service=${encodeURIComponent(APP)}`, { redirect: 'manual' }),
          ),
        );
        expect(answers.every((a) => a.status === 302)).toBe(true);
      }
      expect(size()).toEqual(before);
    } finally {
      await sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    }
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
    const tokenCalls = t.idp.requests.get('token');
    const replay = await agent.request(url.href);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('expiré ou a déjà été utilisée');
    expect(t.idp.requests.get('token')).toBe(tokenCalls);
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
