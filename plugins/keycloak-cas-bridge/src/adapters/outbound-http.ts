import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

/**
 * Calls the bridge makes to services (pgtUrl callbacks, back-channel logout), on node:http(s) so that the trusted
 * certificate authorities are explicit: the system's, plus the administrator's extra CA file. No redirect is
 * followed (CAS 3.0.3, 2.5.4: a 3xx from the callback is not a 200). Every call has a total deadline (connection,
 * TLS, answer), not only an idle timeout: a server trickling a byte a second cannot hold it.
 * With `publicOnly`, the host's addresses are resolved and checked before connecting, and the connection goes to the
 * address checked (no second resolution a DNS rebinding could answer differently): a private, loopback, link-local
 * or otherwise non-public address is refused with code EADDRNOTPUBLIC.
 */
export interface OutboundOptions {
  readonly extraCa?: string;
  /** The total time a call may take. */
  readonly timeoutMs: number;
  /** Name resolution (tests give their own). */
  readonly lookup?: typeof dnsLookup;
}

export interface OutboundRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly form?: Record<string, string>;
  /** Refuse hosts that resolve to a non-public address (pgtUrl). */
  readonly publicOnly?: boolean;
}

export type OutboundCall = (request: OutboundRequest) => Promise<number>;

/** Addresses no pgtUrl may reach unless its service allows private networks (RFC 1918, 6598, 3927, 4193, 4291...). */
const NOT_PUBLIC = new BlockList();
for (const [network, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(network, bits, 'ipv4');
for (const [network, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(network, bits, 'ipv6');

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return !NOT_PUBLIC.check(mapped, 'ipv4');
  return !NOT_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export class AddressNotPublicError extends Error {
  readonly code = 'EADDRNOTPUBLIC';
  constructor(host: string) {
    super(`${host} resolves to an address that is not public`);
  }
}

export function createOutbound(options: OutboundOptions): OutboundCall {
  const ca = options.extraCa ? [...rootCertificates, options.extraCa] : [...rootCertificates];
  const resolve = options.lookup ?? dnsLookup;
  /** Resolves every address of the host; all must be public, the first is used. */
  const publicLookup = (
    hostname: string,
    _options: unknown,
    callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void,
  ) => {
    resolve(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as LookupAddress[];
      const first = list[0];
      if (!first || list.some((a) => !isPublicAddress(a.address))) {
        return callback(new AddressNotPublicError(hostname), '', 0);
      }
      callback(null, first.address, first.family);
    });
  };
  return ({ url, method, form, publicOnly }) =>
    new Promise((done, fail) => {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      if (publicOnly && isIP(host) !== 0 && !isPublicAddress(host)) return fail(new AddressNotPublicError(host));
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const headers: Record<string, string | number> = { 'user-agent': 'keycloak-cas-bridge' };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const deadline = AbortSignal.timeout(options.timeoutMs);
      const req = send(
        target,
        {
          method,
          headers,
          ca,
          rejectUnauthorized: true,
          signal: deadline,
          ...(publicOnly
            ? { lookup: publicLookup as never }
            : options.lookup
              ? { lookup: options.lookup as never }
              : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0));
          res.on('error', fail);
        },
      );
      req.on('error', (error) =>
        fail(deadline.aborted ? new Error(`no complete answer within ${options.timeoutMs} ms`) : error),
      );
      req.end(body);
    });
}
