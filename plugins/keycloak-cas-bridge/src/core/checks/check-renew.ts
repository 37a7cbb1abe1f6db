import { CasError } from '../errors.js';
import type { Check } from './context.js';

/**
 * With `renew=true`, validation succeeds only for a ticket issued from a fresh login at the IdP, not from an existing
 * SSO session (CAS 3.0.3, 2.5.1). A service registered with forced renew gets the same rule without asking.
 */
export const checkRenew: Check = (ctx) => {
  const ticket = ctx.ticket;
  if (!ticket) throw new Error('checkRenew runs after consumeTicket');
  const forced = ctx.deps.registry().byId(ticket.serviceId)?.forceRenew ?? false;
  const asked = ctx.params.renew !== undefined && ctx.params.renew !== 'false';
  if ((asked || forced) && !ticket.fromNewLogin) {
    throw new CasError('INVALID_TICKET', 'cas.INVALID_TICKET.renew', { ticket: ticket.id.slice(0, 40) });
  }
};
