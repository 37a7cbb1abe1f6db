import { randomBytes } from 'node:crypto';
import {
  type PgtRecord,
  type SessionService,
  type SsoSession,
  type TicketRecord,
  type TicketStore,
  withService,
} from '../core/records.js';

/**
 * For tests and a single process: everything in Maps, expired entries swept as they are met and every minute. The
 * sessions are indexed by subject and IdP session, so a back-channel logout reads its few sessions, not all.
 */
export function createMemoryTicketStore(): TicketStore {
  const tickets = new Map<string, TicketRecord>();
  const sessions = new Map<string, SsoSession>();
  const pgts = new Map<string, PgtRecord>();
  const logins = new Map<string, { expiresAt: number }>();
  const keys = [randomBytes(32)];
  /** `sub:<subject>` and `sid:<IdP session>` → ids of the sessions carrying it. */
  const owners = new Map<string, Set<string>>();
  const ownerKeys = (session: SsoSession) => [
    `sub:${session.subject}`,
    ...(session.idpSessionId ? [`sid:${session.idpSessionId}`] : []),
  ];
  const dropSession = (id: string): SsoSession | null => {
    const session = sessions.get(id) ?? null;
    if (!session) return null;
    sessions.delete(id);
    for (const key of ownerKeys(session)) {
      const ids = owners.get(key);
      ids?.delete(id);
      if (ids?.size === 0) owners.delete(key);
    }
    return session;
  };
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
    for (const map of [tickets, pgts, logins] as Map<string, { expiresAt: number }>[]) {
      for (const [id, value] of map) if (value.expiresAt <= now) map.delete(id);
    }
    for (const [id, session] of sessions) if (session.expiresAt <= now) dropSession(id);
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
      dropSession(session.id);
      sessions.set(session.id, session);
      for (const key of ownerKeys(session)) {
        const ids = owners.get(key) ?? new Set<string>();
        ids.add(session.id);
        owners.set(key, ids);
      }
    },
    async getSession(id, now) {
      const session = sessions.get(id);
      if (session && session.expiresAt <= now) dropSession(id);
      return session && session.expiresAt > now ? session : null;
    },
    async addSessionService(id, entry: SessionService, now) {
      const session = sessions.get(id);
      if (session && session.expiresAt > now)
        sessions.set(id, { ...session, services: withService(session.services, entry) });
    },
    async deleteSession(id) {
      const session = dropSession(id);
      for (const [pgtId, pgt] of pgts) if (pgt.sessionId === id) pgts.delete(pgtId);
      return session;
    },
    async putPgt(pgt) {
      pgts.set(pgt.id, pgt);
    },
    async getPgt(id, now) {
      return live(pgts, id, now);
    },
    async claimOnce(id, expiresAt) {
      // Synchronous check + set: no other callback can run between the two in this process.
      if (live(logins, id, Date.now())) return false;
      logins.set(id, { expiresAt });
      return true;
    },
    async loginKeys() {
      return keys;
    },
    async sessionsOf(query, now) {
      const key = query.idpSessionId !== null ? `sid:${query.idpSessionId}` : `sub:${query.subject}`;
      if (query.idpSessionId === null && query.subject === null) return [];
      return [...(owners.get(key) ?? [])].filter((id) => {
        const session = sessions.get(id);
        return session && session.expiresAt > now && (query.subject === null || session.subject === query.subject);
      });
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
