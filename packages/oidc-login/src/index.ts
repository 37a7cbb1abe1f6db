import * as oidc from 'openid-client';
/** Claims as received: strings and lists of strings (anything else is dropped). */
export type Claims = Readonly<Record<string, string | readonly string[]>>;

/**
 * The IdP side of the bridge, on openid-client 6 (Keycloak recommends it over its deprecated keycloak-connect):
 * authorization code flow with PKCE S256, state and nonce; openid-client checks the ID token (issuer, audience,
 * expiry, nonce, and with enableNonRepudiationChecks its signature against the JWKS, refetched on an unknown key
 * id) and the userinfo subject.
 * Discovery is cached and retried on failure; every IdP call is bounded by `timeoutMs`.
 */
export interface IdentityProviderOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly scopes: string;
  readonly redirectUri: string;
  readonly timeoutMs: number;
  readonly allowHttp: boolean;
}

export interface Authenticated {
  readonly subject: string;
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
}

export function createIdentityProvider(options: IdentityProviderOptions): IdentityProvider {
  let configuration: Promise<oidc.Configuration> | undefined;
  const configure = () => {
    if (!configuration) {
      configuration = oidc
        .discovery(
          new URL(options.issuer),
          options.clientId,
          options.clientSecret,
          options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
          {
            // Check the ID token's signature against the JWKS too (refetched on an unknown key id). OIDC Core 3.1.3.7
            // makes it optional for tokens fetched over TLS, and openid-client skips it by default; a forged or
            // tampered token must fail here all the same.
            execute: [oidc.enableNonRepudiationChecks, ...(options.allowHttp ? [oidc.allowInsecureRequests] : [])],
            timeout: Math.ceil(options.timeoutMs / 1000),
          },
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
  const forOneLogin = async (): Promise<oidc.Configuration> => {
    const base = await configure();
    const config = new oidc.Configuration(
      structuredClone(base.serverMetadata()),
      options.clientId,
      options.clientSecret,
      options.clientSecret ? oidc.ClientSecretBasic(options.clientSecret) : oidc.None(),
    );
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
        ...(login.renew ? { maxAge: 300 } : {}),
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
      return { subject: idClaims.sub, claims, emailVerified, idToken: tokens.id_token ?? null };
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
  };
}

export { createLoginFlow, LoginError, type LoginFailure, type LoginFlow, type LoginFlowOptions } from './login-flow.js';
export { type LoginState, openLoginState, sealLoginState } from './login-state.js';
