/**
 * The login page's client script of the PeerTube sign-in plugins (OIDC and SAML), kept free of Node so that it can be
 * bundled for the browser (`@apps-education/peertube-accounts/login-page`).
 *
 * The decision is pure, for its tests: send the visitor straight to the IdP when the administrator turned automatic
 * redirection on, except when the URL asks for the local form (`/login?local=1`, the way for the local administrator
 * to still sign in) or after a failed external sign-in (no redirect loop).
 */
export interface RegisteredExternalAuth {
  readonly npmName: string;
  readonly name: string;
  readonly version: string;
  readonly authName: string;
}

export interface AuthIdentity {
  readonly npmName: string;
  readonly authName: string;
}

export function autoRedirectTarget(
  enabled: unknown,
  search: string,
  registered: readonly RegisteredExternalAuth[] | undefined,
  own: AuthIdentity,
): string | null {
  if (enabled !== true && enabled !== 'true') return null;
  const params = new URLSearchParams(search);
  if (params.has('local') || params.has('externalAuthError') || params.has('externalAuthToken')) return null;
  const auth = (registered ?? []).find((a) => a.npmName === own.npmName && a.authName === own.authName);
  if (!auth) return null;
  return `/plugins/${auth.name}/${auth.version}/auth/${auth.authName}`;
}

/** PeerTube client script for the login page (scope `login`). It runs in the browser: only `location` is used. */
const browser = globalThis as unknown as { location: { search: string; assign(url: string): void } };

interface ClientHelpers {
  getSettings(): Promise<Record<string, unknown>>;
  getServerConfig(): Promise<{ plugin?: { registeredExternalAuths?: RegisteredExternalAuth[] } }>;
}

export interface ClientRegisterOptions {
  registerHook: (h: { target: string; handler: () => unknown }) => void;
  peertubeHelpers: ClientHelpers;
}

/** The client script's `register`, for the plugin whose public setting `auto-redirect` turns the redirection on. */
export function loginPageScript(own: AuthIdentity) {
  return function register({ registerHook, peertubeHelpers }: ClientRegisterOptions): void {
    registerHook({
      target: 'action:login.init',
      handler: async () => {
        const [settings, config] = await Promise.all([
          peertubeHelpers.getSettings(),
          peertubeHelpers.getServerConfig(),
        ]);
        const target = autoRedirectTarget(
          settings['auto-redirect'],
          browser.location.search,
          config.plugin?.registeredExternalAuths,
          own,
        );
        if (target) browser.location.assign(target);
      },
    });
  };
}
