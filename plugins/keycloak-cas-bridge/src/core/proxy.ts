import { CasError } from './errors.js';
import { principalFor } from './issue.js';
import type { TicketStore } from './records.js';
import { mayProxyTo, type Registry } from './registry.js';
import { type ResponseFormat, renderProxyFailure, renderProxySuccess } from './responses.js';
import { parseServiceUrl } from './service-url.js';
import { ticketKind } from './tickets.js';

export interface ProxyDeps {
  readonly registry: () => Registry;
  readonly store: TicketStore;
  readonly now: () => number;
  readonly newTicket: (kind: 'PT') => string;
  readonly ticketTtlMs: number;
}

export interface ProxyOutcome {
  readonly contentType: string;
  readonly body: string;
  readonly result: 'success' | CasError['code'];
  readonly cause?: unknown;
}

/**
 * `/proxy` (CAS 3.0.3, 2.7): a PGT buys a proxy ticket for one target service. Rules, in order: both parameters
 * present (INVALID_REQUEST); the PGT exists and its SSO session still lives (INVALID_TICKET); the target is a
 * registered service, the proxy's registry entry lists it among its proxy targets, and the person passes the
 * target's access gate (UNAUTHORIZED_SERVICE). The PT is bound to the target and records the proxy chain.
 */
export async function proxy(
  params: { pgt?: string; targetService?: string; format?: string },
  deps: ProxyDeps,
): Promise<ProxyOutcome> {
  const format: ResponseFormat = params.format === 'JSON' ? 'JSON' : 'XML';
  const contentType = format === 'JSON' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
  try {
    if (params.format !== undefined && params.format !== 'XML' && params.format !== 'JSON') {
      throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST.format', { format: params.format.slice(0, 32) });
    }
    const missing = (['pgt', 'targetService'] as const).filter((name) => !params[name]);
    if (missing.length > 0)
      throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST', { details: missing.join(', ') });
    const raw = params.pgt ?? '';
    const now = deps.now();
    const pgt = ticketKind(raw) === 'PGT' ? await deps.store.getPgt(raw, now) : null;
    const session = pgt ? await deps.store.getSession(pgt.sessionId, now) : null;
    if (!pgt || !session) throw new CasError('INVALID_TICKET', 'cas.INVALID_TICKET', { ticket: raw.slice(0, 40) });
    const target = parseServiceUrl(params.targetService ?? '');
    const registry = deps.registry();
    const proxyService = registry.byId(pgt.serviceId);
    const targetService = target.ok ? registry.find(target.url) : undefined;
    if (!target.ok || !proxyService || !targetService || !mayProxyTo(proxyService, target.url)) {
      throw new CasError('UNAUTHORIZED_SERVICE', 'cas.UNAUTHORIZED_SERVICE');
    }
    const principal = principalFor(targetService, session.claims);
    if (!principal.ok) throw new CasError('UNAUTHORIZED_SERVICE', 'cas.UNAUTHORIZED_SERVICE');
    const id = deps.newTicket('PT');
    await deps.store.putTicket({
      id,
      kind: 'PT',
      service: target.url.href,
      serviceId: targetService.id,
      sessionId: session.id,
      principal: principal.principal,
      fromNewLogin: false,
      authenticationDate: session.authenticationDate,
      proxies: [pgt.proxyCallback, ...pgt.proxies],
      expiresAt: now + deps.ticketTtlMs,
    });
    return { contentType, body: renderProxySuccess(format, id), result: 'success' };
  } catch (error) {
    const casError = error instanceof CasError ? error : new CasError('INTERNAL_ERROR', 'cas.INTERNAL_ERROR');
    return {
      contentType,
      body: renderProxyFailure(format, casError.code, casError.message),
      result: casError.code,
      cause: error instanceof CasError ? undefined : error,
    };
  }
}
