import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A login in progress, sealed into the browser's cookie instead of kept on the server: nothing is stored for an
 * anonymous visitor (1,000 visits to the login URL cost the server nothing), it survives a restart and works across
 * processes that share the key. AES-256-GCM (node:crypto; authenticated encryption, so a tampered or forged cookie
 * fails to open) under a 32-byte key; the first key seals, every key opens (rotation). The expiry travels inside.
 * Single use is not the cookie's job: the caller claims the login's id once (see login-flow.ts).
 */
export interface LoginState<Extra> {
  /** The `state` parameter sent to the IdP. */
  readonly id: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly expiresAt: number;
  readonly extra: Extra;
}

const VERSION = 'v1';
const AAD = Buffer.from('apps-education/oidc-login/state/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealLoginState<Extra>(keys: readonly Uint8Array[], state: LoginState<Extra>): string {
  const key = keys[0];
  if (key?.length !== 32) throw new Error('login state: a 32-byte key is needed');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The sealed state, or null when the value is not one this server sealed (tampered, another key, garbage). */
export function openLoginState<Extra>(
  keys: readonly Uint8Array[],
  sealed: string | undefined,
): LoginState<Extra> | null {
  if (!sealed || sealed.length > 8192 || !sealed.startsWith(`${VERSION}.`)) return null;
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const state = JSON.parse(text.toString('utf8')) as LoginState<Extra>;
      if (
        typeof state.id === 'string' &&
        typeof state.nonce === 'string' &&
        typeof state.codeVerifier === 'string' &&
        typeof state.expiresAt === 'number'
      )
        return state;
      return null;
    } catch {
      // another key may open it
    }
  }
  return null;
}
