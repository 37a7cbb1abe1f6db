import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { escapeHtml } from '@apps-education/i18n';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { UserAgent } from './user-agent.js';

/**
 * A development OpenID provider on oidc-provider 9 (an OpenID-certified implementation), shaped like a Keycloak realm:
 * issuer `http://127.0.0.1:<port>/realms/<realm>`, Keycloak's endpoint paths, RS256 and ES256 keys that can be
 * rotated, LaBoite-style `groups` (`<role>_<group>`), confidential and public clients, RP-initiated logout.
 * Tests log a user in without a form by naming them in `login_hint`; the sandbox shows a real login form.
 */
export interface TestUser {
  readonly sub: string;
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  /** email_verified as the IdP sends it: true by default; null leaves the claim out (an IdP that never sends it). */
  readonly emailVerified?: boolean | null;
  readonly givenName: string;
  readonly familyName: string;
  /** LaBoite mirrors its groups into Keycloak as `<role>_<group>`: `admin_maths-4e-b`, `member_sciences`. */
  readonly groups: readonly string[];
}

export interface TestClient {
  readonly client_id: string;
  /** Absent for a public client (PKCE, no secret). */
  readonly client_secret?: string;
  readonly redirect_uris: readonly string[];
  readonly post_logout_redirect_uris?: readonly string[];
  readonly id_token_signed_response_alg?: 'RS256' | 'ES256';
  readonly token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** OpenID Connect Back-Channel Logout 1.0: where the provider POSTs a logout token when a session ends. */
  readonly backchannel_logout_uri?: string;
  readonly backchannel_logout_session_required?: boolean;
  /** The client's public keys, for private_key_jwt. */
  readonly jwks?: { readonly keys: readonly Record<string, unknown>[] };
}

export const TEST_USERS: readonly TestUser[] = [
  {
    sub: 'f3b7c2a0-1111-4c1e-9a55-0000000000a1',
    username: 'alice',
    password: 'alice',
    email: 'alice@ac-test.fr',
    givenName: 'Alice',
    familyName: 'Martin',
    groups: ['admin_maths-4e-b', 'member_sciences'],
  },
  {
    sub: 'f3b7c2a0-2222-4c1e-9a55-0000000000b2',
    username: 'bob',
    password: 'bob',
    email: 'bob@ac-test.fr',
    givenName: 'Bob',
    familyName: 'Durand',
    groups: ['member_maths-4e-b'],
  },
  {
    sub: 'f3b7c2a0-3333-4c1e-9a55-0000000000c3',
    username: 'Chloe.Lefevre',
    password: 'chloe',
    email: 'chloe.lefevre@ac-test.fr',
    givenName: 'Chloé',
    familyName: 'Lefèvre',
    groups: [],
  },
];

export interface OidcProviderOptions {
  readonly realm?: string;
  readonly port?: number;
  readonly users?: readonly TestUser[];
  readonly clients?: readonly TestClient[];
  /** Log in the user named by `login_hint` without a form (tests). Default true. */
  readonly loginHint?: boolean;
  /** ID token and access token lifetime in seconds. */
  readonly tokenTtlSeconds?: number;
  /**
   * How the token endpoint reads HTTP Basic client credentials: `decoded` (RFC 6749, 2.3.1: form-decoded, as
   * Keycloak does) or `literal`, as LemonLDAP::NG 2.16 does: `cas%2Dbridge` is not `cas-bridge` there, so a client
   * that form-encodes (openid-client does) fails with client_secret_basic and must use client_secret_post.
   */
  readonly basicCredentials?: 'decoded' | 'literal';
}

export interface SigningKeys {
  readonly keys: readonly { kid: string; alg: 'RS256' | 'ES256' }[];
}

export interface RecordedLogout {
  readonly idTokenHint: boolean;
  readonly postLogoutRedirectUri: string | null;
  readonly clientId: string | null;
}

export interface OidcProviderHandle {
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly users: TestUser[];
  /** Requests per endpoint name (`token`, `userinfo`, `jwks`, `discovery`, ...), to count IdP round trips. */
  readonly requests: Map<string, number>;
  /** What reached the end_session endpoint. */
  readonly logouts: RecordedLogout[];
  /** Current signing keys (the first of each alg signs). */
  keys(): SigningKeys;
  /** Replaces the signing keys with new ones (new kids); the old ones leave the JWKS. */
  rotateKeys(): SigningKeys;
  addClient(client: TestClient): void;
  /**
   * Ends this browser's session at the provider, as a person logging out of LaBoite or Keycloak does
   * (RP-initiated logout as `clientId`, confirmed on the provider's page): every client with a
   * backchannel_logout_uri in that session gets a logout token.
   */
  signOut(agent: UserAgent, clientId: string): Promise<void>;
  /** Makes every request fail at the socket (an IdP that is down), or slow by this many ms, until reset. */
  setAvailability(mode: { kind: 'up' } | { kind: 'down' } | { kind: 'slow'; delayMs: number }): void;
  close(): Promise<void>;
}

