import type { Principal, SessionClaims, SsoSession, TicketRecord } from './records.js';
import { mayAccess, type RegisteredService } from './registry.js';
import type { ServiceUrl } from './service-url.js';

/** Claim values as CAS attribute values: every value a string, lists kept as lists, absent claims left out. */
function claimValues(claims: SessionClaims, claim: string): string[] {
  const value = claims[claim];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

export function groupsOf(claims: SessionClaims): string[] {
  return claimValues(claims, 'groups');
}

export type PrincipalResult =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'no_username' | 'access_denied' };

/**
 * The person as this service sees them: `cas:user` from the service's username attribute, and only the attributes
 * its release policy names. Refused when the access gate on groups says no, or when the username claim is missing
 * (a ticket without a user would sign the service into an empty account).
 */
export function principalFor(service: RegisteredService, claims: SessionClaims): PrincipalResult {
  if (!mayAccess(service, groupsOf(claims))) return { ok: false, reason: 'access_denied' };
  const [user] = claimValues(claims, service.usernameAttribute);
  if (user === undefined) return { ok: false, reason: 'no_username' };
  const attributes: Record<string, string[]> = {};
  for (const [name, claim] of Object.entries(service.attributes)) {
    const values = claimValues(claims, claim);
    if (values.length > 0) attributes[name] = values;
  }
  return { ok: true, principal: { user, attributes } };
}

export interface IssueOptions {
  readonly id: string;
  readonly service: ServiceUrl;
  readonly registered: RegisteredService;
  readonly session: SsoSession;
  readonly principal: Principal;
  readonly fromNewLogin: boolean;
  readonly now: number;
  readonly ttlMs: number;
}

export function serviceTicket(options: IssueOptions): TicketRecord {
  return {
    id: options.id,
    kind: 'ST',
    service: options.service.href,
    serviceId: options.registered.id,
    sessionId: options.session.id,
    principal: options.principal,
    fromNewLogin: options.fromNewLogin,
    authenticationDate: options.session.authenticationDate,
    proxies: [],
    expiresAt: options.now + options.ttlMs,
  };
}
