import type { Histogram } from 'prom-client';
import type { TicketStore } from '../core/records.js';

/** Wraps a store so that every operation's duration lands in the histogram, labelled by operation. */
export function instrumentStore(store: TicketStore, histogram: Histogram<'operation'>): TicketStore {
  const timed =
    <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const end = histogram.startTimer({ operation });
      try {
        return await fn(...args);
      } finally {
        end();
      }
    };
  return {
    putTicket: timed('put_ticket', store.putTicket.bind(store)),
    takeTicket: timed('take_ticket', store.takeTicket.bind(store)),
    putSession: timed('put_session', store.putSession.bind(store)),
    getSession: timed('get_session', store.getSession.bind(store)),
    addSessionService: timed('add_session_service', store.addSessionService.bind(store)),
    deleteSession: timed('delete_session', store.deleteSession.bind(store)),
    putPgt: timed('put_pgt', store.putPgt.bind(store)),
    getPgt: timed('get_pgt', store.getPgt.bind(store)),
    claimOnce: timed('claim_login', store.claimOnce.bind(store)),
    loginKeys: timed('login_keys', store.loginKeys.bind(store)),
    sessionsOf: timed('sessions_of', store.sessionsOf.bind(store)),
    countSessions: store.countSessions.bind(store),
    ping: store.ping.bind(store),
    close: store.close.bind(store),
  };
}
