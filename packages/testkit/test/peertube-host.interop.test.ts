import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type PeerTubeHost,
  startPeerTubeHost,
  type TempDir,
  type TestDatabase,
  tempDir,
} from '../src/index.js';

const probe = fileURLToPath(new URL('./fixtures/peertube-plugin-probe', import.meta.url));

/** The host must refuse what a real PeerTube 6.3.3 refused with the same probe plugin (shared/reference/peertube.md). */
describe('strict PeerTube plugin host', () => {
  let database: TestDatabase;
  let dir: TempDir;
  let host: PeerTubeHost;
  beforeAll(async () => {
    database = await createTestDatabase('peertube');
    dir = await tempDir('peertube-host-');
    host = await startPeerTubeHost({
      databaseUrl: database.url,
      pluginDir: probe,
      dataDir: dir.path,
      version: '6.3.3',
    });
  });
  afterAll(async () => {
    await host?.close();
    await database?.drop();
    await dir?.remove();
  });

  const login = async (query: Record<string, string>) => {
    const response = await fetch(`${host.authUrl('probe')}?${new URLSearchParams(query)}`, { redirect: 'manual' });
    return new URL(response.headers.get('location') ?? '', host.url);
  };
  const signIn = async (query: Record<string, string>) => {
    const location = await login(query);
    const token = location.searchParams.get('externalAuthToken') ?? '';
    return host.exchange(token, location.searchParams.get('username') ?? '');
  };

  it('redirects a valid userAuthenticated to /login with a 64-hex token and the username', async () => {
    const location = await login({ username: 'jean-marc', email: 'jm@ac-test.fr' });
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('externalAuthToken')).toMatch(/^[0-9a-f]{64}$/);
    expect(location.searchParams.get('username')).toBe('jean-marc');
  });

  it.each([
    ['a username with capitals', { username: 'John.Doe', email: 'jd@ac-test.fr' }],
    ['a missing email', { username: 'nomail' }],
    ['role 3', { username: 'r3', email: 'r3@ac-test.fr', role: '3' }],
    [
      'a display name over 120 characters',
      { username: 'longname', email: 'ln@ac-test.fr', displayName: 'x'.repeat(121) },
    ],
    ['a quota below -1', { username: 'q', email: 'q@ac-test.fr', videoQuota: '-2' }],
  ])('refuses %s with /login?externalAuthError=true', async (_name, query) => {
    const location = await login(query as Record<string, string>);
    expect(`${location.pathname}${location.search}`).toBe('/login?externalAuthError=true');
  });

  it('creates the user on first exchange, owned by the plugin', async () => {
    const { status } = await signIn({ username: 'alice', email: 'alice@ac-test.fr', role: '1', displayName: 'Alice' });
    expect(status).toBe(200);
    const alice = (await host.users()).find((u) => u.email === 'alice@ac-test.fr');
    expect(alice).toMatchObject({
      username: 'alice',
      role: 1,
      displayName: 'Alice',
      pluginAuth: 'peertube-plugin-probe',
    });
  });

  it('matches users by email: a later login with another username signs into the same account', async () => {
    await signIn({ username: 'bob', email: 'bob@ac-test.fr' });
    await signIn({ username: 'robert', email: 'bob@ac-test.fr' });
    expect((await host.users()).filter((u) => u.email === 'bob@ac-test.fr').map((u) => u.username)).toEqual(['bob']);
  });

  it("without userUpdater, an existing user's role never changes", async () => {
    await signIn({ username: 'carol', email: 'carol@ac-test.fr', role: '2' });
    expect((await signIn({ username: 'carol', email: 'carol@ac-test.fr', role: '1' })).status).toBe(200);
    expect((await host.users()).find((u) => u.username === 'carol')?.role).toBe(2);
  });

  it('with userUpdater, the role changes; returning undefined fails the login', async () => {
    await signIn({ username: 'dave', email: 'dave@ac-test.fr', role: '2' });
    expect((await signIn({ username: 'dave', email: 'dave@ac-test.fr', role: '1', updater: 'new' })).status).toBe(200);
    expect((await host.users()).find((u) => u.username === 'dave')?.role).toBe(1);
    expect((await signIn({ username: 'dave', email: 'dave@ac-test.fr', updater: 'undefined' })).status).toBe(500);
  });

  it('suffixes a username taken by a local user (root-2)', async () => {
    await host.createLocalUser({ username: 'root', email: 'root@ac-test.fr', role: 0 });
    await signIn({ username: 'root', email: 'someone@ac-test.fr' });
    expect((await host.users()).find((u) => u.email === 'someone@ac-test.fr')?.username).toBe('root-2');
  });

  it('refuses (invalid_grant) an email owned by a local user', async () => {
    const { status, body } = await signIn({ username: 'eve', email: 'root@ac-test.fr' });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('lets a 6.3.3 token be exchanged twice within 5 minutes, not a third time', async () => {
    const location = await login({ username: 'frank', email: 'frank@ac-test.fr' });
    const token = location.searchParams.get('externalAuthToken') ?? '';
    expect((await host.exchange(token, 'frank')).status).toBe(200);
    const second = await host.exchange(token, 'frank');
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect((await host.exchange(token, 'frank')).status).toBe(400);
  });

  it('checks an Authorization header on plugin routes as a PeerTube token, before the plugin runs', async () => {
    const echo = `${host.url}/plugins/probe/router/echo`;
    expect((await fetch(echo, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect((await fetch(echo, { headers: { authorization: 'Basic eDp5' } })).status).toBe(400);
    expect(await (await fetch(echo, { headers: { 'x-custom': 'reaches' } })).json()).toMatchObject({
      header: 'reaches',
      user: null,
      greeting: 'hello',
    });
    const { body } = await signIn({ username: 'gina', email: 'gina@ac-test.fr' });
    const withUser = await fetch(`${host.url}/plugins/probe/0.0.1/router/echo`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(await withUser.json()).toMatchObject({ user: 'gina' });
  });

  it('keeps plugin storage in the database and notifies settings changes', async () => {
    expect(await (await fetch(`${host.url}/plugins/probe/router/store?key=k&v=1`)).json()).toEqual({ v: '1' });
    await host.updateSettings({ greeting: 'bonjour' });
    expect(await (await fetch(`${host.url}/plugins/probe/router/echo`)).json()).toMatchObject({
      greeting: 'bonjour',
      seen: ['bonjour'],
    });
  });

  it('runs action hooks by priority, logs a failing handler, and skips an unknown hook with a warning', async () => {
    expect(host.hooks.get('action:api.video.viewed')).toBe(2);
    expect(host.hooks.has('action:api.video.not-a-hook')).toBe(false);
    expect(host.logs.some((l) => l.level === 'warn' && l.message.includes('action:api.video.not-a-hook'))).toBe(true);
    await host.runHook('action:api.video.viewed', { video: { id: 1 } });
    expect(await (await fetch(`${host.url}/plugins/probe/router/hooks`)).json()).toEqual(['viewed-first', 'viewed']);
    expect(host.logs.some((l) => l.level === 'error' && l.message.includes('a failing handler'))).toBe(true);
  });

  it('gives plugins Sequelize: escaped :named replacements, multi-statement strings, SET LOCAL kept to the query', async () => {
    const ok = await fetch(`${host.url}/plugins/probe/router/query?word=${encodeURIComponent("it's")}`);
    expect(await ok.json()).toEqual({ rows: [{ word: "it's", slept: true }] });
    const slow = await fetch(`${host.url}/plugins/probe/router/query?word=x&sleep=2`);
    expect(slow.status).toBe(500);
    expect(((await slow.json()) as { error: string }).error).toContain('statement timeout');
  });

  it("takes req.ip from X-Forwarded-For only behind a loopback proxy (PeerTube's default trust_proxy)", async () => {
    const ip = async (headers: Record<string, string>) =>
      ((await (await fetch(`${host.url}/plugins/probe/router/ip`, { headers })).json()) as { ip: string }).ip;
    expect(await ip({})).toBe('127.0.0.1');
    expect(await ip({ 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    expect(await ip({ 'x-forwarded-for': '203.0.113.7, 198.51.100.2' })).toBe('198.51.100.2');
  });

  it('calls onLogout at token revocation and answers its redirectUrl', async () => {
    const { body } = await signIn({ username: 'hugo', email: 'hugo@ac-test.fr' });
    const revoked = await host.revoke(String(body.access_token));
    expect(revoked.body).toEqual({ success: true, redirectUrl: 'https://idp.example/logout?user=hugo' });
    expect((await host.revoke(String(body.access_token))).status).toBe(401);
  });
});
