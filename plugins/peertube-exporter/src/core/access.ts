import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/**
 * Who may read /metrics: a secret token (query parameter `token` or header `X-Metrics-Token`, because PeerTube takes
 * Authorization headers on plugin routes for its own tokens), compared in constant time, and an optional list of
 * allowed client addresses and networks (checked against the address PeerTube's Express computed with its own proxy
 * trust, `trust_proxy` in PeerTube's configuration).
 */
export type AccessDecision = 'allowed' | 'no_token' | 'bad_token' | 'forbidden_address';

/** One allowed entry: an IPv4 or IPv6 address, or a network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`). */
export function isAddressOrNetwork(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Node's BlockList (subnets, both families) over checked entries; `null` lets every address in. */
export function addressMatcher(entries: readonly string[]): ((address: string | undefined) => boolean) | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (raw) => {
    const address = (raw ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

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
  allowed: ((address: string | undefined) => boolean) | null;
}): AccessDecision {
  if (options.allowed && !options.allowed(options.clientAddress)) return 'forbidden_address';
  if (options.givenToken === undefined || options.givenToken === '') return 'no_token';
  return sameSecret(options.givenToken, options.expectedToken) ? 'allowed' : 'bad_token';
}
