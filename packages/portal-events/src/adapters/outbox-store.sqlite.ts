import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { PlannedDelivery } from '../core/deliveries.js';
import {
  type DeadLetter,
  type DeliveredRow,
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
import { startStatementThread } from './statement-thread.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
  id TEXT PRIMARY KEY,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  people TEXT NOT NULL,
  payload TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  leased_by TEXT,
  finished_at INTEGER,
  portal_id TEXT,
  last_error TEXT
);
DROP INDEX IF EXISTS ${OUTBOX_TABLE}_due;
CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_due_order ON ${OUTBOX_TABLE} (status, next_attempt_at, created_at);
`;

/** The statements of the delivery worker, run on the caller's connection or on a thread's (`openSqliteOutboxStore`). */
const DELIVERY_SQL = {
  claim: `UPDATE ${OUTBOX_TABLE} SET lease_until = ?, leased_by = ?, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM ${OUTBOX_TABLE}
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY next_attempt_at, created_at LIMIT ?)
     RETURNING id, event_id, event_type, idempotency_key, payload, attempts, created_at, last_error`,
  delivered: `UPDATE ${OUTBOX_TABLE} SET status = 'delivered', finished_at = ?, portal_id = ?, payload = NULL,
       lease_until = NULL, leased_by = NULL, last_error = NULL
     WHERE id = ? AND leased_by = ? AND status = 'pending'`,
  retry: `UPDATE ${OUTBOX_TABLE} SET next_attempt_at = ?, last_error = ?, lease_until = NULL, leased_by = NULL
     WHERE id = ? AND leased_by = ? AND status = 'pending'`,
  dead: `UPDATE ${OUTBOX_TABLE} SET status = 'dead', finished_at = ?, last_error = ?, lease_until = NULL, leased_by = NULL
     WHERE id = ? AND leased_by = ? AND status = 'pending'`,
  release: `UPDATE ${OUTBOX_TABLE} SET lease_until = NULL, leased_by = NULL, attempts = attempts - 1
     WHERE id IN (SELECT value FROM json_each(?)) AND leased_by = ? AND status = 'pending'`,
  stats: `SELECT
       (SELECT count(*) FROM ${OUTBOX_TABLE} WHERE status = 'pending') AS pending,
       (SELECT count(*) FROM ${OUTBOX_TABLE} WHERE status = 'dead') AS dead,
       (SELECT min(created_at) FROM ${OUTBOX_TABLE} WHERE status = 'pending') AS oldest`,
} as const;
type StatsRow = { pending: number; dead: number; oldest: number | null };
const toStats = (row: StatsRow | undefined): OutboxStats => ({
  pending: row?.pending ?? 0,
  dead: row?.dead ?? 0,
  oldestPendingCreatedAt: row?.oldest ?? null,
});

export interface SqliteOutboxStore extends OutboxStore<never> {
  /**
   * Synchronous insert on the caller's connection: called inside the caller's `db.transaction(...)`, the rows commit
   * or roll back with the caller's own change (better-sqlite3 transactions are synchronous).
   */
  insertSync(rows: readonly PlannedDelivery[], now: number): number;
  readonly db: Database.Database;
}

/**
 * Opens (or creates) a SQLite file for the outbox alone: WAL, a busy timeout for a second process, the delivery
 * worker's statements on a thread of their own (`startStatementThread`) and the WAL checkpoints on another
 * (`startWalCheckpointer`), both stopped by `close()`. Enqueueing stays on this thread's connection, synchronous, so
 * that `insertSync` joins the caller's transactions.
 */
export function openSqliteOutboxStore(
  path: string,
  options: { onCheckpointError?: (reason: string) => void } = {},
): SqliteOutboxStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  const store = createSqliteOutboxStore(db);
  if (db.memory)
    return {
      ...store,
      async close() {
        db.close();
      },
    };
  const thread = startStatementThread(db.name, DELIVERY_SQL);
  const checkpointer = startWalCheckpointer(db, { onError: options.onCheckpointError });
  return {
    ...store,
    async claim(now, limit, leaseMs, workerId) {
      return (await thread.all<StoredRow>('claim', [now + leaseMs, workerId, now, now, limit])).map(toClaimed);
    },
    finishDelivered: (done, workerId, now) =>
      thread.runEach(
        'delivered',
        done.map((row) => [now, row.portalId, row.id, workerId]),
      ),
    finishRetry: async (id, workerId, nextAttemptAt, error) =>
      (await thread.runEach('retry', [[nextAttemptAt, error, id, workerId]])) === 1,
    finishDead: async (id, workerId, now, reason) =>
      (await thread.runEach('dead', [[now, reason, id, workerId]])) === 1,
    release: async (ids, workerId) =>
      ids.length === 0 ? 0 : thread.runEach('release', [[JSON.stringify(ids), workerId]]),
    stats: async () => toStats((await thread.all<StatsRow>('stats', []))[0]),
    async close() {
      await thread.stop();
      await checkpointer.stop();
      db.close();
    },
  };
}

/** The outbox in a SQLite database the caller already uses, so that enqueue can join the caller's transactions. */
export function createSqliteOutboxStore(
  db: Database.Database,
  options: { ownsConnection?: boolean } = {},
): SqliteOutboxStore {
  db.exec(SCHEMA);
  const insertRow = db.prepare(
    `INSERT INTO ${OUTBOX_TABLE} (id, event_id, event_type, idempotency_key, people, payload, status, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const claimRows = db.prepare<[number, string, number, number, number], StoredRow>(DELIVERY_SQL.claim);
  const delivered = db.prepare(DELIVERY_SQL.delivered);
  const retry = db.prepare(DELIVERY_SQL.retry);
  const dead = db.prepare(DELIVERY_SQL.dead);
  const release = db.prepare<[string, string]>(DELIVERY_SQL.release);
  const stats = db.prepare<[], StatsRow>(DELIVERY_SQL.stats);
  const listDead = db.prepare<[number], StoredRow>(
    `SELECT id, event_id, event_type, idempotency_key, payload, attempts, created_at, last_error
     FROM ${OUTBOX_TABLE} WHERE status = 'dead' ORDER BY finished_at DESC LIMIT ?`,
  );
  const requeueAll = db.prepare(
    `UPDATE ${OUTBOX_TABLE} SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, finished_at = NULL
     WHERE status = 'dead'`,
  );
  const requeueOne = db.prepare(
    `UPDATE ${OUTBOX_TABLE} SET status = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, finished_at = NULL
     WHERE status = 'dead' AND id = ?`,
  );
  const purge = db.prepare(
    `DELETE FROM ${OUTBOX_TABLE}
     WHERE (status = 'delivered' AND finished_at < ?) OR (status = 'dead' AND finished_at < ?)`,
  );
  const erase = db.prepare(`DELETE FROM ${OUTBOX_TABLE} WHERE people LIKE ? ESCAPE '\\'`);

  const insertSync = (rows: readonly PlannedDelivery[], now: number): number => {
    let inserted = 0;
    for (const row of rows) {
      inserted += insertRow.run(
        randomUUID(),
        row.eventId,
        row.eventType,
        row.idempotencyKey,
        peopleColumn(row.people),
        JSON.stringify(row.payload),
        now,
        now,
      ).changes;
    }
    return inserted;
  };
  const insertMany = db.transaction(insertSync);
  const finishMany = db.transaction((done: readonly DeliveredRow[], workerId: string, now: number) => {
    let changed = 0;
    for (const row of done) changed += delivered.run(now, row.portalId, row.id, workerId).changes;
    return changed;
  });

  return {
    db,
    insertSync: (rows, now) => (db.inTransaction ? insertSync(rows, now) : insertMany(rows, now)),
    async insert(rows, now) {
      return db.inTransaction ? insertSync(rows, now) : insertMany(rows, now);
    },
    async claim(now, limit, leaseMs, workerId) {
      return claimRows.all(now + leaseMs, workerId, now, now, limit).map(toClaimed);
    },
    async finishDelivered(done, workerId, now) {
      return finishMany(done, workerId, now);
    },
    async finishRetry(id, workerId, nextAttemptAt, error) {
      return retry.run(nextAttemptAt, error, id, workerId).changes === 1;
    },
    async finishDead(id, workerId, now, reason) {
      return dead.run(now, reason, id, workerId).changes === 1;
    },
    async release(ids, workerId) {
      return ids.length === 0 ? 0 : release.run(JSON.stringify(ids), workerId).changes;
    },
    async stats() {
      return toStats(stats.get());
    },
    async listDead(limit): Promise<DeadLetter[]> {
      return listDead.all(limit).map(toDeadLetter);
    },
    async requeueDead(now, ids) {
      if (ids === undefined) return requeueAll.run(now, now).changes;
      return db.transaction(() => ids.reduce((n, id) => n + requeueOne.run(now, now, id).changes, 0))();
    },
    async purge(now, retention: Retention) {
      return purge.run(now - retention.deliveredMs, now - retention.deadMs).changes;
    },
    async erasePerson(username) {
      return erase.run(personPattern(username)).changes;
    },
    async close() {
      if (options.ownsConnection) db.close();
    },
  };
}
