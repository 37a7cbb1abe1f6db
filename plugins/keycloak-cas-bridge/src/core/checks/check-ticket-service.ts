import { CasError } from '../errors.js';
import { parseServiceUrl } from '../service-url.js';
import type { Check } from './context.js';

/**
 * A ticket is bound to the exact service it was issued for (CAS 3.0.3, 2.5.1 and 3.1.1): the presented `service`,
 * in canonical form, must equal the one stored with the ticket. A mismatch is INVALID_SERVICE, and the ticket stays
 * consumed (keycloak-protocol-cas checks only "same client", and before consuming: both are fixed here).
 */
export const checkTicketService: Check = (ctx) => {
  const ticket = ctx.ticket;
  if (!ticket) throw new Error('checkTicketService runs after consumeTicket');
  const parsed = parseServiceUrl(ctx.params.service ?? '');
  if (!parsed.ok || parsed.url.href !== ticket.service) {
    throw new CasError('INVALID_SERVICE', 'cas.INVALID_SERVICE', { ticket: ticket.id.slice(0, 40) });
  }
  ctx.service = parsed.url;
};
