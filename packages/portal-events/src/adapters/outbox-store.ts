import type { DeliveryPayload, PlannedDelivery } from '../core/deliveries.js';
import type { PortalEventType } from '../core/events.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** A row the worker has leased: nobody else delivers it until `leaseUntil`. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: PortalEventType;
  readonly idempotencyKey: string;
  readonly payload: DeliveryPayload;
  /** Attempts made so far, this one included. */
  readonly attempts: number;
  readonly createdAt: number;
}

/** A delivery the portal accepted, and the id the portal gave it (null when it answers a sentence). */
export interface DeliveredRow {
  readonly id: string;
  readonly portalId: string | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: PortalEventType;
  readonly attempts: number;
  readonly createdAt: number;
  readonly reason: string;
}

export interface OutboxStats {
  readonly pending: number;
  readonly dead: number;
  /** Creation time (ms) of the oldest row still pending, or null when none is. */
  readonly oldestPendingCreatedAt: number | null;
}

export interface Retention {
  /** Delivered rows are kept this long (ms) to answer "was it sent?", then deleted. */
  readonly deliveredMs: number;
  /** Dead letters are kept this long (ms) for an administrator to requeue, then deleted. */
  readonly deadMs: number;
}

/**
 * Where the outbox lives. Every store makes `claim` exclusive (no two workers hold one row) and every `finish*`
 * fenced (it changes the row only if this worker still holds its lease). Times are milliseconds since the epoch,
 * always given by the caller's clock.
 *
 * `Tx` is the caller's own transaction handle: `insert` run with it commits or rolls back with the caller's change.
 */
export interface OutboxStore<Tx = never> {
  insert(rows: readonly PlannedDelivery[], now: number, tx?: Tx): Promise<number>;
  claim(now: number, limit: number, leaseMs: number, workerId: string): Promise<ClaimedDelivery[]>;
  /**
   * Records deliveries in one write (the worker gathers those that end together: one commit, one fsync on
   * PostgreSQL, for all of them); gives how many rows were still this worker's.
   */
  finishDelivered(done: readonly DeliveredRow[], workerId: string, now: number): Promise<number>;
  finishRetry(id: string, workerId: string, nextAttemptAt: number, error: string): Promise<boolean>;
  finishDead(id: string, workerId: string, now: number, reason: string): Promise<boolean>;
  /** Hands back leased rows that were not sent (their attempt does not count); gives how many were still ours. */
  release(ids: readonly string[], workerId: string): Promise<number>;
  stats(): Promise<OutboxStats>;
  listDead(limit: number): Promise<DeadLetter[]>;
  /** Puts dead letters back in the queue (after the administrator fixed the API key, say). */
  requeueDead(now: number, ids?: readonly string[]): Promise<number>;
  /** Deletes what is past its retention. */
  purge(now: number, retention: Retention): Promise<number>;
  /** Deletes every row about this person (GDPR erasure), whatever its state. */
  erasePerson(username: string): Promise<number>;
  close(): Promise<void>;
}

/** `people` is stored as `|a|b|` so that one LIKE finds a person; LIKE's own wildcards are escaped. */
export function peopleColumn(people: readonly string[]): string {
  return `|${people.join('|')}|`;
}

export function personPattern(username: string): string {
  return `%|${username.replace(/[\\%_]/g, (c) => `\\${c}`)}|%`;
}

export const OUTBOX_TABLE = 'portal_events_outbox';

/** A row as both stores return it: SQLite gives the payload as JSON text and numbers; PostgreSQL jsonb and bigint strings. */
export interface StoredRow {
  id: string;
  event_id: string;
  event_type: string;
  idempotency_key: string;
  payload: DeliveryPayload | string | null;
  attempts: number;
  created_at: number | string;
  last_error: string | null;
}

/** Row to leased delivery; the payload was written by `insert` from a validated event, so it is read back as is. */
export function toClaimed(row: StoredRow): ClaimedDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as PortalEventType,
    idempotencyKey: row.idempotency_key,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as DeliveryPayload,
    attempts: row.attempts,
    createdAt: Number(row.created_at),
  };
}

export function toDeadLetter(row: StoredRow): DeadLetter {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type as PortalEventType,
    attempts: row.attempts,
    createdAt: Number(row.created_at),
    reason: row.last_error ?? '',
  };
}
