import { describe, expect, it } from 'vitest';
import { decideAccess } from '../src/core/access.js';

describe('/metrics access', () => {
  const base = { expectedToken: 'secret', clientAddress: '127.0.0.1', allowedAddresses: [] as string[] };
  it('allows the right token', () => expect(decideAccess({ ...base, givenToken: 'secret' })).toBe('allowed'));
  it('refuses a missing token', () => expect(decideAccess({ ...base, givenToken: undefined })).toBe('no_token'));
  it('refuses a token of another length', () =>
    expect(decideAccess({ ...base, givenToken: 'secretsecret' })).toBe('bad_token'));
  it('refuses a token differing in one character', () =>
    expect(decideAccess({ ...base, givenToken: 'secreT' })).toBe('bad_token'));
  it('checks the address first, IPv4-mapped IPv6 included', () => {
    expect(decideAccess({ ...base, givenToken: 'secret', allowedAddresses: ['10.0.0.1'] })).toBe('forbidden_address');
    expect(
      decideAccess({ ...base, givenToken: 'secret', clientAddress: '::ffff:10.0.0.1', allowedAddresses: ['10.0.0.1'] }),
    ).toBe('allowed');
  });
});
