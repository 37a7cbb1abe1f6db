import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  type PeerTubeHost,
  type PeerTubeVersion,
  startPeerTubeHost,
  type TempDir,
  type TestDatabase,
  tempDir,
} from '../src/index.js';

const probe = fileURLToPath(new URL('./fixtures/peertube-plugin-probe', import.meta.url));

/**
 * The host must answer what a real PeerTube 6.3.3 answered to the same probe plugin (shared/reference/peertube.md,
 * "More facts from a real PeerTube 6.3.3"; every expectation below was seen there), and 8.x where the reference says.
 */
async function withHost(version: PeerTubeVersion, extra: { login?: number; plugins?: number } = {}) {
  const database = await createTestDatabase('peertube');
  const dir = await tempDir('peertube-host-');
  const host = await startPeerTubeHost({
    databaseUrl: database.url,
    pluginDir: probe,
    dataDir: dir.path,
    version,
    rateLimits: {
      login: { windowMs: 300_000, max: extra.login ?? 1000 },
      ...(extra.plugins ? { plugins: { windowMs: 10_000, max: extra.plugins } } : {}),
    },
  });
  return { host, database, dir };
}

function helpers(host: () => PeerTubeHost) {
  const login = async (query: Record<string, string>) => {
    const response = await fetch(`${host().authUrl('probe')}?${new URLSearchParams(query)}`, { redirect: 'manual' });
    return new URL(response.headers.get('location') ?? '', host().url);
  };
  const signIn = async (query: Record<string, string>) => {
    const location = await login(query);
    const token = location.searchParams.get('externalAuthToken') ?? '';
    return host().exchange(token, location.searchParams.get('username') ?? '');
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${host().url}${path}`, { headers });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), text, json: () => JSON.parse(text) };
  };
  return { login, signIn, get };
}

describe('strict PeerTube host, as PeerTube 6.3.3', () => {
  let running: { host: PeerTubeHost; database: TestDatabase; dir: TempDir };
  const { login, signIn, get } = helpers(() => running.host);
  beforeAll(async () => {
    running = await withHost('6.3.3');
  });
  afterAll(async () => {
    await running?.host.close();
    await running?.database.drop();
    await running?.dir.remove();
  });

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
    ['a display name over 120 characters', { username: 'ln', email: 'ln@ac-test.fr', displayName: 'x'.repeat(121) }],
    ['a quota below -1', { username: 'q', email: 'q@ac-test.fr', videoQuota: '-2' }],
  ])('refuses %s with /login?externalAuthError=true', async (_name, query) => {
    const location = await login(query as Record<string, string>);
    expect(`${location.pathname}${location.search}`).toBe('/login?externalAuthError=true');
  });

  it('tests optional fields by truthiness: role 0, quota 0 and an empty display name pass (the name becomes the username)', async () => {
    expect(
      (await signIn({ username: 'r0', email: 'r0@ac-test.fr', role: '0', displayName: '', videoQuota: '0' })).status,
    ).toBe(200);
    expect((await running.host.users()).find((u) => u.email === 'r0@ac-test.fr')).toMatchObject({
      username: 'r0',
      role: 0,
      displayName: 'r0',
      videoQuota: 0,
      videoQuotaDaily: -1,
    });
  });

  it('creates the user on first exchange, owned by the plugin, with its channel and "Watch later" playlist', async () => {
    const { status, body } = await signIn({
      username: 'alice',
      email: 'alice@ac-test.fr',
      role: '1',
      displayName: 'Alice',
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86399, refresh_token_expires_in: 1209599 });
    const alice = (await running.host.users()).find((u) => u.email === 'alice@ac-test.fr');
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
    expect((await running.host.users()).filter((u) => u.email === 'bob@ac-test.fr').map((u) => u.username)).toEqual([
      'bob',
    ]);
  });

  it('compares emails exactly: Casey@ and casey@ are two accounts on 6.3.3', async () => {
    await signIn({ username: 'casey', email: 'Casey@ac-test.fr' });
    await signIn({ username: 'casey2', email: 'casey@ac-test.fr' });
    expect((await running.host.users()).filter((u) => u.email.toLowerCase() === 'casey@ac-test.fr')).toHaveLength(2);
  });

  it("without userUpdater, an existing user's role never changes", async () => {
    await signIn({ username: 'carol', email: 'carol@ac-test.fr', role: '2' });
    expect((await signIn({ username: 'carol', email: 'carol@ac-test.fr', role: '1' })).status).toBe(200);
    expect((await running.host.users()).find((u) => u.username === 'carol')?.role).toBe(2);
  });

  it('with userUpdater, the role changes; undefined from it fails the login with a not-null validation error', async () => {
    await signIn({ username: 'dave', email: 'dave@ac-test.fr', role: '2' });
    expect((await signIn({ username: 'dave', email: 'dave@ac-test.fr', role: '1', updater: 'new' })).status).toBe(200);
    expect((await running.host.users()).find((u) => u.username === 'dave')?.role).toBe(1);
    const failed = await signIn({ username: 'dave', email: 'dave@ac-test.fr', updater: 'undefined' });
    expect(failed).toMatchObject({
      status: 400,
      body: { code: 'SequelizeValidationError', detail: 'notNull Violation: AccountModel.name cannot be null' },
    });
  });

  it('makes a taken username unique with -1 (root -> root-1), channels and deleted users included', async () => {
    await running.host.createLocalUser({ username: 'root', email: 'root@ac-test.fr', role: 0 });
    await signIn({ username: 'root', email: 'someone@ac-test.fr' });
    await signIn({ username: 'sam_channel', email: 'samc@ac-test.fr' });
    await signIn({ username: 'sam', email: 'sam@ac-test.fr' });
    const users = await running.host.users();
    expect(users.find((u) => u.email === 'someone@ac-test.fr')?.username).toBe('root-1');
    const erin = await signIn({ username: 'erin', email: 'erin@ac-test.fr' });
    expect(erin.status).toBe(200);
    const id = (await running.host.users()).find((u) => u.username === 'erin')?.id ?? 0;
    await running.host.deleteUser(id);
    await signIn({ username: 'erin', email: 'erin.new@ac-test.fr' });
    expect((await running.host.users()).find((u) => u.email === 'erin.new@ac-test.fr')?.username).toBe('erin-1');
  });

  it('refuses (invalid_grant) an email owned by a local user, and a blocked user (access_denied)', async () => {
    const local = await signIn({ username: 'eve', email: 'root@ac-test.fr' });
    expect(local).toMatchObject({ status: 400, body: { code: 'invalid_grant' } });
    await signIn({ username: 'ivan', email: 'ivan@ac-test.fr' });
    await running.host.blockUser((await running.host.users()).find((u) => u.username === 'ivan')?.id ?? 0);
    expect(await signIn({ username: 'ivan', email: 'ivan@ac-test.fr' })).toMatchObject({
      status: 400,
      body: { code: 'access_denied', detail: 'User is blocked.' },
    });
  });

  it('lets a 6.3.3 token be exchanged any number of times within 5 minutes, only with its username', async () => {
    const location = await login({ username: 'frank', email: 'frank@ac-test.fr' });
    const token = location.searchParams.get('externalAuthToken') ?? '';
    for (let i = 0; i < 4; i++) expect((await running.host.exchange(token, 'frank')).status).toBe(200);
    expect(await running.host.exchange(token, 'other')).toMatchObject({
      status: 400,
      body: { code: 'Error', detail: 'Cannot authenticate user frank with invalid username other' },
    });
    expect(await running.host.exchange('0'.repeat(64), 'frank')).toMatchObject({
      status: 400,
      body: { detail: 'Cannot authenticate user with unknown bypass token' },
    });
  });

  it('forgets pending tokens at a restart; the database stays', async () => {
    const location = await login({ username: 'gus', email: 'gus@ac-test.fr' });
    await running.host.restart();
    const answer = await running.host.exchange(location.searchParams.get('externalAuthToken') ?? '', 'gus');
    expect(answer.body.detail).toBe('Cannot authenticate user with unknown bypass token');
    expect((await running.host.users()).some((u) => u.username === 'alice')).toBe(true);
  });

  it('checks Authorization on router routes as a PeerTube token (401/400 in problem+json); an empty one reaches the plugin', async () => {
    const bearer = await get('/plugins/probe/router/echo', { authorization: 'Bearer not-a-token' });
    expect(bearer.status).toBe(401);
    expect(bearer.type).toContain('application/problem+json');
    expect(bearer.json()).toMatchObject({ code: 'invalid_token', detail: 'Token is invalid' });
    expect((await get('/plugins/probe/router/echo', { authorization: 'Basic eDp5' })).json()).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    expect((await get('/plugins/probe/router/echo', { authorization: 'Bearer' })).status).toBe(400);
    expect((await get('/plugins/probe/router/echo', { authorization: '' })).json()).toMatchObject({
      authorization: '',
    });
    expect((await get('/plugins/probe/router/echo', { 'x-custom': 'reaches' })).json()).toMatchObject({
      header: 'reaches',
      user: null,
    });
    const { body } = await signIn({ username: 'gina', email: 'gina@ac-test.fr' });
    const withUser = await get('/plugins/probe/0.0.1/router/echo', { authorization: `Bearer ${body.access_token}` });
    expect(withUser.json()).toMatchObject({ user: 'gina' });
  });

  it('does not check Authorization on the external-auth entry route', async () => {
    const response = await fetch(`${running.host.authUrl('probe')}?username=zed&email=zed@ac-test.fr`, {
      redirect: 'manual',
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toContain('externalAuthToken=');
    expect((await get('/plugins/probe/0.0.1/auth/nope')).json()).toMatchObject({
      status: 404,
      detail: 'No external auths were found for this plugin',
    });
    expect((await get('/plugins/probe/9.9.9/auth/probe')).json()).toMatchObject({
      detail: 'No plugin found named peertube-plugin-probe with version 9.9.9',
    });
  });

  it('has no storageManager.deleteData; getData splits keys on dots, decodes JSON strings, gives null when missing', async () => {
    expect((await get('/plugins/probe/router/storage')).json()).toEqual({
      deleteData: 'undefined',
      dotted: null,
      number: 123456789,
      text: 'hello',
      missing: 'null',
    });
    expect(await running.host.storage()).toMatchObject({ 'user:john.doe': { v: 1 }, number: '123456789' });
  });

  it('settings: defaults until the first save; a save stores exactly what was sent and calls back with it', async () => {
    expect((await get('/plugins/probe/router/settings')).json()).toEqual({
      greeting: 'hello',
      all: { greeting: 'hello', twice: 'two' },
    });
    expect(running.host.registeredSettings.find((s) => s.name === 'twice')?.label).toBe('Second label');
    await running.host.updateSettings({ twice: 'x', 'unknown-key': 42 });
    expect((await get('/plugins/probe/router/settings')).json()).toEqual({
      greeting: null,
      all: { greeting: 'hello', twice: 'x' },
    });
    expect((await get('/plugins/probe/router/echo')).json().seen).toEqual([{ twice: 'x', 'unknown-key': 42 }]);
  });

  it('logs an invalid registerExternalAuth and returns undefined', async () => {
    expect((await get('/plugins/probe/router/invalid-auth')).json()).toEqual({ returned: 'undefined' });
    expect(
      running.host.logs.some((l) => l.level === 'error' && l.message.includes('authDisplayName or onAuthRequest')),
    ).toBe(true);
  });

  it('serves declared client scripts from the package; a declared file that is missing is a 404', async () => {
    const script = await get('/plugins/probe/0.0.1/client-scripts/client/probe.js');
    expect(script.status).toBe(200);
    expect(script.type).toContain('javascript');
    expect((await get('/plugins/probe/0.0.1/client-scripts/client/missing.js')).status).toBe(404);
    expect((await get('/plugins/probe/0.0.1/client-scripts/main.js')).status).toBe(404);
  });

  it('runs action hooks by priority without awaiting them, logs a failing handler, skips an unknown hook', async () => {
    expect(running.host.hooks.get('action:api.video.viewed')).toBe(2);
    expect(running.host.hooks.has('action:api.video.not-a-hook')).toBe(false);
    expect(running.host.logs.some((l) => l.level === 'warn' && l.message.includes('action:api.video.not-a-hook'))).toBe(
      true,
    );
    await running.host.runHook('action:api.video.viewed', { video: { id: 1 } });
    expect((await get('/plugins/probe/router/hooks')).json()).toEqual(['viewed-first', 'viewed']);
    expect(
      running.host.logs.some(
        (l) => l.level === 'error' && l.message.includes('Cannot run hook action:api.video.viewed'),
      ),
    ).toBe(true);
    const hank =
      (await signIn({ username: 'hank', email: 'hank@ac-test.fr' })) &&
      (await running.host.users()).find((u) => u.username === 'hank');
    await running.host.deleteUser(hank?.id ?? 0);
    expect((await get('/plugins/probe/router/hooks')).json()).not.toContain('deleted hank');
    await running.host.hooksSettled();
    expect((await get('/plugins/probe/router/hooks')).json()).toContain('deleted hank');
  });

  it("lets a plugin import PeerTube's own modules from beside process.argv[1], with 6.3.3's members", async () => {
    expect((await get('/plugins/probe/router/process')).json()).toEqual({
      server: true,
      inbox: { processed: 'number', successes: 'number', errors: 'number', waiting: 'number' },
      viewers: 'number',
    });
  });

  it('gives plugins Sequelize: escaped :named replacements, multi-statement strings, SET LOCAL kept to the query', async () => {
    expect((await get(`/plugins/probe/router/query?word=${encodeURIComponent("it's")}`)).json()).toEqual({
      rows: [{ word: "it's", slept: true }],
    });
    const slow = await get('/plugins/probe/router/query?word=x&sleep=2');
    expect(slow.status).toBe(500);
    expect(slow.json().error).toContain('statement timeout');
  });

  it("takes req.ip from X-Forwarded-For only behind a loopback proxy (PeerTube's default trust_proxy)", async () => {
    const ip = async (headers: Record<string, string>) => (await get('/plugins/probe/router/ip', headers)).json().ip;
    expect(await ip({})).toBe('127.0.0.1');
    expect(await ip({ 'x-forwarded-for': '203.0.113.7' })).toBe('203.0.113.7');
    expect(await ip({ 'x-forwarded-for': '203.0.113.7, 198.51.100.2' })).toBe('198.51.100.2');
  });

  it('calls onLogout at token revocation and answers its redirectUrl; an onLogout error gives success without one', async () => {
    const { body } = await signIn({ username: 'hugo', email: 'hugo@ac-test.fr' });
    expect((await running.host.revoke(String(body.access_token))).body).toEqual({
      success: true,
      redirectUrl: 'https://idp.example/logout?user=hugo',
    });
    expect(await running.host.revoke(String(body.access_token))).toMatchObject({
      status: 401,
      body: { code: 'invalid_token' },
    });
    const throwing = await signIn({ username: 'throwy', email: 'throwy@ac-test.fr' });
    expect((await running.host.revoke(String(throwing.body.access_token))).body).toEqual({ success: true });
    expect(running.host.logs.some((l) => l.level === 'warn' && l.message.includes('onLogout failed on purpose'))).toBe(
      true,
    );
  });

  it("asks the plugin's hookTokenValidity at each request: only valid === true passes, a throw counts as valid", async () => {
    const me = async (username: string) => {
      const { body } = await signIn({ username, email: `${username}@ac-test.fr` });
      return (await running.host.me(String(body.access_token))).status;
    };
    expect(await me('kept')).toBe(200);
    expect(await me('refused')).toBe(401);
    expect(await me('vague')).toBe(401);
    expect(await me('broken')).toBe(200);
    expect(running.host.logs.some((l) => l.message.includes('validity check failed on purpose'))).toBe(true);
  });

  it('keeps an access token once read in its cache: deleting its row does not end it, revoking it does', async () => {
    const { body } = await signIn({ username: 'cached', email: 'cached@ac-test.fr' });
    const token = String(body.access_token);
    expect((await running.host.me(token)).status).toBe(200);
    const pool = new pg.Pool({ connectionString: running.database.url, max: 1 });
    try {
      await pool.query('DELETE FROM "oAuthToken" WHERE "accessToken" = $1', [token]);
    } finally {
      await pool.end();
    }
    expect((await running.host.me(token)).status).toBe(200);
    const other = await signIn({ username: 'uncached', email: 'uncached@ac-test.fr' });
    const revoked = await running.host.revoke(String(other.body.access_token));
    expect(revoked.status).toBe(200);
    expect((await running.host.me(String(other.body.access_token))).status).toBe(401);
  });

  // Last: a real PeerTube exits here.
  it('stops answering after a plugin route rejects unhandled, as the PeerTube process exits', async () => {
    await fetch(`${running.host.url}/plugins/probe/router/crash`).catch(() => undefined);
    await expect.poll(() => running.host.crashed?.message).toBe('crash on purpose');
    await expect(fetch(`${running.host.url}/api/v1/config`)).rejects.toThrow();
    expect(running.host.logs.some((l) => l.message === 'uncaughtException: crash on purpose')).toBe(true);
  });
});

describe('strict PeerTube host, as PeerTube 8.2.4', () => {
  let running: { host: PeerTubeHost; database: TestDatabase; dir: TempDir };
  const { login, signIn, get } = helpers(() => running.host);
  beforeAll(async () => {
    running = await withHost('8.2.4');
  });
  afterAll(async () => {
    await running?.host.close();
    await running?.database.drop();
    await running?.dir.remove();
  });

  it('has storageManager.deleteData', async () => {
    expect((await get('/plugins/probe/router/storage')).json().deleteData).toBe('function');
  });

  it('lets a token be exchanged once', async () => {
    const location = await login({ username: 'frank', email: 'frank@ac-test.fr' });
    const token = location.searchParams.get('externalAuthToken') ?? '';
    expect((await running.host.exchange(token, 'frank')).status).toBe(200);
    expect((await running.host.exchange(token, 'frank')).status).toBe(400);
  });

  it('checks every defined optional field: an empty display name is refused', async () => {
    const location = await login({ username: 'dn', email: 'dn@ac-test.fr', displayName: '' });
    expect(location.search).toBe('?externalAuthError=true');
  });

  it('finds users by email ignoring case', async () => {
    await signIn({ username: 'casey', email: 'Casey@ac-test.fr' });
    await signIn({ username: 'casey2', email: 'casey@ac-test.fr' });
    expect((await running.host.users()).filter((u) => u.email.toLowerCase() === 'casey@ac-test.fr')).toHaveLength(1);
  });

  it('redirects to externalRedirectUri, unchecked (the plugin must check it)', async () => {
    const location = await login({ username: 'app', email: 'app@ac-test.fr', redirect: 'peertube://anything' });
    expect(location.protocol).toBe('peertube:');
    expect(location.searchParams.get('externalAuthToken')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('installing a plugin folder', () => {
  it('keeps the plugin row at uninstall: a reinstalled plugin finds its settings and storage again', async () => {
    const first = await withHost('6.3.3');
    try {
      await first.host.updateSettings({ greeting: 'kept' });
      await fetch(`${first.host.url}/plugins/probe/router/store?key=k&v=kept`);
      await first.host.close();
      const again = await startPeerTubeHost({
        databaseUrl: first.database.url,
        pluginDir: probe,
        dataDir: first.dir.path,
      });
      try {
        expect(await again.storage()).toMatchObject({ k: { v: 'kept' } });
        expect(await (await fetch(`${again.url}/plugins/probe/router/settings`)).json()).toMatchObject({
          greeting: 'kept',
        });
      } finally {
        await again.close();
      }
    } finally {
      await first.database.drop();
      await first.dir.remove();
    }
  });

  it('refuses a folder not named like its package, saying how to fix it (PeerTube takes the folder name)', async () => {
    const database = await createTestDatabase('peertube');
    const dir = await tempDir('peertube-host-');
    try {
      const wrong = join(dir.path, 'package');
      mkdirSync(wrong);
      cpSync(probe, wrong, { recursive: true });
      await expect(
        startPeerTubeHost({ databaseUrl: database.url, pluginDir: wrong, dataDir: dir.path }),
      ).rejects.toThrow(/folder named "peertube-plugin-probe"/);
    } finally {
      await database.drop();
      await dir.remove();
    }
  });

  it('rate-limits plugin routes, the auth entry included (429 past the limit)', async () => {
    const running = await withHost('6.3.3', { plugins: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${running.host.url}/plugins/probe/router/ip`)).status);
      const auth = await fetch(`${running.host.authUrl('probe')}?username=a&email=a@b.fr`, { redirect: 'manual' });
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(auth.status).toBe(429);
      expect(await auth.text()).toBe('Too many requests, please try again later.');
    } finally {
      await running.host.close();
      await running.database.drop();
      await running.dir.remove();
    }
  });
});
