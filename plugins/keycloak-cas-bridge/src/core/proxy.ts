import { CasError } from './errors.js';
import { principalFor } from './issue.js';
import type { CoreDeps, PgtRecord, Principal, SsoSession } from './records.js';
import { mayProxyTo, type RegisteredService } from './registry.js';
import { type ResponseFormat, renderProxyFailure, renderProxySuccess } from './responses.js';
import { parseServiceUrl, type ServiceUrl } from './service-url.js';
import { ticketKind } from './tickets.js';

export interface ProxyDeps extends CoreDeps {
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
 * `/proxy` (CAS 3.0.3, 2.7): a PGT buys a proxy ticket for one target service. Its checks, in order, in the table
 * style of validation.ts; the first that fails answers its CAS error:
 *
 * | step               | rule                                                                          | error                |
 * |--------------------|-------------------------------------------------------------------------------|----------------------|
 * | checkFormat        | `format` is XML or JSON                                                       | INVALID_REQUEST      |
 * | checkParams        | `pgt` and `targetService` present                                             | INVALID_REQUEST      |
 * | findPgt            | a PGT that exists, whose SSO session still lives                              | INVALID_TICKET       |
 * | checkTarget        | a registered target, among the proxy targets of the PGT's service             | UNAUTHORIZED_SERVICE |
 * | checkTargetAccess  | the person passes the target's access gate and has its username claim         | UNAUTHORIZED_SERVICE |
 * | issueProxyTicket   | a PT bound to the target, recording the proxy chain                           |                      |
 */
interface ProxyContext {
  readonly params: ProxyParams;
  readonly deps: ProxyDeps;
  readonly now: number;
  pgt?: PgtRecord;
  session?: SsoSession;
  target?: { url: ServiceUrl; service: RegisteredService };
  principal?: Principal;
  ticket?: string;
}

export interface ProxyParams {
  readonly pgt?: string;
  readonly targetService?: string;
  readonly format?: string;
}

type ProxyStep = (ctx: ProxyContext) => Promise<void> | void;

const checkFormat: ProxyStep = ({ params }) => {
  if (params.format !== undefined && params.format !== 'XML' && params.format !== 'JSON')
    throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST.format', { format: params.format.slice(0, 32) });
};

const checkParams: ProxyStep = ({ params }) => {
  const missing = (['pgt', 'targetService'] as const).filter((name) => !params[name]);
  if (missing.length > 0) throw new CasError('INVALID_REQUEST', 'cas.INVALID_REQUEST', { details: missing.join(', ') });
};

const findPgt: ProxyStep = async (ctx) => {
  const raw = ctx.params.pgt ?? '';
  const pgt = ticketKind(raw) === 'PGT' ? await ctx.deps.store.getPgt(raw, ctx.now) : null;
  const session = pgt ? await ctx.deps.store.getSession(pgt.sessionId, ctx.now) : null;
  if (!pgt || !session) throw new CasError('INVALID_TICKET', 'cas.INVALID_TICKET', { ticket: raw.slice(0, 40) });
  ctx.pgt = pgt;
  ctx.session = session;
};

const checkTarget: ProxyStep = (ctx) => {
  const parsed = parseServiceUrl(ctx.params.targetService ?? '');
  const registry = ctx.deps.registry();
  const proxyService = ctx.pgt ? registry.byId(ctx.pgt.serviceId) : undefined;
  const service = parsed.ok ? registry.find(parsed.url) : undefined;
  if (!parsed.ok || !proxyService || !service || !mayProxyTo(proxyService, parsed.url))
    throw new CasError('UNAUTHORIZED_SERVICE', 'cas.UNAUTHORIZED_SERVICE');
  ctx.target = { url: parsed.url, service };
};

const checkTargetAccess: ProxyStep = (ctx) => {
  if (!ctx.target || !ctx.session) throw new Error('checkTargetAccess runs after checkTarget');
  const principal = principalFor(ctx.target.service, ctx.session.claims);
  if (!principal.ok) throw new CasError('UNAUTHORIZED_SERVICE', 'cas.UNAUTHORIZED_SERVICE');
  ctx.principal = principal.principal;
};

const issueProxyTicket: ProxyStep = async (ctx) => {
  const { target, session, pgt, principal } = ctx;
  if (!target || !session || !pgt || !principal) throw new Error('issueProxyTicket runs last');
  const id = ctx.deps.newTicket('PT');
  await ctx.deps.store.putTicket({
    id,
    kind: 'PT',
    service: target.url.href,
    serviceId: target.service.id,
    sessionId: session.id,
    principal,
    fromNewLogin: false,
    authenticationDate: session.authenticationDate,
    proxies: [pgt.proxyCallback, ...pgt.proxies],
    expiresAt: ctx.now + ctx.deps.ticketTtlMs,
  });
  ctx.ticket = id;
};

const PROXY: readonly ProxyStep[] = [
  checkFormat,
  checkParams,
  findPgt,
  checkTarget,
  checkTargetAccess,
  issueProxyTicket,
];

export async function proxy(params: ProxyParams, deps: ProxyDeps): Promise<ProxyOutcome> {
  const format: ResponseFormat = params.format === 'JSON' ? 'JSON' : 'XML';
  const contentType = format === 'JSON' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
  const ctx: ProxyContext = { params, deps, now: deps.now() };
  try {
    for (const step of PROXY) await step(ctx);
    return { contentType, body: renderProxySuccess(format, ctx.ticket ?? ''), result: 'success' };
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
