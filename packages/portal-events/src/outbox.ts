import type { OutboxMetrics } from './adapters/metrics.js';
import { noMetrics } from './adapters/metrics.js';
import type { OutboxStore } from './adapters/outbox-store.js';
import { planDeliveries } from './core/deliveries.js';
import { type PortalEvent, parseEvent } from './core/events.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface EnqueueResult {
  readonly event: PortalEvent;
  /** POSTs queued (one per user, one for the groups); 0 when this event id was already queued. */
  readonly queued: number;
}

export interface Outbox<Tx = never> {
  /**
   * Validates the event and writes its deliveries to the outbox. With `tx`, the write is part of the caller's
   * transaction. A malformed event throws a PortalEventsError (code INVALID_EVENT or UNKNOWN_EVENT_TYPE) and writes
   * nothing. Enqueueing the same event id twice queues it once.
   */
  enqueue(event: unknown, tx?: Tx): Promise<EnqueueResult>;
}

export function createOutbox<Tx>(options: {
  store: OutboxStore<Tx>;
  clock?: Clock;
  metrics?: OutboxMetrics;
}): Outbox<Tx> {
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? noMetrics;
  return {
    async enqueue(input, tx) {
      const event = parseEvent(input);
      const queued = await options.store.insert(planDeliveries(event), clock.now(), tx);
      if (queued > 0) metrics.enqueued(event.type, queued);
      return { event, queued };
    },
  };
}

/** What `enqueueSync` needs from a store: a synchronous insert on the caller's SQLite connection. */
export interface SyncInsertStore {
  insertSync(rows: ReturnType<typeof planDeliveries>, now: number): number;
}

/**
 * For SQLite callers: validates and inserts synchronously, so it can run inside the caller's
 * `db.transaction(() => ...)` and an invalid event throws there, rolling the caller's change back.
 */
export function enqueueSync(
  store: SyncInsertStore,
  input: unknown,
  options: { clock?: Clock; metrics?: OutboxMetrics } = {},
): EnqueueResult {
  const event = parseEvent(input);
  const queued = store.insertSync(planDeliveries(event), (options.clock ?? systemClock).now());
  if (queued > 0) (options.metrics ?? noMetrics).enqueued(event.type, queued);
  return { event, queued };
}
