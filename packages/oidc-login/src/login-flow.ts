import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Authenticated, IdentityProvider } from './index.js';
import { type LoginState, openLoginState, sealLoginState } from './login-state.js';

/**
 * The OpenID Connect login of every piece (the PeerTube plugin, the CAS bridge): begin() sends the browser to the
 * IdP with a fresh state, nonce and PKCE verifier sealed into a cookie; finish() runs the callback's checks, each a
 * named rule, in this order:
 * 1. bound-to-browser: the cookie opens (sealed by us, not tampered): the callback comes back to the browser that
 *    started the login (login CSRF: a callback URL sent to someone else finds no cookie there);
 * 2. state-matches: the `state` parameter is the one sealed in that cookie (compared in constant time);
 * 3. not-expired: the login started less than `ttlMs` ago;
 * 4. single-use: the caller claims the login's id atomically (a table, Redis SET NX): a replayed callback fails here,
 *    whatever the IdP does with a replayed code;
 * 5. idp-accepts: the code exchange and the ID token checks (openid-client: issuer, audience, expiry, nonce,
 *    signature, PKCE).
 */
export type LoginFailure =
  | 'not_bound_to_browser'
  | 'state_mismatch'
  | 'expired'
  | 'replayed'
  | 'idp_error'
  | 'idp_refused';

export class LoginError extends Error {
  constructor(
    readonly code: LoginFailure,
    message: string,
    /** The IdP's `error` parameter when it answered with one (access_denied, login_required ...). */
    readonly idpError: string | null = null,
    /** What the caller sealed, once the login is known to be this browser's (idp_refused, idp_error). */
    readonly extra: unknown = undefined,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

export interface LoginFlowOptions {
  readonly idp: IdentityProvider;
  /** 32-byte keys: the first seals, all open. Async so that a caller may load them from its store. */
  readonly keys: () => Promise<readonly Uint8Array[]> | readonly Uint8Array[];
  readonly ttlMs: number;
  readonly now?: () => number;
  /** Atomically records that this login id was used; false when it already was. Kept until expiresAt. */
  readonly claimOnce: (id: string, expiresAt: number) => Promise<boolean>;
}

export interface LoginFlow<Extra> {
  begin(options: { renew?: boolean; gateway?: boolean; extra: Extra }): Promise<{ url: URL; cookie: string }>;
  /** The callback URL as the IdP sent the browser to it, and the login cookie's value. */
  finish(callback: URL, cookie: string | undefined): Promise<{ authenticated: Authenticated; extra: Extra }>;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createLoginFlow<Extra>(options: LoginFlowOptions): LoginFlow<Extra> {
  const now = options.now ?? Date.now;
  return {
    async begin({ renew = false, gateway = false, extra }) {
      const state: LoginState<Extra & { renew: boolean }> = {
        id: token(32),
        nonce: token(32),
        codeVerifier: token(48),
        expiresAt: now() + options.ttlMs,
        extra: { ...extra, renew },
      };
      const url = await options.idp.authorizationUrl({ ...state, state: state.id, renew, gateway });
      return { url, cookie: sealLoginState(await options.keys(), state) };
    },
    async finish(callback, cookie) {
      const sealed = openLoginState<Extra & { renew: boolean }>(await options.keys(), cookie);
      if (!sealed) throw new LoginError('not_bound_to_browser', 'no login in progress in this browser');
      const stateParameter = callback.searchParams.get('state') ?? '';
      if (!sameText(stateParameter, sealed.id)) throw new LoginError('state_mismatch', 'the state does not match');
      if (sealed.expiresAt <= now()) throw new LoginError('expired', 'the login expired');
      if (!(await options.claimOnce(sealed.id, sealed.expiresAt)))
        throw new LoginError('replayed', 'this login was already completed');
      const idpError = callback.searchParams.get('error');
      if (idpError !== null)
        throw new LoginError('idp_refused', `the IdP answered ${idpError.slice(0, 64)}`, idpError, sealed.extra);
      try {
        const authenticated = await options.idp.finish(callback, {
          state: sealed.id,
          nonce: sealed.nonce,
          codeVerifier: sealed.codeVerifier,
          renew: sealed.extra.renew === true,
        });
        return { authenticated, extra: sealed.extra };
      } catch (error) {
        throw new LoginError('idp_error', error instanceof Error ? error.message : String(error), null, sealed.extra);
      }
    },
  };
}
