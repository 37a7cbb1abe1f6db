import { createPrivateKey, createPublicKey } from 'node:crypto';
import { importPKCS8 } from 'jose';
import * as oidc from 'openid-client';
import {
  createLogoutTokenVerifier,
  type LogoutToken,
  LogoutTokenError,
  type LogoutTokenVerifier,
} from './logout-token.js';
/** Claims as received: strings and lists of strings (anything else is dropped). */
export type Claims = Readonly<Record<string, string | readonly string[]>>;

/**
 * The IdP side of the bridge, on openid-client 6 (Keycloak recommends it over its deprecated keycloak-connect):
 * authorization code flow with PKCE S256, state and nonce; openid-client checks the ID token (issuer, audience,
 * expiry, nonce, and with enableNonRepudiationChecks its signature against the JWKS, refetched on an unknown key
 * id) and the userinfo subject.
 * Discovery is cached and retried on failure; every IdP call is bounded by `timeoutMs`.
 */
/**
 * How the client authenticates at the token endpoint (OIDC Core 9):
 * - client_secret_basic: HTTP Basic; openid-client form-encodes id and secret first (RFC 6749, 2.3.1), which some
 *   IdPs (LemonLDAP::NG 2.16) do not decode: `cas-bridge` arrives as `cas%2Dbridge`... so the secret fails there;
 * - client_secret_post: id and secret in the form body, read the same by every IdP;
 * - private_key_jwt: a JWT signed with the client's own key (RSA or P-256 PEM), no shared secret at all; the IdP
 *   knows the public key (publicJwk(), e.g. served for Keycloak's "JWKS URL");
 * - none: a public client (PKCE only).
 */
export type ClientAuthentication =
  | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly secret: string }
  | { readonly method: 'private_key_jwt'; readonly privateKeyPem: string; readonly keyId?: string }
  | { readonly method: 'none' };

/** The public half of a private_key_jwt key, as a JWK the IdP can be given (with its kid, alg and use). */
export function publicJwk(privateKeyPem: string, keyId?: string): Record<string, unknown> {
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
  return {
    ...publicKey.export({ format: 'jwk' }),
    alg: signingAlgorithm(privateKeyPem),
    use: 'sig',
    ...(keyId ? { kid: keyId } : {}),
  };
}

function signingAlgorithm(privateKeyPem: string): 'RS256' | 'ES256' {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('private_key_jwt needs an RSA or P-256 (prime256v1) private key');
}

async function clientAuth(options: IdentityProviderOptions): Promise<{ secret?: string; auth: oidc.ClientAuth }> {
  const chosen: ClientAuthentication =
    options.clientAuthentication ??
    (options.clientSecret ? { method: 'client_secret_basic', secret: options.clientSecret } : { method: 'none' });
  switch (chosen.method) {
    case 'client_secret_basic':
      return { secret: chosen.secret, auth: oidc.ClientSecretBasic(chosen.secret) };
    case 'client_secret_post':
      return { secret: chosen.secret, auth: oidc.ClientSecretPost(chosen.secret) };
    case 'private_key_jwt': {
      const key = await importPKCS8(
        createPrivateKey(chosen.privateKeyPem).export({ format: 'pem', type: 'pkcs8' }).toString(),
        signingAlgorithm(chosen.privateKeyPem),
      );
      return { auth: oidc.PrivateKeyJwt(chosen.keyId ? { key, kid: chosen.keyId } : key) };
    }
    case 'none':
      return { auth: oidc.None() };
  }
}

export interface IdentityProviderOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** How the client authenticates; by default client_secret_basic with clientSecret, or none without. */
  readonly clientAuthentication?: ClientAuthentication;
  readonly scopes: string;
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly allowHttp: boolean;
  /**
   * For a forced fresh login (renew): how old the IdP's auth_time may be, in seconds. prompt=login and max_age=0
   * ask for a new authentication, but an IdP may ignore them; the ID token's auth_time is what proves it. Small
   * (30 s by default): the person's time at the login form plus clock skew.
   */
  readonly renewMaxAgeSeconds?: number;
  /** How old a back-channel logout token may be (its iat), 300 s by default. */
  readonly logoutTokenMaxAgeSeconds?: number;
}

export interface Authenticated {
  readonly subject: string;
  /** The IdP's session id (`sid` of the ID token), which its back-channel logout tokens name. */
  readonly idpSessionId: string | null;
  readonly claims: Claims;
  /** email_verified (OIDC Core 5.1): true or false as the IdP said, null when it said nothing. */
  readonly emailVerified: boolean | null;
  readonly idToken: string | null;
}

