import { randomBytes } from 'node:crypto';
import { createUserAgent, type OidcProviderHandle, startOidcProvider, type UserAgent } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityProvider, createLoginFlow, LoginError, type LoginFlow } from '../src/index.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

/** The shared login flow against the testkit's OpenID provider (oidc-provider 9), each callback rule by name. */
describe('OpenID Connect login flow', () => {
  let idp: OidcProviderHandle;
  let flow: LoginFlow<{ returnTo: string }>;
  let clock = Date.now();
  const used = new Set<string>();
  const keys = [randomBytes(32)];

  beforeAll(async () => {
    idp = await startOidcProvider();
    idp.addClient({ client_id: 'app', client_secret: 'secret', redirect_uris: [REDIRECT] });
    flow = createLoginFlow({
      idp: createIdentityProvider({
        issuer: idp.issuer,
        clientId: 'app',
        clientSecret: 'secret',
        scopes: 'openid profile email',
        redirectUri: REDIRECT,
        timeoutMs: 5_000,
        allowHttp: true,
      }),
      keys: () => keys,
      ttlMs: 600_000,
      now: () => clock,
      claimOnce: async (id) => {
        if (used.has(id)) return false;
        used.add(id);
        return true;
      },
    });
  });
  afterAll(async () => {
    await idp?.close();
  });

  /** Starts a login and signs in at the IdP; returns the callback URL the browser is sent to, and the cookie. */
  async function toCallback(user = 'alice', agent: UserAgent = createUserAgent()) {
    const { url, cookie } = await flow.begin({ extra: { returnTo: '/videos' } });
    url.searchParams.set('login_hint', user);
    const hops = await agent.follow(url.href, (location) => location.startsWith(REDIRECT));
    const location = hops.at(-1)?.location;
    if (!location) throw new Error('no callback');
    return { callback: new URL(location), cookie };
  }
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginError);
    return (error as LoginError).code;
  };

  it('signs in: subject, claims, email_verified and what the caller sealed come back', async () => {
    const { callback, cookie } = await toCallback();
    const { authenticated, extra } = await flow.finish(callback, cookie);
    expect(authenticated.subject).toBe('f3b7c2a0-1111-4c1e-9a55-0000000000a1');
    expect(authenticated.claims.email).toBe('alice@ac-test.fr');
    expect(authenticated.emailVerified).toBe(true);
    expect(extra.returnTo).toBe('/videos');
  });

  it('bound-to-browser: a callback without the cookie that started it is refused', async () => {
    const { callback } = await toCallback();
    expect(await failure(flow.finish(callback, undefined))).toBe('not_bound_to_browser');
  });

  it("state-matches: another login's cookie does not open this callback", async () => {
    const first = await toCallback();
    const second = await toCallback();
    expect(await failure(flow.finish(first.callback, second.cookie))).toBe('state_mismatch');
  });

  it('not-expired: a callback after the login expired is refused', async () => {
    const { callback, cookie } = await toCallback();
    clock += 600_001;
    try {
      expect(await failure(flow.finish(callback, cookie))).toBe('expired');
    } finally {
      clock -= 600_001;
    }
  });

  it('single-use: the same callback replayed with its cookie is refused before the IdP is asked', async () => {
    const { callback, cookie } = await toCallback();
    await flow.finish(callback, cookie);
    const tokenRequests = idp.requests.get('token') ?? 0;
    expect(await failure(flow.finish(callback, cookie))).toBe('replayed');
    expect(idp.requests.get('token') ?? 0).toBe(tokenRequests);
  });

  it('idp-accepts: a forged code is refused by the token exchange', async () => {
    const { callback, cookie } = await toCallback();
    callback.searchParams.set('code', 'forged');
    expect(await failure(flow.finish(callback, cookie))).toBe('idp_error');
  });

  it("reports the IdP's error parameter (access_denied, login_required)", async () => {
    const { url, cookie } = await flow.begin({ extra: { returnTo: '/' } });
    const callback = new URL(REDIRECT);
    callback.searchParams.set('state', url.searchParams.get('state') ?? '');
    callback.searchParams.set('error', 'login_required');
    const error = (await flow.finish(callback, cookie).catch((e: unknown) => e)) as LoginError;
    expect(error.code).toBe('idp_refused');
    expect(error.idpError).toBe('login_required');
  });

  it('keeps no server state for a login in progress: begin() stores nothing', async () => {
    const before = used.size;
    for (let i = 0; i < 50; i++) await flow.begin({ extra: { returnTo: '/' } });
    expect(used.size).toBe(before);
  });

  it('reports email_verified false, and null when the IdP sends none', async () => {
    idp.users.push({
      sub: 'unverified',
      username: 'unverified',
      password: 'x',
      email: 'u@ac-test.fr',
      emailVerified: false,
      givenName: 'U',
      familyName: 'V',
      groups: [],
    });
    idp.users.push({
      sub: 'silent',
      username: 'silent',
      password: 'x',
      email: 's@ac-test.fr',
      emailVerified: null,
      givenName: 'S',
      familyName: 'T',
      groups: [],
    });
    const a = await toCallback('unverified');
    expect((await flow.finish(a.callback, a.cookie)).authenticated.emailVerified).toBe(false);
    const b = await toCallback('silent');
    expect((await flow.finish(b.callback, b.cookie)).authenticated.emailVerified).toBeNull();
  });
});
