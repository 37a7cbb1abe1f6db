import { loginPageScript } from '@apps-education/peertube-accounts/login-page';
import { AUTH_NAME, NPM_NAME } from './auto-redirect.js';

/** PeerTube client script for the login page (scope `login`): automatic redirection to the IdP when turned on. */
export const register = loginPageScript({ npmName: NPM_NAME, authName: AUTH_NAME });
