import * as oidc from 'openid-client';
/** Claims as received: strings and lists of strings (anything else is dropped). */
export type Claims = Readonly<Record<string, string | readonly string[]>>;

/**
 * The IdP side of the bridge, on openid-client 6 (Keycloak recommends it over its deprecated keycloak-connect):
 * authorization code flow with PKCE S256, state and nonce; openid-client checks the ID token (issuer, audience,
 * expiry, nonce, signature against the JWKS, refetched on an unknown key id) and the userinfo subject.
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
            execute: options.allowHttp ? [oidc.allowInsecureRequests] : [],
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
      const config = await configure();
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        expectedState: login.state,
        expectedNonce: login.nonce,
        pkceCodeVerifier: login.codeVerifier,
        idTokenExpected: true,
        ...(login.renew ? { maxAge: 300 } : {}),
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('no ID token');
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      const claims: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries({ ...idClaims, ...userinfo })) {
        if (typeof value === 'string') claims[name] = value;
        else if (Array.isArray(value)) claims[name] = value.filter((v): v is string => typeof v === 'string');
      }
      return { subject: idClaims.sub, claims, idToken: tokens.id_token ?? null };
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
