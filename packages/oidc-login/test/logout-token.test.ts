import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  createLogoutTokenVerifier,
  LogoutTokenError,
  type LogoutTokenFailure,
} from '../src/index.js';

const ISSUER = 'https://sso.ac-test.fr/realms/apps';
const CLIENT = 'cas-bridge';

/** Each rule of OpenID Connect Back-Channel Logout 1.0, 2.6, on its own (src/logout-token.ts). */
describe('logout token', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  let server: Server;
  let verify: ReturnType<typeof createLogoutTokenVerifier>;
  const now = Date.now();
  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    verify = createLogoutTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT,
      jwksUri: `http://127.0.0.1:${port}/certs`,
      algorithms: ['RS256', 'ES256', 'HS256', 'none'],
      maxAgeSeconds: 300,
      now: () => now,
    });
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const good = () => ({
    iss: ISSUER,
    aud: CLIENT,
    iat: Math.floor(now / 1000),
    jti: `jti-${Math.random()}`,
    sid: 'idp-session-1',
    sub: 'sub-alice',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  });
  const sign = (payload: Record<string, unknown>, key = privateKey, kid = 'k1') =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'logout+jwt' }).sign(key);
  const failure = async (token: string) => {
    const error = await verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogoutTokenError);
    return (error as LogoutTokenError).code;
  };

  it('accepts a well-formed token: subject, IdP session and jti come back', async () => {
    const token = await sign(good());
    expect(await verify(token)).toMatchObject({ subject: 'sub-alice', sessionId: 'idp-session-1' });
  });

  it.each<[string, (p: Record<string, unknown>) => Record<string, unknown>, LogoutTokenFailure]>([
    ['another issuer', (p) => ({ ...p, iss: 'https://evil.fr/realms/apps' }), 'issuer_or_audience'],
    ['another audience', (p) => ({ ...p, aud: 'another-client' }), 'issuer_or_audience'],
    ['an iat 10 minutes old', (p) => ({ ...p, iat: Math.floor(now / 1000) - 600 }), 'stale'],
    ['no iat', ({ iat: _iat, ...p }) => p, 'stale'],
    ['an expired exp', (p) => ({ ...p, exp: Math.floor(now / 1000) - 120 }), 'stale'],
    ['no events', ({ events: _events, ...p }) => p, 'event'],
    ['another event', (p) => ({ ...p, events: { 'http://example.org/other': {} } }), 'event'],
    ['an event that is not an object', (p) => ({ ...p, events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }), 'event'],
    ['neither sub nor sid', ({ sub: _sub, sid: _sid, ...p }) => p, 'subject'],
    ['a nonce (an ID token passed off as a logout token)', (p) => ({ ...p, nonce: 'n' }), 'nonce'],
    ['no jti', ({ jti: _jti, ...p }) => p, 'jti'],
  ])('refuses %s', async (_name, change, code) => {
    expect(await failure(await sign(change(good())))).toBe(code);
  });

  it('refuses a token signed by another key', async () => {
    expect(await failure(await sign(good(), other))).toBe('signature');
  });

  it('refuses alg none', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(await failure(`${b64({ alg: 'none' })}.${b64(good())}.`)).toBe('signature');
  });

  it('refuses HS256 keyed with the public key (key confusion)', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const head = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(good())}`;
    const mac = createHmac('sha256', publicKey.export({ type: 'spki', format: 'pem' }))
      .update(head)
      .digest('base64url');
    expect(await failure(`${head}.${mac}`)).toBe('signature');
  });

  it('accepts a token with sid only, or sub only', async () => {
    const { sub: _sub, ...sidOnly } = good();
    const { sid: _sid, ...subOnly } = good();
    expect((await verify(await sign(sidOnly))).subject).toBeNull();
    expect((await verify(await sign(subOnly))).sessionId).toBeNull();
  });

  it('says unavailable, not a bad token, when the IdP key set cannot be fetched (down, or not 200)', async () => {
    const token = await sign(good());
    const down = createServer((_req, res) => res.writeHead(503).end('maintenance'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as { port: number }).port;
    const options = { issuer: ISSUER, clientId: CLIENT, algorithms: ['ES256'], maxAgeSeconds: 300, now: () => now };
    try {
      const failing = createLogoutTokenVerifier({ ...options, jwksUri: `http://127.0.0.1:${port}/certs` });
      expect(await failing(token).catch((e: LogoutTokenError) => e.code)).toBe('unavailable');
    } finally {
      await new Promise((resolve) => down.close(resolve));
    }
    const closed = createLogoutTokenVerifier({ ...options, jwksUri: `http://127.0.0.1:${port}/certs` });
    expect(await closed(token).catch((e: LogoutTokenError) => e.code)).toBe('unavailable');
  });
});
