import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createUserAgent,
  type OidcProviderHandle,
  type PeerTubeHost,
  signInThroughForm,
  startOidcProvider,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PluginInHost, pluginDir, startPluginInHost } from './plugin-in-host.js';

/**
 * The built plugin (one CommonJS file, as published) in the strict PeerTube host, signing people in through the
 * testkit's Keycloak-shaped OpenID provider.
 */
describe('peertube-plugin-apps-auth-oidc in PeerTube', () => {
  let running: PluginInHost;
  let idp: OidcProviderHandle;
  let host: PeerTubeHost;
  const GOOD = () => ({
    issuer: idp.issuer,
    'client-id': 'peertube',
    'client-secret': 'peertube-secret',
    'role-rules': 'admin_* = moderator\nmember_* = user',
    'allowed-groups': 'admin_*, member_*',
    'quota-rules': 'admin_* = 10 GB, 1 GB\nmember_* = 1 GB',
  });

  beforeAll(async () => {
    idp = await startOidcProvider({ loginHint: false });
    running = await startPluginInHost();
    host = running.host;
    idp.addClient({
      client_id: 'peertube',
      client_secret: 'peertube-secret',
      redirect_uris: [`${host.url}/plugins/apps-auth-oidc/router/callback`],
      post_logout_redirect_uris: [host.url],
      id_token_signed_response_alg: 'ES256',
    });
    await host.updateSettings(GOOD());
  });
  afterAll(async () => {
    await running?.close();
    await idp?.close();
  });

  /** Signs in at PeerTube's external-auth URL, then exchanges the token as PeerTube's login page does. */
  async function login(username: string, password = username) {
    const agent = createUserAgent();
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
    return { page: last, agent, token, target };
  }

  it('registers private settings (but the automatic redirection), the secret as a password input', () => {
    expect(host.registeredSettings.filter((s) => s.private !== true).map((s) => s.name)).toEqual(['auto-redirect']);
    expect(host.registeredSettings.find((s) => s.name === 'client-secret')?.type).toBe('input-password');
    expect(host.externalAuths.get('apps-oidc')?.authDisplayName()).toBe('apps.education.fr');
  });

  it('first login creates the user with the mapped username, role and quota', async () => {
    const { token } = await login('alice');
    expect(token?.status).toBe(200);
    const alice = (await host.users()).find((u) => u.email === 'alice@ac-test.fr');
    expect(alice).toMatchObject({
      username: 'alice',
      role: 1,
      videoQuota: 10 * 1024 ** 3,
      videoQuotaDaily: 1024 ** 3,
      displayName: 'Alice Martin',
    });
  });

  it('a later login after a group change updates role and quota (userUpdater)', async () => {
    const index = idp.users.findIndex((u) => u.username === 'bob');
    const bob = idp.users[index];
    if (!bob) throw new Error('no bob');
    await login('bob');
    expect((await host.users()).find((u) => u.email === 'bob@ac-test.fr')).toMatchObject({
      role: 2,
      videoQuota: 1024 ** 3,
    });
    idp.users[index] = { ...bob, groups: ['admin_sciences'] };
    try {
      await login('bob');
      expect((await host.users()).find((u) => u.email === 'bob@ac-test.fr')).toMatchObject({
        role: 1,
        videoQuota: 10 * 1024 ** 3,
      });
    } finally {
      idp.users[index] = bob;
    }
  });

  it('the group gate refuses a person outside the allowed groups with a clear page', async () => {
    const { page, token } = await login('Chloe.Lefevre', 'chloe');
    expect(token).toBeUndefined();
    expect(page?.status).toBe(403);
    expect(page?.body).toContain("Votre compte n'a pas accès à cette plateforme vidéo.".replace("'", '&#39;'));
  });

  it('an email change at the IdP keeps the account', async () => {
    await login('alice');
    const before = (await host.users()).find((u) => u.username === 'alice');
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

  it('two IdP users colliding on one username: the second gets name-2, and keeps it', async () => {
    const base = { password: 'x', givenName: 'Jean', familyName: 'Dupont', groups: ['member_sciences'] };
    idp.users.push({ ...base, sub: 'sub-jean-1', username: 'Jean.Dupont', email: 'jean.dupont@ac-test.fr' });
    idp.users.push({ ...base, sub: 'sub-jean-2', username: 'jean.dupont@ac-autre.fr', email: 'jdupont@ac-autre.fr' });
    await login('Jean.Dupont', 'x');
    await login('jean.dupont@ac-autre.fr', 'x');
    await login('jean.dupont@ac-autre.fr', 'x');
    const users = await host.users();
    expect(users.find((u) => u.email === 'jean.dupont@ac-test.fr')?.username).toBe('jean.dupont');
    expect(users.find((u) => u.email === 'jdupont@ac-autre.fr')?.username).toBe('jean.dupont-2');
  });

  it('works with a public client and PKCE (no secret)', async () => {
    idp.addClient({
      client_id: 'peertube-public',
      redirect_uris: [`${host.url}/plugins/apps-auth-oidc/router/callback`],
      token_endpoint_auth_method: 'none',
    });
    await host.updateSettings({
      issuer: idp.issuer,
      'client-id': 'peertube-public',
      'allowed-groups': 'admin_*, member_*',
    });
    try {
      const { token } = await login('alice');
      expect(token?.status).toBe(200);
    } finally {
      await host.updateSettings(GOOD());
    }
  });

  it('keeps signing people in while the IdP rotates its ES256 keys', async () => {
    expect((await login('alice')).token?.status).toBe(200);
    idp.rotateKeys();
    expect((await login('alice')).token?.status).toBe(200);
  });

  it('ships the login page script in the package, declared for the login scope', async () => {
    const manifest = JSON.parse(readFileSync(join(pluginDir, 'dist', 'package', 'package.json'), 'utf8'));
    expect(manifest.clientScripts).toEqual([{ script: 'dist/client/login.js', scopes: ['login'] }]);
    expect(readFileSync(join(pluginDir, 'dist', 'package', 'dist', 'client', 'login.js'), 'utf8')).toContain(
      'action:login.init',
    );
  });

  it('logout reaches the IdP with id_token_hint and post_logout_redirect_uri', async () => {
    const { token } = await login('alice');
    const revoked = await host.revoke(String(token?.body.access_token));
    const redirect = new URL(String(revoked.body.redirectUrl));
    expect(redirect.href.startsWith(`${idp.issuer}/protocol/openid-connect/logout`)).toBe(true);
    expect(redirect.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(redirect.searchParams.get('post_logout_redirect_uri')).toBe(host.url);
  });

  it('sends an app back to an allowed externalRedirectUri, and ignores any other', async () => {
    const newerRunning = await startPluginInHost({
      version: '8.2.3',
      allowedExternalRedirectUris: ['peertube://auth', 'https://evil.fr/steal'],
    });
    const newer = newerRunning.host;
    try {
      idp.addClient({
        client_id: 'peertube-8',
        client_secret: 's8',
        redirect_uris: [`${newer.url}/plugins/apps-auth-oidc/router/callback`],
      });
      await newer.updateSettings({
        issuer: idp.issuer,
        'client-id': 'peertube-8',
        'client-secret': 's8',
        'external-redirect-uris': 'peertube://auth',
      });
      const stop = (u: string) =>
        u.startsWith('peertube://') || u.startsWith('https://evil.fr') || new URL(u).pathname === '/login';
      const allowed = await signInThroughForm(
        createUserAgent(),
        `${newer.authUrl('apps-oidc')}?externalRedirectUri=${encodeURIComponent('peertube://auth')}`,
        stop,
        'alice',
      );
      expect(allowed.location).toMatch(/^peertube:\/\/auth\?externalAuthToken=[0-9a-f]{64}&username=alice$/);
      const other = await signInThroughForm(
        createUserAgent(),
        `${newer.authUrl('apps-oidc')}?externalRedirectUri=${encodeURIComponent('https://evil.fr/steal')}`,
        stop,
        'alice',
      );
      expect(new URL(other.location ?? '').pathname).toBe('/login');
    } finally {
      await newerRunning.close();
    }
  });

  it('a missing state is refused with a page', async () => {
    const response = await fetch(`${host.url}/plugins/apps-auth-oidc/router/callback?code=x`);
    expect(response.status).toBe(400);
  });

  it('a callback URL opened in another browser (login CSRF) is refused', async () => {
    const attacker = createUserAgent();
    const { location } = await signInThroughForm(
      attacker,
      host.authUrl('apps-oidc'),
      (u) => u.includes('/router/callback'),
      'bob',
    );
    const victim = createUserAgent();
    const page = await victim.request(location ?? '');
    expect(page.status).toBe(400);
    expect(page.location).toBeNull();
  });

  it('refuses a person whose IdP account has no email, naming the claim', async () => {
    idp.users.push({
      sub: 'sub-noemail',
      username: 'noemail',
      password: 'x',
      givenName: 'Sans',
      familyName: 'Courriel',
      groups: ['member_x'],
    });
    const { page, token } = await login('noemail', 'x');
    expect(token).toBeUndefined();
    expect(page?.status).toBe(403);
    expect(page?.body).toContain('« email »');
  });

  it('a replayed state is refused', async () => {
    const agent = createUserAgent();
    const { hops } = await signInThroughForm(
      agent,
      host.authUrl('apps-oidc'),
      (u) => new URL(u).pathname === '/login',
      'alice',
    );
    const callback = hops.find((h) => h.url.includes('/router/callback'));
    expect(callback?.location).toContain('externalAuthToken=');
    expect((await agent.request(callback?.url ?? '')).status).toBe(400);
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
    expect(
      host.logs
        .filter((l) => l.level === 'error')
        .map((l) => l.message)
        .join('\n'),
    ).toContain("L'émetteur (issuer) est vide");
    await host.updateSettings({ issuer: idp.issuer, 'client-id': 'peertube', 'client-secret': 'peertube-secret' });
    expect(host.externalAuths.has('apps-oidc')).toBe(true);
  });
});
