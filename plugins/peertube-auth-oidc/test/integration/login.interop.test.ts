import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingDeclaredFiles, packedFiles } from '@apps-education/build';
import {
  artefact,
  createUserAgent,
  type OidcProviderHandle,
  type PeerTubeHost,
  type PeerTubeVersion,
  type PluginInHost,
  signInThroughForm,
  startOidcProvider,
  startPluginInHost,
  type TestUser,
  type UserAgent,
} from '@apps-education/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NPM_NAME = 'peertube-plugin-apps-auth-oidc';

const CALLBACK = '/plugins/apps-auth-oidc/router/callback';
const LINKS = 'plugin_apps_auth_oidc_accounts';

function person(sub: string, username: string, email: string, extra: Partial<TestUser> = {}): TestUser {
  return {
    sub,
    username,
    password: 'x',
    email,
    givenName: 'Test',
    familyName: username,
    groups: ['member_x'],
    ...extra,
  };
}

/**
 * The tarball `pnpm build` ships, installed in the strict PeerTube host (as 6.3.3, the oldest supported version, and
 * as 8.2.4), signing people in through the testkit's Keycloak-shaped OpenID provider.
 */
describe.each<PeerTubeVersion>(['6.3.3', '8.2.4'])('peertube-plugin-apps-auth-oidc in PeerTube %s', (version) => {
  let running: PluginInHost;
  let idp: OidcProviderHandle;
  let host: PeerTubeHost;
  let db: pg.Pool;
  const clientId = `peertube-${version}`;
  const GOOD = () => ({
    issuer: idp.issuer,
    'client-id': clientId,
    'client-secret': 'peertube-secret',
    'role-rules': 'admin_* = moderator\nmember_* = user',
    'allowed-groups': 'admin_*, member_*',
    'quota-rules': 'admin_* = 10 GB, 1 GB\nmember_* = 1 GB',
    'external-redirect-uris': 'peertube://auth',
  });

  beforeAll(async () => {
    idp = await startOidcProvider({ loginHint: false });
    running = await startPluginInHost(NPM_NAME, { version });
    host = running.host;
    db = new pg.Pool({ connectionString: running.database.url, max: 2 });
    idp.addClient({
      client_id: clientId,
      client_secret: 'peertube-secret',
      redirect_uris: [`${host.url}${CALLBACK}`],
      post_logout_redirect_uris: [host.url],
      id_token_signed_response_alg: 'ES256',
    });
    await host.updateSettings(GOOD());
  });
  afterAll(async () => {
    await db?.end();
    await running?.close();
    await idp?.close();
  });

  /** Signs in at PeerTube's external-auth URL, then exchanges the token as PeerTube's login page does. */
  async function login(username: string, password = username, agent: UserAgent = createUserAgent()) {
    const { last, location } = await signInThroughForm(
      agent,
      host.authUrl('apps-oidc'),
      (u) => new URL(u).pathname === '/login',
      username,
      password,
    );
    if (!location) return { page: last, agent };
    const target = new URL(location);
    const token = await host.exchange(
      target.searchParams.get('externalAuthToken') ?? '',
      target.searchParams.get('username') ?? '',
    );
    await host.hooksSettled();
    return { page: last, agent, token, target };
  }
  const userByEmail = async (email: string) => (await host.users()).find((u) => u.email === email);
  const links = async () => (await db.query(`SELECT subject, user_id, email FROM ${LINKS} ORDER BY subject`)).rows;

  it('registers its settings, all private but the automatic redirection, the secret as a password input', () => {
    expect(host.registeredSettings.filter((s) => s.private !== true).map((s) => s.name)).toEqual(['auto-redirect']);
    expect(host.registeredSettings.find((s) => s.name === 'client-secret')?.type).toBe('input-password');
    expect(host.registeredSettings.map((s) => s.name)).toContain('external-redirect-uris');
    expect(host.registeredSettings.find((s) => s.name === 'require-verified-email')?.default).toBe(true);
    expect(host.externalAuths.get('apps-oidc')?.authDisplayName()).toBe('apps.education.fr');
  });

  it('first login creates the user with the mapped username, role and quota', async () => {
    const { token } = await login('alice');
    expect(token?.status).toBe(200);
    expect(await userByEmail('alice@ac-test.fr')).toMatchObject({
      username: 'alice',
      role: 1,
      videoQuota: 10 * 1024 ** 3,
      videoQuotaDaily: 1024 ** 3,
      displayName: 'Alice Martin',
    });
  });

  it("links the account by PeerTube's user id, in the plugin's own table, nothing in storageManager", async () => {
    const alice = await userByEmail('alice@ac-test.fr');
    expect(await links()).toContainEqual({
      subject: 'f3b7c2a0-1111-4c1e-9a55-0000000000a1',
      user_id: alice?.id,
      email: 'alice@ac-test.fr',
    });
    expect(await host.storage()).toBeNull();
  });

  it('a later login after a group change updates role and quota (userUpdater)', async () => {
    const index = idp.users.findIndex((u) => u.username === 'bob');
    const bob = idp.users[index];
    if (!bob) throw new Error('no bob');
    await login('bob');
    expect(await userByEmail('bob@ac-test.fr')).toMatchObject({ role: 2, videoQuota: 1024 ** 3 });
    idp.users[index] = { ...bob, groups: ['admin_sciences'] };
    try {
      await login('bob');
      expect(await userByEmail('bob@ac-test.fr')).toMatchObject({ role: 1, videoQuota: 10 * 1024 ** 3 });
    } finally {
      idp.users[index] = bob;
    }
  });

  it('the group gate refuses a person outside the allowed groups with a clear page', async () => {
    const { page, token } = await login('Chloe.Lefevre', 'chloe');
    expect(token).toBeUndefined();
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('Votre compte n&#39;a pas accès à cette plateforme vidéo.');
  });

  it('an email change at the IdP keeps the account', async () => {
    const before = await userByEmail('alice@ac-test.fr');
    const index = idp.users.findIndex((u) => u.username === 'alice');
    const alice = idp.users[index];
    if (!alice) throw new Error('no alice');
    idp.users[index] = { ...alice, email: 'alice.martin@ac-nouvelle.fr' };
    try {
      const { token } = await login('alice');
      expect(token?.status).toBe(200);
      const users = await host.users();
      expect(users.filter((u) => u.username.startsWith('alice'))).toHaveLength(1);
      expect(users.find((u) => u.username === 'alice')?.id).toBe(before?.id);
    } finally {
      idp.users[index] = alice;
    }
  });

  it('two people whose names collide: PeerTube suffixes the second (-1), who keeps it; each is linked to their own', async () => {
    idp.users.push(person('sub-jean-1', 'Jean.Dupont', 'jean.dupont@ac-test.fr'));
    idp.users.push(person('sub-jean-2', 'jean.dupont@ac-autre.fr', 'jdupont@ac-autre.fr'));
    await login('Jean.Dupont', 'x');
    await login('jean.dupont@ac-autre.fr', 'x');
    await login('jean.dupont@ac-autre.fr', 'x');
    const first = await userByEmail('jean.dupont@ac-test.fr');
    const second = await userByEmail('jdupont@ac-autre.fr');
    expect(first?.username).toBe('jean.dupont');
    expect(second?.username).toBe('jean.dupont-1');
    const rows = await links();
    expect(rows.find((r) => r.subject === 'sub-jean-1')?.user_id).toBe(first?.id);
    expect(rows.find((r) => r.subject === 'sub-jean-2')?.user_id).toBe(second?.id);
  });

  it('a username taken by a local account (root): the person gets root-1, logs out at the IdP, and is erased with it', async () => {
    await host.createLocalUser({ username: 'root', email: 'admin@ac-test.fr', role: 0 });
    idp.users.push(person('sub-root', 'root', 'root.person@ac-test.fr'));
    const { token } = await login('root', 'x');
    const user = await userByEmail('root.person@ac-test.fr');
    expect(user?.username).toBe('root-1');
    const revoked = await host.revoke(String(token?.body.access_token));
    expect(String(revoked.body.redirectUrl)).toContain('/protocol/openid-connect/logout');
    await host.deleteUser(user?.id ?? 0);
    await host.hooksSettled();
    expect((await links()).some((r) => r.subject === 'sub-root')).toBe(false);
  });

  it('a numeric subject is linked and erased like any other', async () => {
    idp.users.push(person('123456789', 'numeric', 'numeric@ac-test.fr'));
    await login('numeric', 'x');
    const user = await userByEmail('numeric@ac-test.fr');
    expect((await links()).find((r) => r.subject === '123456789')?.user_id).toBe(user?.id);
    await host.deleteUser(user?.id ?? 0);
    await host.hooksSettled();
    expect((await links()).some((r) => r.subject === '123456789')).toBe(false);
  });

  it('erases the link when the PeerTube account is deleted, even with the plugin not running (foreign key)', async () => {
    idp.users.push(person('sub-gone', 'gone', 'gone@ac-test.fr'));
    await login('gone', 'x');
    const user = await userByEmail('gone@ac-test.fr');
    await db.query('DELETE FROM "user" WHERE id = $1', [user?.id]);
    expect((await links()).some((r) => r.subject === 'sub-gone')).toBe(false);
  });

  it('account takeover: a second IdP account claiming a linked email is refused, the victim untouched', async () => {
    idp.users.push(person('sub-mallory', 'mallory', 'bob@ac-test.fr'));
    const bobBefore = await userByEmail('bob@ac-test.fr');
    const { page, token } = await login('mallory', 'x');
    expect(token).toBeUndefined();
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('Un autre compte du fournisseur d&#39;identité se connecte déjà');
    expect(await userByEmail('bob@ac-test.fr')).toEqual(bobBefore);
    expect((await links()).some((r) => r.subject === 'sub-mallory')).toBe(false);
  });

  it('account takeover: the same email in other letter case is the same email', async () => {
    idp.users.push(person('sub-mallory-2', 'mallory2', 'BOB@AC-TEST.FR'));
    const { page } = await login('mallory2', 'x');
    expect(page?.status).toBe(403);
  });

  it('account takeover: a linked person changing their IdP email to a victim’s still gets only their own account', async () => {
    idp.users.push(person('sub-trudy', 'trudy', 'trudy@ac-test.fr'));
    await login('trudy', 'x');
    const index = idp.users.findIndex((u) => u.sub === 'sub-trudy');
    idp.users[index] = person('sub-trudy', 'trudy', 'bob@ac-test.fr');
    const { target } = await login('trudy', 'x');
    expect(target?.searchParams.get('username')).toBe('trudy');
    expect((await host.users()).find((u) => u.username === 'trudy')?.email).toBe('trudy@ac-test.fr');
  });

  it('an email the IdP has not verified is refused at the first sign-in', async () => {
    idp.users.push(person('sub-unverified', 'unverified', 'unverified@ac-test.fr', { emailVerified: false }));
    const { page } = await login('unverified', 'x');
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('n&#39;a pas vérifié votre adresse électronique');
    expect(await userByEmail('unverified@ac-test.fr')).toBeUndefined();
  });

  it('the administrator can accept an IdP that never sends email_verified', async () => {
    idp.users.push(person('sub-silent', 'silent', 'silent@ac-test.fr', { emailVerified: null }));
    expect((await login('silent', 'x')).page?.status).toBe(403);
    await host.updateSettings({ ...GOOD(), 'require-verified-email': false });
    try {
      expect((await login('silent', 'x')).token?.status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('refuses, with a page saying what to do, a first sign-in whose email is a local account’s', async () => {
    idp.users.push(person('sub-admin-twin', 'admintwin', 'admin@ac-test.fr'));
    const { page } = await login('admintwin', 'x');
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('ne passe pas par le fournisseur d&#39;identité');
  });

  it('works with a public client and PKCE (no secret)', async () => {
    idp.addClient({
      client_id: `${clientId}-public`,
      redirect_uris: [`${host.url}${CALLBACK}`],
      token_endpoint_auth_method: 'none',
    });
    await host.updateSettings({ ...GOOD(), 'client-id': `${clientId}-public`, 'client-secret': '' });
    try {
      expect((await login('alice')).token?.status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('keeps signing people in while the IdP rotates its ES256 keys', async () => {
    expect((await login('alice')).token?.status).toBe(200);
    idp.rotateKeys();
    expect((await login('alice')).token?.status).toBe(200);
  });

  it('a login started before a PeerTube restart completes after it', async () => {
    const agent = createUserAgent();
    const { location } = await signInThroughForm(agent, host.authUrl('apps-oidc'), (u) => u.includes(CALLBACK), 'bob');
    await host.restart();
    const answer = await agent.request(location ?? '');
    expect(answer.location).toContain('externalAuthToken=');
  });

  it('a login started on one PeerTube process completes on another one sharing the database', async () => {
    // Behind one load balancer: both processes have the same public address (PeerTube's webserver setting).
    const second = await startPluginInHost(NPM_NAME, { version, database: running.database, webserverUrl: host.url });
    try {
      await second.host.updateSettings(GOOD());
      const agent = createUserAgent();
      const { location } = await signInThroughForm(
        agent,
        host.authUrl('apps-oidc'),
        (u) => u.includes(CALLBACK),
        'bob',
      );
      // The load balancer sends the callback to the other process: same address, same cookie.
      const cookie = agent.cookies(new URL(host.url).host).get('apps-oidc-login') ?? '';
      const callback = new URL(location ?? '');
      const answer = await fetch(`${second.host.url}${callback.pathname}${callback.search}`, {
        headers: { cookie: `apps-oidc-login=${cookie}` },
        redirect: 'manual',
      });
      expect(answer.headers.get('location')).toContain('externalAuthToken=');
    } finally {
      await second.close();
    }
  });

  it('keeps nothing for anonymous visitors: 1,000 visits of the sign-in URL store nothing', async () => {
    const count = async () =>
      Number((await db.query('SELECT (SELECT count(*) FROM plugin_apps_auth_oidc_logins) AS n')).rows[0]?.n);
    const before = await count();
    // From 20 addresses behind PeerTube's proxy: one address past 500 requests in 10 s gets PeerTube's 429.
    for (let i = 0; i < 1000; i += 50) {
      const headers = { 'x-forwarded-for': `203.0.113.${i / 50 + 1}` };
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => fetch(host.authUrl('apps-oidc'), { redirect: 'manual', headers })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(302));
    }
    expect(await count()).toBe(before);
    expect(await host.storage()).toBeNull();
  });

  it('the anonymous requests that stopped PeerTube 6.3 now get a page, and PeerTube keeps answering', async () => {
    const agent = createUserAgent();
    const start = await agent.request(host.authUrl('apps-oidc'));
    const state = new URL(start.location ?? '').searchParams.get('state') ?? '';
    for (const path of [
      `${CALLBACK}?state=${state}&code=forged`,
      `${CALLBACK}?state=${state}&error=access_denied`,
      `${CALLBACK}?code=x`,
      `${CALLBACK}`,
    ]) {
      expect((await agent.request(`${host.url}${path}`)).status).toBe(400);
    }
    const garbage = await fetch(`${host.url}${CALLBACK}?state=a&code=b`, {
      headers: { cookie: 'apps-oidc-login=v1.AAAA' },
    });
    expect(garbage.status).toBe(400);
    expect(host.crashed).toBeNull();
    expect((await fetch(`${host.url}/api/v1/config`)).status).toBe(200);
  });

  it('a replayed callback is refused by the plugin', async () => {
    const agent = createUserAgent();
    const { hops } = await signInThroughForm(
      agent,
      host.authUrl('apps-oidc'),
      (u) => new URL(u).pathname === '/login',
      'alice',
    );
    const callback = hops.find((h) => h.url.includes(CALLBACK));
    expect(callback?.location).toContain('externalAuthToken=');
    const tokenCalls = idp.requests.get('token');
    const replay = await agent.request(callback?.url ?? '');
    expect(replay.status).toBe(400);
    // The plugin's own refusal ("already used" or expired login), before the provider is asked again.
    expect(replay.body).toContain('a déjà été utilisée');
    expect(replay.body).not.toContain('pas pu confirmer');
    expect(idp.requests.get('token')).toBe(tokenCalls);
  });

  it('serves the login page script from the installed package (every file the manifest declares is in the tarball)', async () => {
    const tarball = artefact(`${NPM_NAME}-`);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.clientScripts).toEqual([{ script: 'dist/client/login.js', scopes: ['login'] }]);
    expect(missingDeclaredFiles(manifest, packedFiles(tarball))).toEqual([]);
    const script = await fetch(
      `${host.url}/plugins/apps-auth-oidc/${host.pluginVersion}/client-scripts/dist/client/login.js`,
    );
    expect(script.status).toBe(200);
    expect(await script.text()).toContain('action:login.init');
    expect(readFileSync(join(host.installed.path, 'dist', 'client', 'login.js'), 'utf8')).toContain(
      'action:login.init',
    );
  });

  it('logout sends the person to the IdP with client_id and post_logout_redirect_uri (no ID token kept)', async () => {
    const { token } = await login('alice');
    const revoked = await host.revoke(String(token?.body.access_token));
    const redirect = new URL(String(revoked.body.redirectUrl));
    expect(redirect.href.startsWith(`${idp.issuer}/protocol/openid-connect/logout`)).toBe(true);
    expect(redirect.searchParams.get('client_id')).toBe(clientId);
    expect(redirect.searchParams.get('post_logout_redirect_uri')).toBe(host.url);
    expect(redirect.searchParams.has('id_token_hint')).toBe(false);
    // The IdP accepts it: its logout page answers, no error.
    const page = await fetch(redirect.href);
    expect(page.status).toBe(200);
  });

  it('a missing state is refused with a page', async () => {
    const response = await fetch(`${host.url}${CALLBACK}?code=x`);
    expect(response.status).toBe(400);
  });

  it('a callback URL opened in another browser (login CSRF) is refused', async () => {
    const attacker = createUserAgent();
    const { location } = await signInThroughForm(
      attacker,
      host.authUrl('apps-oidc'),
      (u) => u.includes(CALLBACK),
      'bob',
    );
    const page = await createUserAgent().request(location ?? '');
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });

  it('refuses a person whose IdP account has no email, naming the claim', async () => {
    idp.users.push({
      sub: 'sub-noemail',
      username: 'noemail',
      password: 'x',
      givenName: 'S',
      familyName: 'C',
      groups: ['member_x'],
    });
    const { page, token } = await login('noemail', 'x');
    expect(token).toBeUndefined();
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('« email »');
  });

  it('an IdP that is down gives a clear page and leaves PeerTube answering', async () => {
    await host.updateSettings({
      issuer: 'http://127.0.0.1:1/realms/apps',
      'client-id': 'peertube',
      'client-secret': 'x',
    });
    try {
      const response = await fetch(host.authUrl('apps-oidc'), { redirect: 'manual' });
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('ne répond pas');
      expect((await fetch(`${host.url}/login`)).status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('refuses bad settings, logs why in French and English, and offers no button meanwhile', async () => {
    await host.updateSettings({ issuer: 'not a url', 'client-id': '' });
    expect(host.externalAuths.has('apps-oidc')).toBe(false);
    const errors = host.logs
      .filter((l) => l.level === 'error')
      .map((l) => l.message)
      .join('\n');
    expect(errors).toContain("L'émetteur (issuer) est vide");
    expect(errors).toContain('The issuer is empty');
    await host.updateSettings(GOOD());
    expect(host.externalAuths.has('apps-oidc')).toBe(true);
  });

  it('never took PeerTube down during these tests', () => {
    expect(host.crashed).toBeNull();
  });
});

describe('peertube-plugin-apps-auth-oidc on PeerTube 8.2.4 only', () => {
  let running: PluginInHost;
  let idp: OidcProviderHandle;
  beforeAll(async () => {
    idp = await startOidcProvider({ loginHint: false });
    running = await startPluginInHost(NPM_NAME, { version: '8.2.4' });
    idp.addClient({ client_id: 'pt8', client_secret: 's8', redirect_uris: [`${running.host.url}${CALLBACK}`] });
    await running.host.updateSettings({
      issuer: idp.issuer,
      'client-id': 'pt8',
      'client-secret': 's8',
      'external-redirect-uris': 'peertube://auth',
    });
  });
  afterAll(async () => {
    await running?.close();
    await idp?.close();
  });

  it('passes the IdP subject as externalId, which PeerTube keeps on the account', async () => {
    const { location } = await signInThroughForm(
      createUserAgent(),
      running.host.authUrl('apps-oidc'),
      (u) => new URL(u).pathname === '/login',
      'alice',
    );
    const target = new URL(location ?? '');
    await running.host.exchange(target.searchParams.get('externalAuthToken') ?? '', 'alice');
    expect((await running.host.users()).find((u) => u.username === 'alice')?.pluginAuthExternalId).toBe(
      'f3b7c2a0-1111-4c1e-9a55-0000000000a1',
    );
  });

  it('sends an app back to an allowed externalRedirectUri, and ignores any other', async () => {
    const stop = (u: string) =>
      u.startsWith('peertube://') || u.startsWith('https://evil.fr') || new URL(u).pathname === '/login';
    const allowed = await signInThroughForm(
      createUserAgent(),
      `${running.host.authUrl('apps-oidc')}?externalRedirectUri=${encodeURIComponent('peertube://auth')}`,
      stop,
      'alice',
    );
    expect(allowed.location).toMatch(/^peertube:\/\/auth\?externalAuthToken=[0-9a-f]{64}&username=alice$/);
    const other = await signInThroughForm(
      createUserAgent(),
      `${running.host.authUrl('apps-oidc')}?externalRedirectUri=${encodeURIComponent('https://evil.fr/steal')}`,
      stop,
      'alice',
    );
    expect(new URL(other.location ?? '').pathname).toBe('/login');
  });
});

describe('upgrading from 0.1.0, which kept account links in storageManager', () => {
  it('moves the links to its table and empties its storage row; the account is kept after an IdP email change', async () => {
    const idp = await startOidcProvider({ loginHint: false });
    const subject = 'f3b7c2a0-2222-4c1e-9a55-0000000000b2';
    const running = await startPluginInHost(NPM_NAME, {
      beforeInstall: async (url) => {
        // What 0.1.0 left behind: its plugin row with per-person keys, and the account it made.
        const seed = new pg.Client({ connectionString: url });
        await seed.connect();
        try {
          const { PEERTUBE_SCHEMA } = await import('@apps-education/testkit');
          await seed.query(PEERTUBE_SCHEMA);
          await seed.query(`INSERT INTO actor (type, "preferredUsername") VALUES ('Person', 'bob')`);
          await seed.query(
            `INSERT INTO "user" (username, email, "pluginAuth") VALUES ('bob', 'bob@ac-test.fr', '${NPM_NAME}')`,
          );
          await seed.query(`INSERT INTO account (name, "userId", "actorId") VALUES ('Bob', 1, 1)`);
          await seed.query(
            `INSERT INTO plugin (name, type, version, "peertubeEngine", homepage, storage)
             VALUES ('apps-auth-oidc', 1, '0.1.0', '>=6.3.0', 'https://apps.education.fr', $1)`,
            [
              JSON.stringify({
                [`link:${subject}`]: { subject, username: 'bob', email: 'bob@ac-test.fr' },
                'username:bob': subject,
                'session:bob': { idToken: 'eyJ...' },
                'login:abc': { state: 'abc' },
              }),
            ],
          );
        } finally {
          await seed.end();
        }
      },
    });
    try {
      const { host } = running;
      expect(await host.storage()).toBeNull();
      idp.addClient({ client_id: 'pt', client_secret: 's', redirect_uris: [`${host.url}${CALLBACK}`] });
      await host.updateSettings({ issuer: idp.issuer, 'client-id': 'pt', 'client-secret': 's' });
      const index = idp.users.findIndex((u) => u.sub === subject);
      const bob = idp.users[index] as TestUser;
      idp.users[index] = { ...bob, email: 'bob.durand@ac-nouvelle.fr' };
      const { location } = await signInThroughForm(
        createUserAgent(),
        host.authUrl('apps-oidc'),
        (u) => new URL(u).pathname === '/login',
        'bob',
      );
      const target = new URL(location ?? '');
      expect(target.searchParams.get('username')).toBe('bob');
      expect((await host.exchange(target.searchParams.get('externalAuthToken') ?? '', 'bob')).status).toBe(200);
      expect((await host.users()).filter((u) => u.pluginAuth === NPM_NAME).map((u) => u.email)).toEqual([
        'bob@ac-test.fr',
      ]);
    } finally {
      await running.close();
      await idp.close();
    }
  });
});
