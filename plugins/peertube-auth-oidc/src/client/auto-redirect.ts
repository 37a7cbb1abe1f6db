/** The plugin's names in PeerTube's registered external auths (the login page's script looks itself up by them). */
export const NPM_NAME = 'peertube-plugin-apps-auth-oidc';
export const AUTH_NAME = 'apps-oidc';