type Jwk = Record<string, unknown> & { kid: string; alg: string };

function makeKeys(): Jwk[] {
  const suffix = randomBytes(4).toString('hex');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rs256-${suffix}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `es256-${suffix}`, alg: 'ES256', use: 'sig' },
  ];
}

const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  token: '/protocol/openid-connect/token',
  userinfo: '/protocol/openid-connect/userinfo',
  jwks: '/protocol/openid-connect/certs',
  end_session: '/protocol/openid-connect/logout',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
} as const;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main>${body}</main></body></html>`;
}

export async function startOidcProvider(options: OidcProviderOptions = {}): Promise<OidcProviderHandle> {
  // Loaded here, not at the top: oidc-provider 9 prints a warning on Node 20 (it prefers 22, works on 20), which
  // only the tests that start a provider should show.
  const { default: ProviderClass } = await import('oidc-provider');
  const realm = options.realm ?? 'apps';
  const prefix = `/realms/${realm}`;
  const users = [...(options.users ?? TEST_USERS)];
  const clients: TestClient[] = [...(options.clients ?? [])];
  const loginHint = options.loginHint ?? true;
  const ttl = options.tokenTtlSeconds ?? 300;
  const requests = new Map<string, number>();
  const logouts: RecordedLogout[] = [];
  let jwks = makeKeys();
  let availability: { kind: 'up' } | { kind: 'down' } | { kind: 'slow'; delayMs: number } = { kind: 'up' };
  const cookieKeys = [randomBytes(32).toString('hex')];

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('OIDC provider: no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  const issuer = `${origin}${prefix}`;

  const findUser = (id: string) => users.find((u) => u.sub === id || u.username === id);

  function build(): Provider {
    const configuration: Configuration = {
      clients: clients.map((c) => ({
        ...c,
        redirect_uris: [...c.redirect_uris],
        post_logout_redirect_uris: [...(c.post_logout_redirect_uris ?? [])],
        ...(c.jwks ? { jwks: { keys: c.jwks.keys.map((k) => ({ ...k })) } } : {}),
        token_endpoint_auth_method: c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none'),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      })),
      jwks: { keys: jwks },
      cookies: { keys: cookieKeys },
      routes: KEYCLOAK_ROUTES,
      claims: {
        openid: ['sub'],
        profile: ['preferred_username', 'name', 'given_name', 'family_name', 'groups'],
        email: ['email', 'email_verified'],
      },
      // Keycloak puts the profile claims in the ID token too.
      conformIdTokenClaims: false,
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      features: {
        devInteractions: { enabled: false },
        revocation: { enabled: true },
        introspection: { enabled: true },
        // Keycloak sends back-channel logout tokens to clients that gave a "Backchannel logout URL".
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
            ctx.body = page(
              'Déconnexion / Sign out',
              `<h1>Se déconnecter ? / Sign out?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Oui, me déconnecter / Yes, sign me out</button>`,
            );
          },
          postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
            ctx.body = page('Déconnecté / Signed out', '<h1>Vous êtes déconnecté. / You are signed out.</h1>');
          },
        },
      },
      pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
      ttl: { IdToken: ttl, AccessToken: ttl, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
      interactions: { url: (_ctx, interaction) => `${prefix}/interaction/${interaction.uid}` },
      // First-party clients of the realm: no consent screen, as Keycloak's default "consent required: off".
      loadExistingGrant: async (ctx) => {
        const client = ctx.oidc.client;
        const accountId = ctx.oidc.session?.accountId;
        if (!client || !accountId) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
        grant.addOIDCScope('openid offline_access profile email');
        await grant.save();
        return grant;
      },
      findAccount: async (_ctx, id) => {
        const user = findUser(id);
        if (!user) return undefined;
        return {
          accountId: user.sub,
          async claims() {
            return {
              sub: user.sub,
              preferred_username: user.username.toLowerCase(),
              name: `${user.givenName} ${user.familyName}`,
              given_name: user.givenName,
              family_name: user.familyName,
              ...(user.email === undefined ? {} : { email: user.email }),
              ...(user.email === undefined || user.emailVerified === null
                ? {}
                : { email_verified: user.emailVerified ?? true }),
              groups: [...user.groups],
            };
          },
        };
      },
      // oidc-provider refuses to call loopback addresses (its SSRF guard); every relying party of a test provider
      // listens on 127.0.0.1, so its back-channel logout calls go out without that guard.
      fetch: (url: string | URL | Request, init?: RequestInit) =>
        fetch(url, { ...init, dispatcher: undefined } as RequestInit),
      renderError: async (ctx, out) => {
        ctx.type = 'html';
        ctx.body = page(
          'Erreur / Error',
          `<h1>${escapeHtml(String(out.error))}</h1><p>${escapeHtml(String(out.error_description ?? ''))}</p>`,
        );
      },
    };
    const provider = new ProviderClass(issuer, configuration);
    provider.proxy = false;
    return provider;
  }

  let provider = build();
  let handler = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, path: string) {
    const details = await provider.interactionDetails(req, res);
    const params = details.params as Record<string, unknown>;
    const uid = details.uid;
    if (req.method === 'POST' && path.endsWith('/login')) {
      const form = new URLSearchParams(await readBody(req));
      const user = users.find((u) => u.username === form.get('username') && u.password === form.get('password'));
      if (!user)
        return sendHtml(
          res,
          200,
          loginForm(
            uid,
            String(params.client_id ?? ''),
            'Identifiant ou mot de passe incorrect. / Wrong username or password.',
          ),
        );
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
    }
    if (details.prompt.name === 'login') {
      const hint = typeof params.login_hint === 'string' ? findUser(params.login_hint) : undefined;
      if (loginHint && hint) {
        return provider.interactionFinished(
          req,
          res,
          { login: { accountId: hint.sub } },
          { mergeWithLastSubmission: false },
        );
      }
      return sendHtml(res, 200, loginForm(uid, String(params.client_id ?? '')));
    }
    // Consent is granted by loadExistingGrant; any other prompt finishes as is.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }

  function loginForm(uid: string, clientId: string, error?: string): string {
    return page(
      `Connexion – ${realm}`,
      `<h1>Connexion au royaume « ${escapeHtml(realm)} » / Sign in</h1>
