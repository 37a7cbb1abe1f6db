import { checkFormat } from './checks/check-format.js';
import { checkPgtUrl } from './checks/check-pgt-url.js';
import { checkRenew } from './checks/check-renew.js';
import { checkRequiredParams } from './checks/check-required-params.js';
import { checkTicketKind } from './checks/check-ticket-kind.js';
import { checkTicketService } from './checks/check-ticket-service.js';
import { consumeTicket } from './checks/consume-ticket.js';
import type {
  Check,
  ValidationContext,
  ValidationDeps,
  ValidationEndpoint,
  ValidationParams,
} from './checks/context.js';
import { CasError } from './errors.js';
import { type AuthenticationSuccess, renderFailure, renderSuccess, renderValidate1 } from './responses.js';
import { samlFailure, samlSuccess } from './saml11.js';

/**
 * Every validation endpoint's checks, in order. Rows are rules, columns endpoints: one glance shows what each
 * endpoint enforces (after node-oidc-provider's `actions/authorization/index.js`).
 *
 * | check                 | validate | serviceValidate | proxyValidate | p3/serviceValidate | p3/proxyValidate |
 * |-----------------------|----------|-----------------|---------------|--------------------|------------------|
 * | checkFormat           |          | x               | x             | x                  | x                |
 * | checkRequiredParams   | x        | x               | x             | x                  | x                |
 * | consumeTicket         | x        | x               | x             | x                  | x                |
 * | checkTicketKind       | x        | x               | x             | x                  | x                |
 * | checkTicketService    | x        | x               | x             | x                  | x                |
 * | checkRenew            | x        | x               | x             | x                  | x                |
 * | checkPgtUrl           |          | x               | x             | x                  | x                |
 *
 * `samlValidate` (SAML 1.1, TARGET = service, AssertionArtifact = ticket) runs the validate column's checks.
 */
const CAS1: readonly Check[] = [checkRequiredParams, consumeTicket, checkTicketKind, checkTicketService, checkRenew];
const CAS2: readonly Check[] = [checkFormat, ...CAS1, checkPgtUrl];

const PIPELINES: Readonly<Record<ValidationEndpoint, readonly Check[]>> = {
  validate: CAS1,
  serviceValidate: CAS2,
  proxyValidate: CAS2,
  'p3/serviceValidate': CAS2,
  'p3/proxyValidate': CAS2,
  samlValidate: CAS1,
};

export interface ValidationOutcome {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** For metrics and logs: 'success' or the CAS error code. */
  readonly result: 'success' | CasError['code'];
  /** The unexpected error behind an INTERNAL_ERROR, for the log. */
  readonly cause?: unknown;
}

/** CAS 3 attributes added to the released ones on /p3 endpoints (CAS 3.0.3, appendix A). */
function cas3Attributes(ctx: ValidationContext): Record<string, readonly string[]> {
  const ticket = ctx.ticket;
  if (!ticket) return {};
  return {
    ...ticket.principal.attributes,
    authenticationDate: [ticket.authenticationDate],
    isFromNewLogin: [String(ticket.fromNewLogin)],
    longTermAuthenticationRequestTokenUsed: ['false'],
  };
}

export async function validate(
  endpoint: ValidationEndpoint,
  params: ValidationParams,
  deps: ValidationDeps,
): Promise<ValidationOutcome> {
  const ctx: ValidationContext = { endpoint, params, deps, format: 'XML' };
  const contentType = () =>
    endpoint === 'validate'
      ? 'text/plain; charset=utf-8'
      : endpoint === 'samlValidate'
        ? 'text/xml; charset=utf-8'
        : ctx.format === 'JSON'
          ? 'application/json; charset=utf-8'
          : 'application/xml; charset=utf-8';
  const target = params.service ?? '';
  try {
    for (const check of PIPELINES[endpoint]) await check(ctx);
  } catch (error) {
    // A store outage or a bug answers INTERNAL_ERROR to the client; the cause goes to the caller's log.
    const casError = error instanceof CasError ? error : new CasError('INTERNAL_ERROR', 'cas.INTERNAL_ERROR');
    const body =
      endpoint === 'validate'
        ? renderValidate1(null)
        : endpoint === 'samlValidate'
          ? samlFailure(target, casError.code, casError.message, new Date(deps.now()))
          : renderFailure(ctx.format, casError.code, casError.message);
    return {
      status: 200,
      contentType: contentType(),
      body,
      result: casError.code,
      cause: error instanceof CasError ? undefined : error,
    };
  }
  const ticket = ctx.ticket;
  if (!ticket) throw new Error('pipeline ended without a ticket');
  if (endpoint === 'samlValidate') {
    const body = samlSuccess(ticket, target, deps.issuer, new Date(deps.now()));
    return { status: 200, contentType: contentType(), body, result: 'success' };
  }
  if (endpoint === 'validate')
    return { status: 200, contentType: contentType(), body: renderValidate1(ticket.principal.user), result: 'success' };
  const success: AuthenticationSuccess = {
    user: ticket.principal.user,
    attributes: endpoint.startsWith('p3/') ? cas3Attributes(ctx) : null,
    proxyGrantingTicketIou: ctx.pgt?.iou ?? null,
    proxies: endpoint.endsWith('proxyValidate') ? ticket.proxies : [],
  };
  return { status: 200, contentType: contentType(), body: renderSuccess(ctx.format, success), result: 'success' };
}

export type { ProxyCallback, ValidationDeps, ValidationEndpoint, ValidationParams } from './checks/context.js';
