import type { Counter, Histogram } from 'prom-client';
import type { TicketStore } from '../core/records.js';

/**
 * Wraps a store for /metrics: every operation's duration in a histogram and its failures in a counter, both labelled
 * by operation; every ticket stored counted by kind (ST, PT, PGT: the tickets issued).
 */
export function instrumentStore(
  store: TicketStore,
  metrics: {
    readonly storeLatency: Histogram<'operation'>;
    readonly storeErrors: Counter<'operation'>;
    readonly ticketsIssued: Counter<'kind'>;
  },
): TicketStore {
  const timed = <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) => {
    metrics.storeErrors.inc({ operation }, 0);
    return async (...args: A): Promise<R> => {
      const end = metrics.storeLatency.startTimer({ operation });
      try {
        return await fn(...args);
      } catch (error) {
        metrics.storeErrors.inc({ operation });
        throw error;
      } finally {
        end();
      }
    };
  };
  const putTicket = timed('put_ticket', store.putTicket.bind(store));
  const putPgt = timed('put_pgt', store.putPgt.bind(store));
  return {
    async putTicket(ticket) {
      await putTicket(ticket);
      metrics.ticketsIssued.inc({ kind: ticket.kind });
    },
    takeTicket: timed('take_ticket', store.takeTicket.bind(store)),
    putSession: timed('put_session', store.putSession.bind(store)),
    getSession: timed('get_session', store.getSession.bind(store)),
    addSessionService: timed('add_session_service', store.addSessionService.bind(store)),
    deleteSession: timed('delete_session', store.deleteSession.bind(store)),
    async putPgt(pgt) {
      await putPgt(pgt);
      metrics.ticketsIssued.inc({ kind: 'PGT' });
    },
    getPgt: timed('get_pgt', store.getPgt.bind(store)),
    claimOnce: timed('claim_once', store.claimOnce.bind(store)),
    loginKeys: timed('login_keys', store.loginKeys.bind(store)),
    sessionsOf: timed('sessions_of', store.sessionsOf.bind(store)),
    countSessions: timed('count_sessions', store.countSessions.bind(store)),
    ping: timed('ping', store.ping.bind(store)),
    close: store.close.bind(store),
  };
}
