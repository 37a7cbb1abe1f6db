import { createHash } from 'node:crypto';

/**
 * BigBlueButton's checksum: hex(hash(callName + queryString + sharedSecret)), over the query string exactly as it is
 * sent (shared/reference/bbb.md). The server tells the algorithm by the checksum's length (40 sha1, 64 sha256, 96
 * sha384, 128 sha512); Scalelite has no sha384, servers before 2.5 only sha1 and sha256.
 */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export function checksum(callName: string, query: string, secret: string, algorithm: ChecksumAlgorithm): string {
  return createHash(algorithm).update(`${callName}${query}${secret}`).digest('hex');
}

/** The algorithm a checksum of this length was made with, or null. */
export function algorithmOfChecksum(value: string): ChecksumAlgorithm | null {
  const byLength: Record<number, ChecksumAlgorithm> = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };
  return /^[0-9a-f]+$/i.test(value) ? (byLength[value.length] ?? null) : null;
}
