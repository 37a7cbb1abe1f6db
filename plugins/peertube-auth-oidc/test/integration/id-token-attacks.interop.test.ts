import {
  createUserAgent,
  type Forgery,
  type ForgingProvider,
  type PeerTubeHost,
  type PluginInHost,
  startForgingProvider,
  startPluginInHost,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Each known attack on the ID token, from a rogue provider: the callback refuses it and PeerTube signs nobody in. */
describe('ID token attacks against the OIDC callback', () => {
  let running: PluginInHost;
  let rogue: ForgingProvider;
  let host: PeerTubeHost;

  beforeAll(async () => {
    rogue = await startForgingProvider({
      clientId: 'peertube',
      clientSecret: 'peertube-secret',
      claims: {
        sub: 'sub-mallory',
        preferred_username: 'mallory',
        email: 'mallory@ac-test.fr',
        email_verified: true,
        name: 'Mallory',
        groups: ['member_x'],
      },
    });
    running = await startPluginInHost('peertube-plugin-apps-auth-oidc');
    host = running.host;
    await host.updateSettings({ issuer: rogue.issuer, 'client-id': 'peertube', 'client-secret': 'peertube-secret' });
  });
  afterAll(async () => {
    await running?.close();
    await rogue?.close();
  });

  async function attempt(mode: Forgery) {
    rogue.forge(mode);
    const agent = createUserAgent();
    const hops = await agent.follow(host.authUrl('apps-oidc'), (u) => new URL(u).pathname === '/login');
    return { agent, hops, last: hops.at(-1) };
  }

  it('signs in with an honest token (the baseline the attacks start from)', async () => {
    const { last } = await attempt('none');
    expect(last?.location).toContain('externalAuthToken=');
  });

  it.each<[string, Forgery]>([
    ['a wrong nonce', 'wrong-nonce'],
    ['a wrong issuer', 'wrong-issuer'],
    ['a wrong audience', 'wrong-audience'],
    ['an expired ID token', 'expired'],
    ['alg: none', 'alg-none'],
    ['HS256 signed with the public key', 'hs256-with-public-key'],
    ['an unknown key id', 'unknown-kid'],
    ['a tampered signature', 'tampered-signature'],
  ])('refuses %s', async (_name, mode) => {
    const { last } = await attempt(mode);
    expect(last?.status).toBe(400);
    expect(last?.location ?? '').not.toContain('externalAuthToken');
    expect(last?.body).toContain('n&#39;a pas abouti');
  });

  it('refuses a replayed callback itself, before the provider is asked again', async () => {
    rogue.forge('none');
    const agent = createUserAgent();
    const hops = await agent.follow(host.authUrl('apps-oidc'), (u) => u.includes('/router/callback'));
    const callback = hops.at(-1)?.location ?? '';
    const cookie = agent.cookies(new URL(host.url).host).get('apps-oidc-login');
    expect((await agent.request(callback)).location).toContain('externalAuthToken=');
    // The same callback with the same login cookie (an attacker who captured both): the plugin's single-use rule
    // refuses it, with the "already used" page; a refusal by the provider would show the "could not confirm" one.
    agent.cookies(new URL(host.url).host).set('apps-oidc-login', cookie ?? '');
    const replay = await agent.request(callback);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('déjà été utilisée');
    expect(replay.body).not.toContain('pas pu confirmer');
  });
});
