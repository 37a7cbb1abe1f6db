/**
 * A browser stand-in for protocol tests: keeps cookies per host and follows redirects one hop at a time, so a test
 * can stop at the hop it wants to inspect (the redirect back to a client with `code=` or `ticket=`).
 */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location: string | null;
  readonly body: string;
}

export interface UserAgent {
  /** One request; the cookies it sets are kept. */
  request(
    url: string,
    init?: { method?: string; form?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<Hop>;
  /** Follows redirects until `stop(url)` is true for the next location (not requested), or a non-redirect answer. */
  follow(url: string, stop?: (location: string) => boolean, maxHops?: number): Promise<Hop[]>;
  cookies(host: string): Map<string, string>;
}

export function createUserAgent(fetchImpl: typeof fetch = fetch): UserAgent {
  const jar = new Map<string, Map<string, string>>();
  const cookiesFor = (host: string) => {
    let cookies = jar.get(host);
    if (!cookies) {
      cookies = new Map();
      jar.set(host, cookies);
    }
    return cookies;
  };

  async function request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Hop> {
    const target = new URL(url);
    const cookies = cookiesFor(target.host);
    const headers: Record<string, string> = { ...init.headers };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetchImpl(url, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    return {
      url,
      status: response.status,
      location: location === null ? null : new URL(location, url).href,
      body: await response.text(),
    };
  }

  return {
    request,
    async follow(url, stop = () => false, maxHops = 20) {
      const hops: Hop[] = [];
      let next: string | null = url;
      while (next !== null && hops.length < maxHops) {
        const hop = await request(next);
        hops.push(hop);
        if (hop.status < 300 || hop.status >= 400 || hop.location === null || stop(hop.location)) break;
        next = hop.location;
      }
      return hops;
    },
    cookies: (host) => cookiesFor(host),
  };
}

/**
 * Follows a sign-in like a person: redirects until the IdP's login form, posts the credentials, and follows on
 * until `stopAt` says so (or a page answers). Works with the testkit's OpenID provider's form (test user alice by
 * default, whose password is her name).
 */
export async function signInThroughForm(
  agent: UserAgent,
  startUrl: string,
  stopAt: (url: string) => boolean,
  username = 'alice',
  password = username,
): Promise<{ hops: Hop[]; last: Hop | undefined; location: string | null }> {
  let hops = await agent.follow(startUrl, stopAt);
  let last = hops.at(-1);
  if (last && last.status === 200 && last.body.includes('name="password"')) {
    const action = /action="([^"]+)"/.exec(last.body)?.[1] ?? '';
    const posted = await agent.request(new URL(action, last.url).href, { form: { username, password } });
    hops = posted.location ? [...hops, posted, ...(await agent.follow(posted.location, stopAt))] : [...hops, posted];
    last = hops.at(-1);
  }
  return { hops, last, location: last?.location ?? null };
}
