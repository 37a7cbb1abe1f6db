import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read /metrics: a secret token (query parameter `token` or header `X-Metrics-Token`, because PeerTube takes
 * Authorization headers on plugin routes for its own tokens), compared in constant time, and an optional list of
 * allowed client addresses (the address PeerTube's Express computed with its own proxy trust).
 */
export type AccessDecision = 'allowed' | 'no_token' | 'bad_token' | 'forbidden_address';

function sameSecret(given: string, expected: string): boolean {
  // Hash both to one length so timingSafeEqual compares in constant time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function decideAccess(options: {
  expectedToken: string;
  givenToken: string | undefined;
  clientAddress: string | undefined;
  allowedAddresses: readonly string[];
}): AccessDecision {
  if (options.allowedAddresses.length > 0) {
    const address = (options.clientAddress ?? '').replace(/^::ffff:/, '');
    if (!options.allowedAddresses.includes(address)) return 'forbidden_address';
  }
  if (options.givenToken === undefined || options.givenToken === '') return 'no_token';
  return sameSecret(options.givenToken, options.expectedToken) ? 'allowed' : 'bad_token';
}
