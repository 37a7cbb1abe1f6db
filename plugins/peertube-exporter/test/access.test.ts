import { describe, expect, it } from 'vitest';
import { addressMatcher, decideAccess, isAddressOrNetwork } from '../src/core/access.js';

describe('/metrics access', () => {
  const base = { expectedToken: 'secret', clientAddress: '127.0.0.1', allowed: null };
  it('allows the right token', () => expect(decideAccess({ ...base, givenToken: 'secret' })).toBe('allowed'));
  it('refuses a missing token', () => expect(decideAccess({ ...base, givenToken: undefined })).toBe('no_token'));
  it('refuses a token of another length', () =>
    expect(decideAccess({ ...base, givenToken: 'secretsecret' })).toBe('bad_token'));
  it('refuses a token differing in one character', () =>
    expect(decideAccess({ ...base, givenToken: 'secreT' })).toBe('bad_token'));
  it('checks the address first, IPv4-mapped IPv6 included', () => {
    const allowed = addressMatcher(['10.0.0.1']);
    expect(decideAccess({ ...base, givenToken: 'secret', allowed })).toBe('forbidden_address');
    expect(decideAccess({ ...base, givenToken: 'secret', clientAddress: '::ffff:10.0.0.1', allowed })).toBe('allowed');
  });
  it('allows networks of both families in CIDR notation, and nothing else', () => {
    const allowed = addressMatcher(['10.8.0.0/16', '2001:db8::/32']);
    expect(allowed?.('10.8.255.1')).toBe(true);
    expect(allowed?.('10.9.0.1')).toBe(false);
    expect(allowed?.('2001:db8:1::5')).toBe(true);
    expect(allowed?.('2001:db9::5')).toBe(false);
    expect(allowed?.(undefined)).toBe(false);
    expect(allowed?.('not-an-address')).toBe(false);
  });
  it('accepts addresses and networks as settings, refuses names, bad masks and garbage', () => {
    for (const ok of ['127.0.0.1', '::1', '10.0.0.0/8', '2001:db8::/128', '0.0.0.0/0']) {
      expect(isAddressOrNetwork(ok), ok).toBe(true);
    }
    for (const bad of ['localhost', '10.0.0.0/33', '::/129', '10.0.0.1/', '10.0.0/8', '1.2.3.4/8/1', '']) {
      expect(isAddressOrNetwork(bad), bad).toBe(false);
    }
  });
});
