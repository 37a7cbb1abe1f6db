import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT } from 'jose';

/**
 * A rogue OpenID provider for negative tests: a real enough provider (discovery, JWKS, authorization with PKCE,
 * token endpoint with single-use codes, userinfo) whose ID tokens can be forged on purpose, so that a client can be
 * shown to refuse each known attack. oidc-provider, being correct, cannot produce these tokens.
 */
export type Forgery =
  | 'none'
  | 'wrong-nonce'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'expired'
  | 'alg-none'
  | 'hs256-with-public-key'
  | 'unknown-kid'
  | 'tampered-signature';

export interface ForgingProvider {
  readonly issuer: string;
  /** What the next ID tokens will be (until changed). */
  forge(mode: Forgery): void;
  /**
   * The auth_time the ID tokens claim, this many seconds ago (null: no auth_time). This provider ignores prompt=login
   * and max_age=0, as a careless IdP would: a client asking for a fresh login must check auth_time itself.
   */
  setAuthTimeAgo(seconds: number | null): void;
  /** Claims userinfo adds to or puts against the ID token's (by default the same claims). */
  setUserinfoClaims(claims: Record<string, unknown> | null): void;
  readonly tokenRequests: number;
  close(): Promise<void>;
}

export async function startForgingProvider(options: {
  clientId: string;
  clientSecret: string;
  claims: Record<string, unknown> & { sub: string };
}): Promise<ForgingProvider> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `forge-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  let mode: Forgery = 'none';
  let authTimeAgo: number | null = null;
  let userinfoClaims: Record<string, unknown> | null = null;
  let tokenRequests = 0;
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/realms/forge`;

  const b64 = (value: object | string) =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      ...options.claims,
      iss: mode === 'wrong-issuer' ? 'http://127.0.0.1:1/realms/evil' : issuer,
      aud: mode === 'wrong-audience' ? 'another-client' : options.clientId,
      iat: mode === 'expired' ? now - 7200 : now,
      exp: mode === 'expired' ? now - 3600 : now + 300,
      nonce: mode === 'wrong-nonce' ? 'not-the-nonce' : nonce,
      ...(authTimeAgo === null ? {} : { auth_time: now - authTimeAgo }),
    };
    if (mode === 'alg-none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    if (mode === 'hs256-with-public-key') {
      // The classic key-confusion attack: HMAC keyed with the RSA public key the client knows from the JWKS.
      const secret = publicKey.export({ type: 'spki', format: 'pem' });
      const head = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(payload)}`;
      return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
    }
    const signed = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: mode === 'unknown-kid' ? 'kid-nobody-published' : kid })
      .sign(privateKey);
    if (mode !== 'tampered-signature') return signed;
    const [h, p, s] = signed.split('.');
    const flipped = Buffer.from(s ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 0xff;
    return `${h}.${p}.${flipped.toString('base64url')}`;
  }

  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const path = url.pathname.replace('/realms/forge', '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/certs`,
        end_session_endpoint: `${issuer}/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
      });
    }
    if (path === '/certs') return json(200, { keys: [jwk] });
    if (path === '/auth') {
      const code = randomBytes(24).toString('base64url');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      codes.set(code, {
        nonce: url.searchParams.get('nonce') ?? '',
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (path === '/token' && req.method === 'POST') {
      tokenRequests++;
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = new URLSearchParams(body);
      const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      const [id, secret] = basic.split(':').map((v) => decodeURIComponent(v));
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code); // single use
      if (id !== options.clientId || secret !== options.clientSecret) return json(401, { error: 'invalid_client' });
      const verifier = form.get('code_verifier') ?? '';
      if (
        !grant ||
        createHash('sha256').update(verifier).digest('base64url') !== grant.challenge ||
        form.get('redirect_uri') !== grant.redirectUri
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      return json(200, {
        access_token: randomBytes(16).toString('hex'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: await idToken(grant.nonce),
      });
    }
    if (path === '/userinfo') return json(200, { ...options.claims, ...userinfoClaims, sub: options.claims.sub });
    json(404, { error: 'not_found' });
  });

  return {
    issuer,
    setUserinfoClaims(claims) {
      userinfoClaims = claims;
    },
    setAuthTimeAgo(seconds) {
      authTimeAgo = seconds;
    },
    forge(next) {
      mode = next;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
