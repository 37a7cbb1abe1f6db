import { describe, expect, it } from 'vitest';
import { autoRedirectTarget } from '../src/client/auto-redirect.js';

const registered = [
  { npmName: 'peertube-plugin-other', name: 'other', version: '1.0.0', authName: 'x' },
  { npmName: 'peertube-plugin-apps-auth-oidc', name: 'apps-auth-oidc', version: '0.1.0', authName: 'apps-oidc' },
];

describe('automatic redirection from the login page', () => {
  it('goes to the IdP when turned on', () => {
    expect(autoRedirectTarget(true, '', registered)).toBe('/plugins/apps-auth-oidc/0.1.0/auth/apps-oidc');
  });
  it('stays on the form when off', () => {
    expect(autoRedirectTarget(false, '', registered)).toBeNull();
  });
  it('leaves the local administrator a way in: /login?local=1', () => {
    expect(autoRedirectTarget(true, '?local=1', registered)).toBeNull();
  });
  it('never loops after a failed external sign-in, nor while PeerTube finishes one', () => {
    expect(autoRedirectTarget(true, '?externalAuthError=true', registered)).toBeNull();
    expect(autoRedirectTarget(true, '?externalAuthToken=abc&username=x', registered)).toBeNull();
  });
  it('does nothing when the plugin is not registered (bad settings)', () => {
    expect(autoRedirectTarget(true, '', [])).toBeNull();
  });
});
