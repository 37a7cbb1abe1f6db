import { createHash, createHmac, randomBytes } from 'node:crypto';

/** The headers of a signed call (the PHP side reads the same names). */
export const SIGNATURE_HEADERS = {
  timestamp: 'X-LaBoite-Timestamp',
  nonce: 'X-LaBoite-Nonce',
  signature: 'X-LaBoite-Signature',
} as const;

/**
 * What is signed, one field per line: the scheme's version, the method in capitals, the path with its query as sent
 * (`/ocs/v2.php/apps/laboite/api/v1/groups/abc?format=json`), the Unix time in seconds, the nonce, and the body's
 * SHA-256 in lower-case hexadecimal (of the empty string for no body). The endpoint refuses a timestamp outside its
 * window and a nonce it saw inside it, and compares the signature in constant time.
 */
export function canonicalRequest(method: string, path: string, timestamp: number, nonce: string, body: string): string {
  const digest = createHash('sha256').update(body, 'utf8').digest('hex');
  return ['v1', method.toUpperCase(), path, String(timestamp), nonce, digest].join('\n');
}

/** `v1=<hex HMAC-SHA256(secret, canonical request)>`. */
export function signatureOf(secret: string, canonical: string): string {
  return `v1=${createHmac('sha256', secret).update(canonical, 'utf8').digest('hex')}`;
}

/** The three headers of one call. */
export function signRequest(
  secret: string,
  request: { method: string; path: string; body: string },
  now: number = Date.now(),
  nonce: string = randomBytes(16).toString('base64url'),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signatureOf(
      secret,
      canonicalRequest(request.method, request.path, timestamp, nonce, request.body),
    ),
  };
}
