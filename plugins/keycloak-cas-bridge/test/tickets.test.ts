import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newTicket, TICKET_LENGTH, ticketKind } from '../src/core/tickets.js';

describe('ticket identifiers', () => {
  it.each(['ST', 'PT', 'PGT', 'PGTIOU', 'TGC'] as const)('%s tickets have the right prefix and length', (kind) => {
    const ticket = newTicket(kind);
    expect(ticket.startsWith(`${kind}-`)).toBe(true);
    expect(ticket).toHaveLength(TICKET_LENGTH[kind]);
  });

  it('ST and PT are 32 characters, PGT 64 (what every client must accept)', () => {
    expect(newTicket('ST')).toHaveLength(32);
    expect(newTicket('PGT')).toHaveLength(64);
  });

  it('never holds a character outside [A-Za-z0-9-], whatever the random bytes (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ST', 'PT', 'PGT', 'PGTIOU', 'TGC' as const),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        (kind, bytes) => {
          let offset = 0;
          // A hostile source: the given bytes, then a cycle of them, including 248-255 that must be dropped.
          const random = (n: number) => Uint8Array.from({ length: n }, () => bytes[offset++ % bytes.length] ?? 0);
          const allHigh = bytes.every((b) => b >= 248);
          if (allHigh) return true; // would never yield a symbol; not a source crypto.randomBytes can be
          return /^[A-Za-z0-9-]+$/.test(newTicket(kind, random));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('does not repeat over 100,000 tickets', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(newTicket('ST'));
    expect(seen.size).toBe(100_000);
  });

  it('recognises the kind of a presented ticket and refuses anything else', () => {
    expect(ticketKind('ST-abc')).toBe('ST');
    expect(ticketKind('PGTIOU-abc')).toBe('PGTIOU');
    expect(ticketKind('PGT-abc')).toBe('PGT');
    expect(ticketKind('TGC-abc')).toBeNull();
    expect(ticketKind('ST_abc')).toBeNull();
    expect(ticketKind('ST-ab c')).toBeNull();
    expect(ticketKind(`ST-${'a'.repeat(300)}`)).toBeNull();
  });
});
