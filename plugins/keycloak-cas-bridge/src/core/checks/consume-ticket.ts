import { CasError } from '../errors.js';
import { ticketKind } from '../tickets.js';
import type { Check } from './context.js';

/**
 * A ticket is single use, **even when its validation fails** (CAS 3.0.3, 3.1.1 and 3.2.1: "the ticket MUST be
 * invalidated after a validation attempt, successful or not"). So it is taken out of the store first, atomically,
 * before any other rule looks at it: a replay, or a second concurrent validation, finds nothing.
 */
export const consumeTicket: Check = async (ctx) => {
  const raw = ctx.params.ticket ?? '';
  const shown = raw.slice(0, 40);
  const kind = ticketKind(raw);
  if (kind !== 'ST' && kind !== 'PT') throw new CasError('INVALID_TICKET', 'cas.INVALID_TICKET', { ticket: shown });
  const ticket = await ctx.deps.store.takeTicket(raw, ctx.deps.now());
  if (ticket === null) throw new CasError('INVALID_TICKET', 'cas.INVALID_TICKET', { ticket: shown });
  ctx.ticket = ticket;
};
