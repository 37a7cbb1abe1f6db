import { CasError } from '../errors.js';
import type { Check } from './context.js';

/**
 * `/validate` and `/serviceValidate` never accept a proxy ticket (CAS 3.0.3, 2.4 and 2.5: "MUST NOT return a
 * successful authentication if it receives a proxy ticket"); `/proxyValidate` takes both. The ticket is already
 * consumed: a PT shown to the wrong endpoint is gone.
 */
export const checkTicketKind: Check = (ctx) => {
  const ticket = ctx.ticket;
  if (!ticket) throw new Error('checkTicketKind runs after consumeTicket');
  const proxyEndpoint = ctx.endpoint === 'proxyValidate' || ctx.endpoint === 'p3/proxyValidate';
  if (ticket.kind === 'PT' && !proxyEndpoint) {
    throw new CasError('INVALID_TICKET_SPEC', 'cas.INVALID_TICKET.kind', { ticket: ticket.id.slice(0, 40) });
  }
};
