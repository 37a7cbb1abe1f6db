import { randomBytes } from 'node:crypto';
import {
  type PgtRecord,
  type SessionService,
  type SsoSession,
  type TicketRecord,
  type TicketStore,
  withService,
} from '../core/records.js';

/** For tests and a single process: everything in Maps, expired entries swept as they are met and every minute. */
export function createMemoryTicketStore(): TicketStore {
  const tickets = new Map<string, TicketRecord>();
  const sessions = new Map<string, SsoSession>();
  const pgts = new Map<string, PgtRecord>();
  const logins = new Map<string, { expiresAt: number }>();
  const keys = [randomBytes(32)];
  const live = <T extends { expiresAt: number }>(map: Map<string, T>, id: string, now: number): T | null => {
    const value = map.get(id);
    if (!value) return null;
    if (value.expiresAt <= now) {
      map.delete(id);
      return null;
    }
    return value;
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const map of [tickets, sessions, pgts, logins] as Map<string, { expiresAt: number }>[]) {
      for (const [id, value] of map) if (value.expiresAt <= now) map.delete(id);
    }
  }, 60_000);
  sweep.unref();

  return {
    async putTicket(ticket) {
      tickets.set(ticket.id, ticket);
    },
    async takeTicket(id, now) {
      // Synchronous get + delete: no other validation can run between the two in this process.
      const ticket = live(tickets, id, now);
      tickets.delete(id);
      return ticket;
    },
    async putSession(session) {
      sessions.set(session.id, session);
    },
    async getSession(id, now) {
      return live(sessions, id, now);
    },
    async addSessionService(id, entry: SessionService, now) {
      const session = live(sessions, id, now);
      if (session) sessions.set(id, { ...session, services: withService(session.services, entry) });
    },
    async deleteSession(id) {
      const session = sessions.get(id) ?? null;
      sessions.delete(id);
      for (const [pgtId, pgt] of pgts) if (pgt.sessionId === id) pgts.delete(pgtId);
      return session;
    },
    async putPgt(pgt) {
      pgts.set(pgt.id, pgt);
    },
    async getPgt(id, now) {
      return live(pgts, id, now);
    },
    async claimLogin(id, expiresAt) {
      // Synchronous check + set: no other callback can run between the two in this process.
      if (live(logins, id, Date.now())) return false;
      logins.set(id, { expiresAt });
      return true;
    },
    async loginKeys() {
      return keys;
    },
    async countSessions(now) {
      let n = 0;
      for (const session of sessions.values()) if (session.expiresAt > now) n++;
      return n;
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
    },
  };
}
