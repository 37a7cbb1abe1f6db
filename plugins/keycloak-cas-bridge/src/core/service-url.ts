/**
 * Service URLs: parsed once into a canonical form, so that the registry match, the ticket binding and the redirect
 * all use the same value (CAS 3.0.3 sets no normalisation rule; clients encode differently: mod_auth_cas writes
 * `%3a`, phpCAS `%3A`, http-cas-client encodes partly).
 *
 * Canonical form: https or http only; scheme and host lower-case (IDN to punycode, Unicode full stops to `.`: the
 * WHATWG URL parser does both); default port removed; no userinfo; no fragment; every path segment and query
 * component percent-decoded then re-encoded one single way. Anything that could make two parsers disagree is
 * refused outright: control characters, CR/LF (raw or encoded), backslashes, and more than 2048 characters.
 */
export interface ServiceUrl {
  /** The canonical URL: what is matched, stored with tickets, and redirected to. */
  readonly href: string;
  readonly origin: string;
  readonly path: string;
}

export const MAX_SERVICE_URL_LENGTH = 2048;

export type ServiceUrlProblem =
  | 'empty'
  | 'too_long'
  | 'not_absolute'
  | 'scheme'
  | 'userinfo'
  | 'forbidden_character'
  | 'bad_encoding';

export type ParsedServiceUrl = { ok: true; url: ServiceUrl } | { ok: false; problem: ServiceUrlProblem };

// Characters kept as they are in a path segment or query component; everything else is percent-encoded (RFC 3986
// unreserved plus the sub-delimiters that keep their meaning inside a component).
const KEEP = /[A-Za-z0-9\-._~!$'()*+,;:@]/;

function encodeComponent(decoded: string): string {
  let out = '';
  for (const char of decoded) {
    if (KEEP.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function recode(component: string): string | null {
  try {
    // Form encoding in queries: '+' is a space for some clients; keep it literal as it was sent (no guessing).
    return encodeComponent(decodeURIComponent(component));
  } catch {
    return null;
  }
}

export function parseServiceUrl(raw: string): ParsedServiceUrl {
  if (raw === '') return { ok: false, problem: 'empty' };
  if (raw.length > MAX_SERVICE_URL_LENGTH) return { ok: false, problem: 'too_long' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the purpose here.
  if (/[\u0000-\u001f\u007f\\]/.test(raw) || /%0[aAdD0]/.test(raw) || /%5[cC]/.test(raw)) {
    return { ok: false, problem: 'forbidden_character' };
  }
  if (!/^https?:\/\/[^/]/i.test(raw))
    return { ok: false, problem: /^[a-z][a-z0-9+.-]*:/i.test(raw) ? 'scheme' : 'not_absolute' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'not_absolute' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'scheme' };
  const authority = /^https?:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) {
    return { ok: false, problem: 'userinfo' };
  }
  const segments = url.pathname.split('/').map(recode);
  if (segments.some((s) => s === null)) return { ok: false, problem: 'bad_encoding' };
  let query = '';
  if (url.search.length > 1) {
    const parts = url.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 0) return recode(pair);
        const key = recode(pair.slice(0, eq));
        const value = recode(pair.slice(eq + 1));
        return key === null || value === null ? null : `${key}=${value}`;
      });
    if (parts.some((p) => p === null)) return { ok: false, problem: 'bad_encoding' };
    query = `?${parts.join('&')}`;
  }
  const path = segments.join('/') || '/';
  const origin = `${url.protocol}//${url.host}`;
  return { ok: true, url: { href: `${origin}${path}${query}`, origin, path } };
}

/** A registry rule, compiled. */
export type MatchRule =
  | { readonly kind: 'exact'; readonly url: ServiceUrl }
  | { readonly kind: 'prefix'; readonly url: ServiceUrl }
  | { readonly kind: 'regex'; readonly pattern: RegExp };

/**
 * A path a web server could read as another one: the ticket would reach a different application on the same host.
 * The canonical form keeps an encoded slash (`%2F`), an encoded percent (`%25`, double encoding: `%252F` is `%2F`
 * once decoded by the server) and segments such as `..;` (Tomcat and Jetty drop the `;...` path parameter, then
 * resolve `..`) as they are; a proxy that decodes before routing, or a servlet container, turns
 * `/app/..%2Fadmin` or `/app/..;/admin` into `/admin`. Literal and `%2e` dot segments are already resolved by the
 * URL parser. Such a path never passes a prefix or regex rule (an exact rule names the URL itself).
 */
export function hasAmbiguousPath(path: string): boolean {
  if (/%(2f|5c|25)/i.test(path)) return true;
  return path.split('/').some((segment) => /^(\.|%2e){1,2}(;|$)/i.test(segment) || segment.startsWith('..;'));
}

/**
 * Does this canonical service URL fall under the rule?
 * - exact: the same canonical URL, query included;
 * - prefix: the same origin (scheme, host, port), and a path equal to the prefix's or below it at a segment
 *   boundary (`/moodle` covers `/moodle/login`, not `/moodle-evil`), never an ambiguous path; the query is free;
 * - regex: anchored at both ends by construction, tested on the canonical URL, never an ambiguous path.
 */
export function matches(rule: MatchRule, service: ServiceUrl): boolean {
  switch (rule.kind) {
    case 'exact':
      return rule.url.href === service.href;
    case 'prefix': {
      if (rule.url.origin !== service.origin || hasAmbiguousPath(service.path)) return false;
      const prefix = rule.url.path;
      if (service.path === prefix) return true;
      return service.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
    }
    case 'regex':
      return !hasAmbiguousPath(service.path) && rule.pattern.test(service.href);
  }
}

/** Compiles an administrator's regex so that it can only match a whole URL. */
export function anchoredRegex(source: string): RegExp {
  return new RegExp(`^(?:${source})$`, 'u');
}
