import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The IDs of our AuthnRequests, which the IdP echoes in InResponseTo. Each one carries its own expiry and a MAC under
 * the plugin's sealing keys (kept in PeerTube's database, shared by every PeerTube process), so nothing is stored for
 * an anonymous visitor who clicks the button and leaves: the ID proves we issued it, and when. Single use is the
 * caller's: it claims `claimKey` once (a row that expires with the request) after the response is valid.
 *
 * Form: `_<expiry, base 36>.<16 random bytes, hex>.<MAC, 16 bytes hex>`: an xs:ID (starts with `_`, no colon).
 */
export interface IssuedRequestId {
  readonly id: string;
  readonly expiresAt: number;
}

export type CheckedRequestId =
  | { readonly ok: true; readonly expiresAt: number; readonly claimKey: string }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'expired' };

const FORM = /^_([0-9a-z]{1,11})\.([0-9a-f]{32})\.([0-9a-f]{32})$/;

const mac = (key: Buffer, body: string) =>
  createHmac('sha256', key).update(`saml-request:${body}`).digest().subarray(0, 16);

export function issueRequestId(key: Buffer, now: number, ttlMs: number): IssuedRequestId {
  const expiresAt = now + ttlMs;
  const body = `${expiresAt.toString(36)}.${randomBytes(16).toString('hex')}`;
  return { id: `_${body}.${mac(key, body).toString('hex')}`, expiresAt };
}

/** Checks an InResponseTo against every sealing key (the first signs; the others are being retired). */
export function checkRequestId(id: string, keys: readonly Buffer[], now: number): CheckedRequestId {
  const parts = FORM.exec(id);
  if (!parts) return { ok: false, reason: 'malformed' };
  const [, expiry = '', nonce = '', given = ''] = parts;
  const body = `${expiry}.${nonce}`;
  const givenMac = Buffer.from(given, 'hex');
  if (!keys.some((key) => timingSafeEqual(mac(key, body), givenMac))) return { ok: false, reason: 'forged' };
  const expiresAt = Number.parseInt(expiry, 36);
  if (!(expiresAt > now)) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt, claimKey: `r:${given}` };
}
