import { loginPageScript } from '@apps-education/peertube-accounts/login-page';

/** PeerTube client script for the login page (scope `login`): automatic redirection to the IdP when turned on. */
export const register = loginPageScript({ npmName: 'peertube-plugin-apps-auth-saml2', authName: 'apps-saml2' });
