import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';

/**
 * OpenID Connect Back-Channel Logout 1.0, section 2.6: the checks on a logout token the IdP POSTs when a person's
 * session there ends, each a named failure:
 * - signature: a JWS signed by the IdP's keys (its JWKS, refetched on an unknown key id), with an algorithm it
 *   announces for ID tokens (never `none`, never HMAC with a public key);
 * - issuer and audience: this IdP, this client;
 * - fresh: `iat` present and at most `maxAgeSeconds` old (and `exp`, when present, not past);
 * - event: `events` holds the member http://schemas.openid.net/event/backchannel-logout, an object;
 * - subject-or-session: `sub` or `sid` present (which sessions to end);
 * - no-nonce: a `nonce` is refused (an ID token passed off as a logout token);
 * - jti: present, for the caller to refuse a replay (single use until the token would expire).
 * `unavailable` is not the token's fault: the IdP's keys could not be fetched (answer 503, not 400).
 */
export type LogoutTokenFailure =
  | 'signature'
  | 'issuer_or_audience'
  | 'stale'
  | 'event'
  | 'subject'
  | 'nonce'
  | 'jti'
  | 'unavailable';

export class LogoutTokenError extends Error {
  constructor(
    readonly code: LogoutTokenFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LogoutTokenError';
  }
}

export interface LogoutToken {
  readonly subject: string | null;
  /** The IdP's session id (`sid`), as its ID tokens carried it. */
  readonly sessionId: string | null;
  readonly jti: string;
  /** Until when a replay must be refused (ms). */
  readonly replayUntil: number;
}

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type LogoutTokenVerifier = (token: string) => Promise<LogoutToken>;

export function createLogoutTokenVerifier(options: {
  issuer: string;
  clientId: string;
  jwksUri: string;
  algorithms: readonly string[];
  maxAgeSeconds: number;
  now?: () => number;
}): LogoutTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri));
  const now = options.now ?? Date.now;
  const algorithms = options.algorithms.filter((a) => a !== 'none' && !a.startsWith('HS'));
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        algorithms,
        requiredClaims: ['iat'],
        maxTokenAge: `${options.maxAgeSeconds}s`,
        currentDate: new Date(now()),
        clockTolerance: 30,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        const stale = error.claim === 'iat' || error.claim === 'exp';
        throw new LogoutTokenError(stale ? 'stale' : 'issuer_or_audience', error.message);
      }
      if (error instanceof joseErrors.JWTExpired) throw new LogoutTokenError('stale', error.message);
      // A key set that did not come (timeout, network error, not 200, not JSON): the IdP's trouble, not the token's.
      if (
        error instanceof joseErrors.JWKSTimeout ||
        error instanceof joseErrors.JWKSInvalid ||
        !(error instanceof joseErrors.JOSEError) ||
        (error.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(error.message))
      )
        throw new LogoutTokenError('unavailable', error instanceof Error ? error.message : String(error));
      throw new LogoutTokenError('signature', error instanceof Error ? error.message : String(error));
    }
    const events = payload.events as Record<string, unknown> | undefined;
    const event = events?.[BACKCHANNEL_LOGOUT_EVENT];
    if (!event || typeof event !== 'object' || Array.isArray(event))
      throw new LogoutTokenError('event', 'events lacks the back-channel logout event');
    const subject = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null;
    const sessionId = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : null;
    if (subject === null && sessionId === null) throw new LogoutTokenError('subject', 'neither sub nor sid');
    if ('nonce' in payload) throw new LogoutTokenError('nonce', 'a logout token has no nonce');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw new LogoutTokenError('jti', 'no jti');
    const iat = (payload.iat ?? 0) * 1000;
    return { subject, sessionId, jti: payload.jti, replayUntil: iat + (options.maxAgeSeconds + 60) * 1000 };
  };
}