<p>Application : ${escapeHtml(clientId)}</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${prefix}/interaction/${escapeHtml(uid)}/login">
<p><label for="username">Identifiant / Username</label><br><input id="username" name="username" autocomplete="username" required autofocus></p>
<p><label for="password">Mot de passe / Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Se connecter / Sign in</button></p>
</form>`,
    );
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (availability.kind === 'down') {
      req.socket.destroy();
      return;
    }
    const url = req.url ?? '/';
    const route = url.split('?')[0] ?? '/';
    const go = () => {
      if (!route.startsWith(prefix)) return sendHtml(res, 404, page('Not found', '<h1>404</h1>'));
      const inner = route.slice(prefix.length);
      const name =
        inner === '/.well-known/openid-configuration'
          ? 'discovery'
          : (Object.entries(KEYCLOAK_ROUTES).find(([, p]) => p === inner)?.[0] ??
            (inner.startsWith('/interaction/') ? 'interaction' : inner));
      requests.set(name, (requests.get(name) ?? 0) + 1);
      if (name === 'end_session' && req.method === 'GET') {
        const q = new URL(url, origin).searchParams;
        logouts.push({
          idTokenHint: q.has('id_token_hint'),
          postLogoutRedirectUri: q.get('post_logout_redirect_uri'),
          clientId: q.get('client_id'),
        });
      }
      if (name === 'interaction') {
        interaction(req, res, inner).catch((error: unknown) => {
          sendHtml(
            res,
            400,
            page('Erreur / Error', `<h1>${escapeHtml(error instanceof Error ? error.message : 'error')}</h1>`),
          );
        });
        return;
      }
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (options.basicCredentials === 'literal' && basic) {
        // oidc-provider form-decodes what it reads; escaping each % first makes it see the credentials literally.
        const [id = '', ...secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
        const literal = (part: string) => part.replace(/%/g, '%25');
        req.headers.authorization = `Basic ${Buffer.from(`${literal(id)}:${literal(secret.join(':'))}`).toString('base64')}`;
      }
      // Mounted under the realm's path, as Keycloak serves it: oidc-provider reads the mount path from originalUrl.
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(prefix.length) || '/';
      handler(req, res);
    };
    if (availability.kind === 'slow') setTimeout(go, availability.delayMs);
    else go();
  });

  const rebuild = () => {
    provider = build();
    handler = provider.callback();
  };
  const keysOf = (): SigningKeys => ({ keys: jwks.map((k) => ({ kid: k.kid, alg: k.alg as 'RS256' | 'ES256' })) });

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    users,
    requests,
    logouts,
    keys: keysOf,
    rotateKeys() {
      jwks = makeKeys();
      rebuild();
      return keysOf();
    },
    addClient(client) {
      clients.push(client);
      rebuild();
    },
    async signOut(agent, clientId) {
      let hop = await agent.request(
        `${issuer}${KEYCLOAK_ROUTES.end_session}?client_id=${encodeURIComponent(clientId)}`,
      );
      while (hop.location && hop.status >= 300 && hop.status < 400) hop = await agent.request(hop.location);
      const form = /<form[^>]*id="op\.logoutForm"[^>]*>/.exec(hop.body)?.[0] ?? '';
      const action = /action="([^"]+)"/.exec(form)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(hop.body)?.[1];
      if (!action || !xsrf) throw new Error(`no logout form at the provider: ${hop.status} ${hop.body.slice(0, 200)}`);
      let done = await agent.request(new URL(action, hop.url).href, { form: { xsrf, logout: 'yes' } });
      while (done.location && done.status >= 300 && done.status < 400) done = await agent.request(done.location);
    },
    setAvailability(mode) {
      availability = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}
