import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createUserAgent,
  type OidcProviderHandle,
  startForgingProvider,
  startOidcProvider,
  type UserAgent,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientAuthentication,
  createIdentityProvider,
  createLoginFlow,
  LoginError,
  type LoginFlow,
  publicJwk,
} from '../src/index.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const KEY = randomBytes(32);

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

describe('client authentication at the token endpoint', () => {
  let idp: OidcProviderHandle;
  beforeAll(async () => {
    idp = await startOidcProvider();
  });
  afterAll(async () => {
    await idp?.close();
  });

  const keys = [randomBytes(32)];
  async function signInWith(clientId: string, clientAuthentication: ClientAuthentication, provider = idp) {
    const flow = createLoginFlow<Record<string, never>>({
      idp: createIdentityProvider({
        issuer: provider.issuer,
        clientId,
        clientAuthentication,
        scopes: 'openid email',
        redirectUri: REDIRECT,
        timeoutMs: 5_000,
        allowHttp: true,
      }),
      keys: () => keys,
      ttlMs: 60_000,
      claimOnce: async () => true,
    });
    const { url, cookie } = await flow.begin({ extra: {} });
    url.searchParams.set('login_hint', 'alice');
    const hops = await createUserAgent().follow(url.href, (location) => location.startsWith(REDIRECT));
    return flow.finish(new URL(hops.at(-1)?.location ?? ''), cookie);
  }

  it('client_secret_post: the id and secret in the form, with dashes as they are', async () => {
    idp.addClient({
      client_id: 'cas-bridge-post',
      client_secret: 'se-cr-et',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const { authenticated } = await signInWith('cas-bridge-post', { method: 'client_secret_post', secret: 'se-cr-et' });
    expect(authenticated.claims.email).toBe('alice@ac-test.fr');
  });

  it('an IdP reading Basic credentials literally (LemonLDAP::NG) refuses client_secret_basic with dashes, accepts post', async () => {
    const literal = await startOidcProvider({ basicCredentials: 'literal' });
    try {
      for (const method of ['client_secret_basic', 'client_secret_post'] as const)
        literal.addClient({
          client_id: `cas-bridge-${method}`,
          client_secret: 'se-cr-et',
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: method,
        });
      const withIdp = (clientId: string, auth: ClientAuthentication) => signInWith(clientId, auth, literal);
      const basic = await withIdp('cas-bridge-client_secret_basic', {
        method: 'client_secret_basic',
        secret: 'se-cr-et',
      }).catch((e: unknown) => e);
      expect((basic as LoginError).code).toBe('idp_error');
      const post = await withIdp('cas-bridge-client_secret_post', { method: 'client_secret_post', secret: 'se-cr-et' });
      expect(post.authenticated.subject).toBe('f3b7c2a0-1111-4c1e-9a55-0000000000a1');
    } finally {
      await literal.close();
    }
  });

  it.each([
    ['RSA', 'rsa', {}],
    ['P-256', 'ec', { namedCurve: 'prime256v1' }],
  ] as const)('private_key_jwt with an %s key: no shared secret', async (_name, type, keyOptions) => {
    const { privateKey } = generateKeyPairSync(type as 'rsa', { modulusLength: 2048, ...keyOptions });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const clientId = `cas-bridge-jwt-${type}`;
    idp.addClient({
      client_id: clientId,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [publicJwk(pem, 'key-1')] },
    });
    const { authenticated } = await signInWith(clientId, {
      method: 'private_key_jwt',
      privateKeyPem: pem,
      keyId: 'key-1',
    });
    expect(authenticated.subject).toBe('f3b7c2a0-1111-4c1e-9a55-0000000000a1');
  });

  it('private_key_jwt signed by another key is refused by the IdP', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const error = await signInWith('cas-bridge-jwt-ec', {
      method: 'private_key_jwt',
      privateKeyPem: pem,
      keyId: 'key-1',
    }).catch((e: unknown) => e);
    expect((error as LoginError).code).toBe('idp_error');
  });

  it('refuses a key that is neither RSA nor P-256, at the first login, with a clear error', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const error = await signInWith('cas-bridge-jwt-ec', { method: 'private_key_jwt', privateKeyPem: pem }).catch(
      (e: unknown) => e,
    );
    expect(String(error)).toContain('RSA or P-256');
  });
});

describe('claims from the ID token and userinfo', () => {
  it('userinfo adds claims but never replaces one the signed ID token gave', async () => {
    const rogue = await startForgingProvider({
      clientId: 'app',
      clientSecret: 'secret',
      claims: { sub: 'sub-1', email: 'alice@ac-test.fr', email_verified: true },
    });
    try {
      rogue.setUserinfoClaims({ email: 'mallory@evil.fr', email_verified: true, groups: ['member_x'] });
      const flow = createLoginFlow<Record<string, never>>({
        idp: createIdentityProvider({
          issuer: rogue.issuer,
          clientId: 'app',
          clientSecret: 'secret',
          scopes: 'openid email',
          redirectUri: REDIRECT,
          timeoutMs: 5_000,
          allowHttp: true,
        }),
        keys: () => [KEY],
        ttlMs: 60_000,
        claimOnce: async () => true,
      });
      const { url, cookie } = await flow.begin({ extra: {} });
      const hops = await createUserAgent().follow(url.href, (location) => location.startsWith(REDIRECT));
      const { authenticated } = await flow.finish(new URL(hops.at(-1)?.location ?? ''), cookie);
      expect(authenticated.claims.email).toBe('alice@ac-test.fr');
      expect(authenticated.claims.groups).toEqual(['member_x']);
    } finally {
      await rogue.close();
    }
  });
});