export interface IdentityProvider {
  authorizationUrl(login: {
    state: string;
    nonce: string;
    codeVerifier: string;
    renew: boolean;
    gateway: boolean;
  }): Promise<URL>;
  /** Exchanges the code; throws on any protocol error (state, nonce, issuer, signature, replayed code). */
  finish(
    callback: URL,
    login: { state: string; nonce: string; codeVerifier: string; renew: boolean },
  ): Promise<Authenticated>;
  endSessionUrl(idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null>;
  /** Resolves when discovery has succeeded (for /readyz). */
  ready(): Promise<void>;
  /** Checks a back-channel logout token from this IdP (./logout-token.ts); throws LogoutTokenError. */
  verifyLogoutToken(token: string): Promise<LogoutToken>;
}

export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  let configuration: Promise<oidc.Configuration> | undefined;
  const authentication = clientAuth(options);
  // A bad key fails each login that awaits it; never an unhandled rejection meanwhile.
  authentication.catch(() => undefined);
  const configure = () => {
    if (!configuration) {
      configuration = authentication
        .then(({ secret, auth }) =>
          oidc.discovery(new URL(options.issuer), options.clientId, secret, auth, {
            // Check the ID token's signature against the JWKS too (refetched on an unknown key id). OIDC Core 3.1.3.7
            // makes it optional for tokens fetched over TLS, and openid-client skips it by default; a forged or
            // tampered token must fail here all the same.
            execute: [oidc.enableNonRepudiationChecks, ...(options.allowHttp ? [oidc.allowInsecureRequests] : [])],
            timeout: Math.ceil(options.timeoutMs / 1000),
          }),
        )
        .then((config) => {
          config.timeout = Math.ceil(options.timeoutMs / 1000);
          return config;
        })
        .catch((error: unknown) => {
          configuration = undefined; // try discovery again on the next call
          throw error;
        });
    }
    return configuration;
  };

  /**
   * The code exchange runs on a Configuration of its own, built from the cached discovery document and the cached
   * JWKS. oauth4webapi refetches a JWKS on an unknown key id only once its copy is 60 s old, keeping that copy in a
   * module-level map per Configuration: an IdP that rotated its keys a moment ago would fail every sign-in for a
   * minute. Given as 60 s old, the copy is refetched on an unknown kid (tokens come straight from the token
   * endpoint: no attacker chooses the kid) and reused for a known one, and still renewed every 5 minutes.
   */
  let jwks: oidc.ExportedJWKSCache | undefined;
  let verifier: LogoutTokenVerifier | undefined;
  const forOneLogin = async (): Promise<oidc.Configuration> => {
    const base = await configure();
    const { secret, auth } = await authentication;
    const config = new oidc.Configuration(structuredClone(base.serverMetadata()), options.clientId, secret, auth);
    oidc.enableNonRepudiationChecks(config);
    if (options.allowHttp) oidc.allowInsecureRequests(config);
    config.timeout = Math.ceil(options.timeoutMs / 1000);
    if (jwks) oidc.setJwksCache(config, { ...jwks, uat: Math.min(jwks.uat, Math.floor(Date.now() / 1000) - 60) });
    return config;
  };

  return {
    async authorizationUrl(login) {
      const config = await configure();
      const parameters: Record<string, string> = {
        redirect_uri: options.redirectUri,
        scope: options.scopes,
        state: login.state,
        nonce: login.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
        code_challenge_method: 'S256',
      };
      // renew: a fresh authentication at the IdP; gateway: never show a form (CAS 3.0.3, 2.1.1).
      if (login.renew) Object.assign(parameters, { prompt: 'login', max_age: '0' });
      else if (login.gateway) parameters.prompt = 'none';
      return oidc.buildAuthorizationUrl(config, parameters);
    },
    async finish(callback, login) {
      const config = await forOneLogin();
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        expectedState: login.state,
        expectedNonce: login.nonce,
        pkceCodeVerifier: login.codeVerifier,
        idTokenExpected: true,
        ...(login.renew ? { maxAge: options.renewMaxAgeSeconds ?? 30 } : {}),
      });
      const updated = oidc.getJwksCache(config);
      if (updated) jwks = updated;
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      const claims: Record<string, string | string[]> = {};
      // The ID token is signed and checked: userinfo only adds claims, it never replaces one of the ID token's.
      const merged: Record<string, unknown> = { ...userinfo, ...idClaims };
      for (const [name, value] of Object.entries(merged)) {
        if (typeof value === 'string') claims[name] = value;
        else if (Array.isArray(value)) claims[name] = value.filter((v): v is string => typeof v === 'string');
      }
      const verified = merged.email_verified;
      const emailVerified = verified === true || verified === 'true' ? true : verified === undefined ? null : false;
      const sid = typeof idClaims.sid === 'string' && idClaims.sid !== '' ? idClaims.sid : null;
      return { subject: idClaims.sub, idpSessionId: sid, claims, emailVerified, idToken: tokens.id_token ?? null };
    },
    async endSessionUrl(idToken, postLogoutRedirectUri) {
      const config = await configure().catch(() => null);
      if (!config?.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, {
        ...(idToken ? { id_token_hint: idToken } : {}),
        client_id: options.clientId,
        post_logout_redirect_uri: postLogoutRedirectUri,
      });
    },
    async ready() {
      await configure();
    },
    async verifyLogoutToken(token) {
      if (!verifier) {
        const metadata = (await configure()).serverMetadata();
        if (!metadata.jwks_uri) throw new LogoutTokenError('signature', 'the IdP publishes no jwks_uri');
        verifier = createLogoutTokenVerifier({
          issuer: metadata.issuer,
          clientId: options.clientId,
          jwksUri: metadata.jwks_uri,
          algorithms: metadata.id_token_signing_alg_values_supported ?? ['RS256'],
          maxAgeSeconds: options.logoutTokenMaxAgeSeconds ?? 300,
        });
      }
      return verifier(token);
    },
  };
}

export { createLoginFlow, LoginError, type LoginFailure, type LoginFlow, type LoginFlowOptions } from './login-flow.js';
export { type LoginState, openLoginState, sealLoginState } from './login-state.js';
export {
  BACKCHANNEL_LOGOUT_EVENT,
  createLogoutTokenVerifier,
  type LogoutToken,
  LogoutTokenError,
  type LogoutTokenFailure,
} from './logout-token.js';
