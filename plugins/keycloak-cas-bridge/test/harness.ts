import { fakeClock } from '@apps-education/testkit';
import { principalFor, serviceTicket } from '../src/core/issue.js';
import type { SsoSession, TicketStore } from '../src/core/records.js';
import { parseRegistry } from '../src/core/registry.js';
import { parseServiceUrl, type ServiceUrl } from '../src/core/service-url.js';
import { newTicket } from '../src/core/tickets.js';
import type { ProxyCallback, ValidationDeps } from '../src/core/validation.js';

export const REGISTRY_YAML = `
services:
  - id: app-a
    name: Application A
    match: { prefix: "https://a.ac-test.fr/" }
    attributes: { mail: email, displayName: name, memberOf: groups }
  - id: app-b
    name: Application B
    match: { prefix: "https://b.ac-test.fr/" }
  - id: portal-proxy
    name: ENT (proxy)
    match: { prefix: "https://ent.ac-test.fr/" }
    attributes: { mail: email }
    proxy:
      allowed: true
      targets: [{ prefix: "https://api.ac-test.fr/" }]
  - id: pgt-elsewhere
    name: Callbacks on another host
    match: { prefix: "https://pgt.ac-test.fr/" }
    proxy:
      allowed: true
      callbacks: [{ prefix: "https://callbacks.ac-test.fr/cas/" }]
  - id: api
    name: API behind the ENT
    match: { prefix: "https://api.ac-test.fr/" }
    attributes: { uid: preferred_username }
  - id: staff-only
    name: Staff only
    match: { prefix: "https://staff.ac-test.fr/" }
    access: { groups: ["admin_*"] }
  - id: renew-always
    name: Renew always
    match: { prefix: "https://exam.ac-test.fr/" }
    renew: true
`;

export function url(raw: string): ServiceUrl {
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.url;
}

export const ALICE_CLAIMS = {
  sub: 'f3b7c2a0-1111',
  preferred_username: 'alice',
  email: 'alice@ac-test.fr',
  name: 'Alice Martin',
  groups: ['admin_maths-4e-b', 'member_sciences'],
};

export function harness(store: TicketStore, options: { callback?: ProxyCallback; unsafeHttp?: boolean } = {}) {
  const clock = fakeClock(Date.now());
  const registry = parseRegistry(REGISTRY_YAML);
  const callbacks: { url: string; pgtId: string; pgtIou: string }[] = [];
  const deps: ValidationDeps = {
    registry: () => registry,
    store,
    now: clock.now,
    newTicket: (kind) => newTicket(kind),
    proxyCallback:
      options.callback ??
      (async (u, pgtId, pgtIou) => {
        callbacks.push({ url: u.href, pgtId, pgtIou });
        return 'delivered';
      }),
    unsafeAllowHttpPgtUrl: options.unsafeHttp ?? false,
    issuer: 'cas.ac-test.fr',
  };

  async function session(
    claims: Record<string, string | string[]> = ALICE_CLAIMS,
    extra: { idpSessionId?: string; ttlMs?: number } = {},
  ): Promise<SsoSession> {
    const s: SsoSession = {
      id: newTicket('TGC'),
      subject: String(claims.sub),
      claims,
      authenticationDate: new Date(clock.now()).toISOString(),
      idToken: null,
      idpSessionId: extra.idpSessionId ?? null,
      services: [],
      expiresAt: clock.now() + (extra.ttlMs ?? 8 * 3_600_000),
    };
    await store.putSession(s);
    return s;
  }

  async function issue(
    serviceUrl: string,
    options: { session?: SsoSession; fromNewLogin?: boolean; ttlMs?: number } = {},
  ) {
    const service = url(serviceUrl);
    const registered = registry.find(service);
    if (!registered) throw new Error(`not registered: ${serviceUrl}`);
    const s = options.session ?? (await session());
    const principal = principalFor(registered, s.claims);
    if (!principal.ok) throw new Error(principal.reason);
    const ticket = serviceTicket({
      id: newTicket('ST'),
      service,
      registered,
      session: s,
      principal: principal.principal,
      fromNewLogin: options.fromNewLogin ?? true,
      now: clock.now(),
      ttlMs: options.ttlMs ?? 60_000,
    });
    await store.putTicket(ticket);
    return { ticket: ticket.id, session: s };
  }

  return { clock, registry, deps, callbacks, session, issue };
}
