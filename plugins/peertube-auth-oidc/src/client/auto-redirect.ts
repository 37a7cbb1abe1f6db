/**
 * The decision of the login page's client script, kept pure for its tests: send the visitor straight to the IdP
 * when the administrator turned automatic redirection on, except when the URL asks for the local form
 * (`/login?local=1`, the way for the local administrator to still sign in) or after a failed external sign-in
 * (no redirect loop).
 */
export interface RegisteredExternalAuth {
  readonly npmName: string;
  readonly name: string;
  readonly version: string;
  readonly authName: string;
}

export const NPM_NAME = 'peertube-plugin-apps-auth-oidc';
export const AUTH_NAME = 'apps-oidc';

export function autoRedirectTarget(
  enabled: unknown,
  search: string,
  registered: readonly RegisteredExternalAuth[] | undefined,
): string | null {
  if (enabled !== true && enabled !== 'true') return null;
  const params = new URLSearchParams(search);
  if (params.has('local') || params.has('externalAuthError') || params.has('externalAuthToken')) return null;
  const auth = (registered ?? []).find((a) => a.npmName === NPM_NAME && a.authName === AUTH_NAME);
  if (!auth) return null;
  return `/plugins/${auth.name}/${auth.version}/auth/${auth.authName}`;
}
