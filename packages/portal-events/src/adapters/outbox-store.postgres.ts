import { randomUUID } from 'node:crypto';
import pg from 'pg';

const pgEscapeLiteral = pg.escapeLiteral;

import { PortalEventsError } from '../core/errors.js';
import {
  type DeadLetter,
  OUTBOX_TABLE,
  type OutboxStats,
  type OutboxStore,
  peopleColumn,
  personPattern,
  type Retention,
  type StoredRow,
  toClaimed,
  toDeadLetter,
} from './outbox-store.js';

/** Anything that runs a query: the pool, or the caller's client inside its own BEGIN ... COMMIT. */
export type PgQueryable = Pick<pg.PoolClient, 'query'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  idempotency_key text NOT NULL UNIQUE,
  people text NOT NULL,
  payload jsonb,
  status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  next_attempt_at bigint NOT NULL,
  lease_until bigint,
  leased_by text,
  finished_at bigint,
  portal_id text,
  last_error text
);
DROP INDEX IF EXISTS ${OUTBOX_TABLE}_due;
CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_due_order ON ${OUTBOX_TABLE} (next_attempt_at, created_at)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_dead ON ${OUTBOX_TABLE} (finished_at) WHERE status = 'dead';
`;

export interface PostgresOutboxStore extends OutboxStore<PgQueryable> {
  /** Creates the table and index if missing (idempotent; safe for several processes starting at once). */
  migrate(): Promise<void>;
}

/**
 * The outbox in PostgreSQL, for several processes: `claim` picks due rows with `FOR UPDATE SKIP LOCKED`, so two
 * workers never lease the same row, and a lease that outlives a killed worker expires for another to take over.
 */
export function createPostgresOutboxStore(pool: pg.Pool, options: { ownsPool?: boolean } = {}): PostgresOutboxStore {
  const unavailable = (error: unknown) => {
    const details = error instanceof Error ? error.message : 'query failed';
    return new PortalEventsError('STORE_UNAVAILABLE', { details }, [details], { cause: error });
  };
  const query = async <R extends pg.QueryResultRow>(sql: string, values: unknown[], on: PgQueryable = pool) => {
    try {
      return await on.query<R>(sql, values);
    } catch (error) {
      throw unavailable(error);
    }
  };
  const finish = async (sql: string, values: unknown[]) => (await query(sql, values)).rowCount === 1;

  return {
    async migrate() {
      // Two processes migrating at once would race on CREATE TABLE IF NOT EXISTS: serialise with an advisory lock.
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [OUTBOX_TABLE]);
        await client.query(SCHEMA);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [OUTBOX_TABLE]).catch(() => undefined);
        client.release();
      }
    },
    async insert(rows, now, tx) {
      if (rows.length === 0) return 0;
      const values: unknown[] = [];
      const tuples = rows.map((row, i) => {
        values.push(
          randomUUID(),
          row.eventId,
          row.eventType,
          row.idempotencyKey,
          peopleColumn(row.people),
          JSON.stringify(row.payload),
          now,
        );
        const b = i * 7;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, 'pending', $${b + 7}, $${b + 7})`;
      });
      const result = await query(
        `INSERT INTO ${OUTBOX_TABLE} (id, event_id, event_type, idempotency_key, people, payload, status, created_at, next_attempt_at)
         VALUES ${tuples.join(', ')} ON CONFLICT (idempotency_key) DO NOTHING`,
        values,
        tx ?? pool,
      );
      return result.rowCount ?? 0;
    },
    async claim(now, limit, leaseMs, workerId) {
      // In a transaction of its own, with two settings for it alone:
      // - no bitmap scan: on a table whose statistics lag (a busy outbox between two autovacuums), the planner reads
      //   every due row through a bitmap, with the index entries of every row delivered since the last vacuum, and
      //   sorts them (4 ms for 100 rows after 14,000 deliveries, growing); the index scan in (next_attempt_at,
      //   created_at) order stops at `limit` rows and marks the dead entries it meets, so the next claim skips them
      //   (0.3 ms);
      // - no wait for the WAL flush: a lease lost with the database leaves the row claimable at once, as a worker that
      //   died would after its lease, and a delivery's own record (`finishDelivered`, flushed) comes after its claim
      //   in the WAL, so it can never survive a claim that did not.
      //
      // One round trip: the transaction is sent as one simple query, so its values are written into it as literals
      // (integers checked as such, the worker id quoted by pg's escapeLiteral). Three round trips before, each with a
      // parse and a message loop of their own in the event loop. On an error, the pool drops the connection, and with
      // it the transaction left open.
      const [leaseUntil, due, count] = [now + leaseMs, now, limit].map((value) => {
        if (!Number.isSafeInteger(value)) throw new PortalEventsError('STORE_UNAVAILABLE', { details: `${value}` });
        return String(value);
      });
      const results = (await query<StoredRow>(
        `BEGIN; SET LOCAL enable_bitmapscan = off; SET LOCAL synchronous_commit = off;
         UPDATE ${OUTBOX_TABLE} o SET lease_until = ${leaseUntil}, leased_by = ${pgEscapeLiteral(workerId)}, attempts = o.attempts + 1
         FROM (
           SELECT id FROM ${OUTBOX_TABLE}
           WHERE status = 'pending' AND next_attempt_at <= ${due} AND (lease_until IS NULL OR lease_until <= ${due})
           ORDER BY next_attempt_at, created_at LIMIT ${count}
           FOR UPDATE SKIP LOCKED) due
         WHERE o.id = due.id
         RETURNING o.id, o.event_id, o.event_type, o.idempotency_key, o.payload, o.attempts, o.created_at;
         COMMIT`,
        [],
      )) as unknown as pg.QueryResult<StoredRow>[];
      return (results[3]?.rows ?? []).map(toClaimed);
    },
    async finishDelivered(done, workerId, now) {
      if (done.length === 0) return 0;
      // The rows are found by their primary key (`id = ANY`), never through the pending index: a condition on
      // status would let the planner read every pending row at each call (the whole backlog after an outage). A row
      // leased by this worker is pending: every change of status clears `leased_by`.
      // A named statement: each connection parses and plans it once, not at every delivery group.
      try {
        const result = await pool.query({
          name: `${OUTBOX_TABLE}_delivered`,
          text: `UPDATE ${OUTBOX_TABLE} o SET status = 'delivered', finished_at = $1, portal_id = d.portal_id,
                   payload = NULL, lease_until = NULL, leased_by = NULL, last_error = NULL
                 FROM unnest($2::uuid[], $3::text[]) AS d (id, portal_id)
                 WHERE o.id = ANY($2::uuid[]) AND o.id = d.id AND o.leased_by = $4`,
          values: [now, done.map((row) => row.id), done.map((row) => row.portalId), workerId],
        });
        return result.rowCount ?? 0;
      } catch (error) {
        throw unavailable(error);
      }
    },
    finishRetry: (id, workerId, nextAttemptAt, error) =>
      finish(
        `UPDATE ${OUTBOX_TABLE} SET next_attempt_at = $1, last_error = $2, lease_until = NULL, leased_by = NULL
         WHERE id = $3 AND leased_by = $4 AND status = 'pending'`,
        [nextAttemptAt, error, id, workerId],
      ),
    async release(ids, workerId) {
      if (ids.length === 0) return 0;
      // By primary key, as in finishDelivered.
      const result = await query(
        `UPDATE ${OUTBOX_TABLE} SET lease_until = NULL, leased_by = NULL, attempts = attempts - 1
         WHERE id = ANY($1::uuid[]) AND leased_by = $2`,
        [ids, workerId],
      );
      return result.rowCount ?? 0;
    },
    finishDead: (id, workerId, now, reason) =>
      finish(
        `UPDATE ${OUTBOX_TABLE} SET status = 'dead', finished_at = $1, last_error = $2, lease_until = NULL, leased_by = NULL
         WHERE id = $3 AND leased_by = $4 AND status = 'pending'`,
        [now, reason, id, workerId],
      ),
    async stats(): Promise<OutboxStats> {
      // Three reads of the two partial indexes: the delivered rows (a week of them) are never scanned, though the
      // worker asks every second.
      const result = await query<{ pending: string; dead: string; oldest: string | null }>(
        `SELECT (SELECT count(*) FROM ${OUTBOX_TABLE} WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM ${OUTBOX_TABLE} WHERE status = 'dead') AS dead,
                (SELECT min(created_at) FROM ${OUTBOX_TABLE} WHERE status = 'pending') AS oldest`,
        [],
      );
      const row = result.rows[0];
      return {
        pending: Number(row?.pending ?? 0),
        dead: Number(row?.dead ?? 0),
        oldestPendingCreatedAt: row?.oldest == null ? null : Number(row.oldest),
      };
    },
    async listDead(limit): Promise<DeadLetter[]> {
      const result = await query<StoredRow>(
        `SELECT id, event_id, event_type, attempts, created_at, last_error FROM ${OUTBOX_TABLE}
         WHERE status = 'dead' ORDER BY finished_at DESC LIMIT $1`,
        [limit],
      );
      return result.rows.map(toDeadLetter);
    },
    async requeueDead(now, ids) {
      const result = await query(
        `UPDATE ${OUTBOX_TABLE} SET status = 'pending', attempts = 0, next_attempt_at = $1, created_at = $1, finished_at = NULL
         WHERE status = 'dead' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
        [now, ids === undefined ? null : [...ids]],
      );
      return result.rowCount ?? 0;
    },
    async purge(now, retention: Retention) {
      const result = await query(
        `DELETE FROM ${OUTBOX_TABLE}
         WHERE (status = 'delivered' AND finished_at < $1) OR (status = 'dead' AND finished_at < $2)`,
        [now - retention.deliveredMs, now - retention.deadMs],
      );
      return result.rowCount ?? 0;
    },
    async erasePerson(username) {
      const result = await query(`DELETE FROM ${OUTBOX_TABLE} WHERE people LIKE $1 ESCAPE '\\'`, [
        personPattern(username),
      ]);
      return result.rowCount ?? 0;
    },
    async close() {
      if (options.ownsPool) await pool.end();
    },
  };
}
