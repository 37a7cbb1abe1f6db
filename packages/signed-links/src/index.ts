import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links that open one resource for a few minutes: `?exp=<unix seconds>&sig=<HMAC-SHA256, base64url>` over the
 * purpose, the resource id and the expiry, under a secret of at least 32 bytes. BigBlueButton reads a document link
 * twice and may follow redirects, so a link is not single use; it is short-lived and good for nothing else. Several
 * secrets may verify (the first signs), for a rotation without broken links.
 */
export interface SignedLinks {
  /** The link to `resourceId`, valid `ttlMs` from `now`. */
  sign(resourceId: string, now?: number): string;
  /** Why the link's query does not open `resourceId` now, or null when it does. */
  check(
    resourceId: string,
    query: URLSearchParams | Readonly<Record<string, unknown>>,
    now?: number,
  ): LinkRefusal | null;
}

export type LinkRefusal = 'missing' | 'malformed' | 'expired' | 'too_far' | 'forged';

export function createSignedLinks(options: {
  /** The first signs; the others still verify (rotation). */
  secrets: readonly (string | Buffer)[];
  /** What the links are for ("bbb-document"): a link of one purpose never opens another's resource. */
  purpose: string;
  /** Where the resource is served; the id is appended, URL-encoded. */
  baseUrl: string;
  ttlMs: number;
}): SignedLinks {
  const secrets = options.secrets.map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s));
  const first = secrets[0];
  if (!first || secrets.some((s) => s.length < 32)) throw new Error('signed links need secrets of at least 32 bytes');
  if (!(options.ttlMs >= 1_000 && options.ttlMs <= 24 * 3_600_000)) throw new Error('ttlMs must be 1 s to 24 h');
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const mac = (key: Buffer, id: string, exp: number) =>
    createHmac('sha256', key).update(`${options.purpose}\n${id}\n${exp}`).digest();
  const read = (query: URLSearchParams | Readonly<Record<string, unknown>>, name: string) => {
    const value = query instanceof URLSearchParams ? query.get(name) : query[name];
    return typeof value === 'string' ? value : null;
  };
  return {
    sign(resourceId, now = Date.now()) {
      const exp = Math.ceil((now + options.ttlMs) / 1000);
      return `${base}${encodeURIComponent(resourceId)}?exp=${exp}&sig=${mac(first, resourceId, exp).toString('base64url')}`;
    },
    check(resourceId, query, now = Date.now()) {
      const exp = read(query, 'exp');
      const sig = read(query, 'sig');
      if (exp === null || sig === null) return 'missing';
      if (!/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'malformed';
      const given = Buffer.from(sig, 'base64url');
      if (!secrets.some((key) => timingSafeEqual(mac(key, resourceId, Number(exp)), given))) return 'forged';
      if (Number(exp) * 1000 <= now) return 'expired';
      // A link valid for longer than any this service makes was not made by it with today's settings.
      if (Number(exp) * 1000 > now + options.ttlMs + 1_000) return 'too_far';
      return null;
    },
  };
}
