import { describe, expect, it } from 'vitest';
import { autoRedirectTarget as target } from '../src/login-page.js';

// The OIDC plugin's names; the SAML plugin's are the same shape.
const own = { npmName: 'peertube-plugin-apps-auth-oidc', authName: 'apps-oidc' };
const autoRedirectTarget = (enabled: unknown, search: string, registered: Parameters<typeof target>[2]) =>
  target(enabled, search, registered, own);

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
  it("takes only its own plugin's entry, not another auth of the same plugin or another plugin's", () => {
    const ours = registered.filter((a) => a.name === 'apps-auth-oidc');
    expect(
      autoRedirectTarget(
        true,
        '',
        ours.map((a) => ({ ...a, authName: 'other' })),
      ),
    ).toBeNull();
    expect(target(true, '', registered, { npmName: 'peertube-plugin-other', authName: 'x' })).toBe(
      '/plugins/other/1.0.0/auth/x',
    );
  });
});
