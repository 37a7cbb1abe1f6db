import { randomBytes } from 'node:crypto';

/**
 * Ticket identifiers (CAS Protocol 3.0.3, section 3.7 and 3.1.1-3.4.1):
 * - only `A-Z a-z 0-9 -` (an `_` makes mod_auth_cas loop forever; the spec's own charset);
 * - ST and PT: clients MUST accept 32 characters, so they are exactly 32 (prefix included); PGT and PGTIOU: 64;
 * - from a cryptographic source, unbiased (rejection sampling), so they cannot be guessed: an ST carries
 *   29 characters of 62 symbols, about 172 bits.
 */
export type TicketKind = 'ST' | 'PT' | 'PGT' | 'PGTIOU' | 'TGC';

export const TICKET_LENGTH: Readonly<Record<TicketKind, number>> = { ST: 32, PT: 32, PGT: 64, PGTIOU: 64, TGC: 64 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// The largest multiple of 62 below 256: bytes at or above it are dropped so every symbol is equally likely.
const UNBIASED_LIMIT = 248;

export type RandomBytes = (size: number) => Uint8Array;

export function newTicket(kind: TicketKind, random: RandomBytes = randomBytes): string {
  const needed = TICKET_LENGTH[kind] - kind.length - 1;
  let body = '';
  while (body.length < needed) {
    for (const byte of random(needed * 2)) {
      if (byte < UNBIASED_LIMIT) body += ALPHABET[byte % 62];
      if (body.length === needed) break;
    }
  }
  return `${kind}-${body}`;
}

/** What a presented ticket looks like: its kind, or null when it cannot be one of ours. */
export function ticketKind(ticket: string): Exclude<TicketKind, 'TGC'> | null {
  if (ticket.length > 256 || !/^[A-Za-z0-9-]+$/.test(ticket)) return null;
  const match = /^(ST|PT|PGTIOU|PGT)-/.exec(ticket);
  return (match?.[1] as Exclude<TicketKind, 'TGC'> | undefined) ?? null;
}
