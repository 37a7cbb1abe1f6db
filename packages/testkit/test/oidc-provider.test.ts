import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserAgent, type OidcProviderHandle, startOidcProvider } from '../src/index.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

async function codeFlow(config: client.Configuration, loginHint: string, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: loginHint,
    ...extra,
  });
  const agent = createUserAgent();
  const hops = await agent.follow(url.href, (location) => location.startsWith(REDIRECT));
  const last = hops.at(-1);
  if (!last?.location?.startsWith(REDIRECT))
    throw new Error(`no redirect to the client: ${JSON.stringify(hops.map((h) => [h.status, h.location]))}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(last.location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, agent, hops };
}

describe('dev OpenID provider shaped like a Keycloak realm', () => {
  let idp: OidcProviderHandle;
  beforeAll(async () => {
    idp = await startOidcProvider({
      realm: 'apps',
      clients: [
        {
          client_id: 'confidential',
          client_secret: 'secret-1',
          redirect_uris: [REDIRECT],
          post_logout_redirect_uris: ['http://127.0.0.1:9/bye'],
        },
        { client_id: 'public', redirect_uris: [REDIRECT] },
        {
          client_id: 'ec',
          client_secret: 'secret-2',
          redirect_uris: [REDIRECT],
          id_token_signed_response_alg: 'ES256',
        },
      ],
    });
  });
  afterAll(() => idp.close());

  it('publishes Keycloak paths under /realms/<realm> in its discovery document', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/apps$/);
    const doc = (await (await fetch(idp.discoveryUrl)).json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.authorization_endpoint).toBe(`${idp.issuer}/protocol/openid-connect/auth`);
    expect(doc.token_endpoint).toBe(`${idp.issuer}/protocol/openid-connect/token`);
    expect(doc.jwks_uri).toBe(`${idp.issuer}/protocol/openid-connect/certs`);
    expect(doc.end_session_endpoint).toBe(`${idp.issuer}/protocol/openid-connect/logout`);
    expect(doc.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
  });

  it('logs in the user named by login_hint (confidential client, PKCE) and returns Keycloak-like claims', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'confidential', 'secret-1', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { tokens } = await codeFlow(config, 'alice');
    const claims = tokens.claims();
    expect(claims?.preferred_username).toBe('alice');
    expect(claims?.groups).toEqual(['admin_maths-4e-b', 'member_sciences']);
    expect(claims?.email).toBe('alice@ac-test.fr');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? '');
    expect(info).toMatchObject({ name: 'Alice Martin', given_name: 'Alice', family_name: 'Martin' });
  });

  it('serves a public client with PKCE and no secret', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'public', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const { tokens } = await codeFlow(config, 'bob');
    expect(tokens.claims()?.preferred_username).toBe('bob');
  });

  it('refuses a public client that sends no PKCE challenge', async () => {
    const url = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    url.search = new URLSearchParams({
      client_id: 'public',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: REDIRECT,
      login_hint: 'bob',
    }).toString();
    const hops = await createUserAgent().follow(url.href, (l) => l.startsWith(REDIRECT));
    expect(hops.at(-1)?.location).toContain('error=invalid_request');
  });

  it('signs with ES256 for a client that asks for it, and rotated keys replace the old ones in the JWKS', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'ec', 'secret-2', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const before = await codeFlow(config, 'alice');
    const header = JSON.parse(Buffer.from(before.tokens.id_token?.split('.')[0] ?? '', 'base64url').toString()) as {
      alg: string;
      kid: string;
    };
    expect(header.alg).toBe('ES256');
    const oldKid = header.kid;
    const rotated = idp.rotateKeys();
    expect(rotated.keys.map((k) => k.kid)).not.toContain(oldKid);
    const jwks = (await (await fetch(`${idp.issuer}/protocol/openid-connect/certs`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toEqual(rotated.keys.map((k) => k.kid));
    const config2 = await client.discovery(new URL(idp.issuer), 'ec', 'secret-2', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const after = await codeFlow(config2, 'alice');
    expect(after.tokens.claims()?.sub).toBe(before.tokens.claims()?.sub);
  });

  it('shows a real login form when no login_hint names a user, and logs in through it', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'confidential', 'secret-1', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's',
      nonce: 'n',
    });
    const agent = createUserAgent();
    const hops = await agent.follow(url.href);
    const form = hops.at(-1);
    expect(form?.status).toBe(200);
    expect(form?.body).toContain('<label for="password">');
    const action = /action="([^"]+)"/.exec(form?.body ?? '')?.[1] ?? '';
    const wrong = await agent.request(new URL(action, idp.issuer).href, {
      form: { username: 'alice', password: 'nope' },
    });
    expect(wrong.body).toContain('role="alert"');
    const ok = await agent.request(new URL(action, idp.issuer).href, {
      form: { username: 'alice', password: 'alice' },
    });
    expect(ok.status).toBe(303);
    const rest = await agent.follow(ok.location ?? '', (l) => l.startsWith(REDIRECT));
    expect(rest.at(-1)?.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
  });

  it('answers prompt=none without a session with login_required', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'confidential', 'secret-1', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 's',
      prompt: 'none',
    });
    const hops = await createUserAgent().follow(url.href, (l) => l.startsWith(REDIRECT));
    expect(hops.at(-1)?.location).toContain('error=login_required');
  });

  it('has an end_session_endpoint that records id_token_hint and post_logout_redirect_uri', async () => {
    const config = await client.discovery(new URL(idp.issuer), 'confidential', 'secret-1', undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { tokens, agent } = await codeFlow(config, 'bob');
    const end = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'http://127.0.0.1:9/bye',
    });
    const page = await agent.request(end.href);
    expect(page.status).toBe(200);
    expect(idp.logouts.at(-1)).toEqual({
      idTokenHint: true,
      postLogoutRedirectUri: 'http://127.0.0.1:9/bye',
      clientId: 'confidential',
    });
  });

  it('counts requests per endpoint, so a client can be held to its number of IdP round trips', async () => {
    const before = idp.requests.get('token') ?? 0;
    const config = await client.discovery(new URL(idp.issuer), 'confidential', 'secret-1', undefined, {
      execute: [client.allowInsecureRequests],
    });
    await codeFlow(config, 'alice');
    expect(idp.requests.get('token')).toBe(before + 1);
  });

  it('can be made unreachable, like an IdP that is down', async () => {
    idp.setAvailability({ kind: 'down' });
    try {
      await expect(fetch(idp.discoveryUrl)).rejects.toThrow();
    } finally {
      idp.setAvailability({ kind: 'up' });
    }
    expect((await fetch(idp.discoveryUrl)).status).toBe(200);
  });
});
