import { createOutbox, enqueueSync, type OutboxStore, type PortalEventInput } from '@apps-education/portal-events';
import { createPostgresOutboxStore, type PgQueryable } from '@apps-education/portal-events/postgres';
import { createSqliteOutboxStore, startWalCheckpointer } from '@apps-education/portal-events/sqlite';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ServiceError } from '../core/errors.js';

export type Param = string | number | boolean | null;

/** The queries of one unit of work; `$1`, `$2`... placeholders on both databases. */
export interface Queries {
  all<T>(sql: string, params?: readonly Param[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly Param[]): Promise<T | undefined>;
  /** The number of rows changed. */
  run(sql: string, params?: readonly Param[]): Promise<number>;
}

export interface Transaction extends Queries {
  /** Queues a portal event in this transaction: sent if and only if the transaction commits. */
  enqueue(event: PortalEventInput): Promise<void>;
}

export interface ServiceDatabase extends Queries {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs `work` in one transaction (committed when it resolves, rolled back when it throws). */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** The portal events' outbox, in this database (the delivery worker reads it). */
  readonly outbox: OutboxStore<unknown>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The schema, the same on SQLite and PostgreSQL (integer booleans and epoch milliseconds, so the same SQL runs on
 * both). Each step runs once, in order, recorded in bbb_schema; a new version only appends steps.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE bbb_rooms (
     id text PRIMARY KEY,
     name text NOT NULL,
     welcome text NOT NULL,
     recording_allowed integer NOT NULL,
     waiting_room integer NOT NULL,
     mute_on_start integer NOT NULL,
     max_participants integer NOT NULL,
     invite_code text NOT NULL UNIQUE,
     first_document_id text,
     created_at bigint NOT NULL
   );
   CREATE TABLE bbb_room_owners (
     room_id text NOT NULL REFERENCES bbb_rooms (id) ON DELETE CASCADE,
     username text NOT NULL,
     added_at bigint NOT NULL,
     PRIMARY KEY (room_id, username)
   );
   CREATE INDEX bbb_room_owners_username ON bbb_room_owners (username);
   CREATE TABLE bbb_documents (
     id text PRIMARY KEY,
     room_id text NOT NULL REFERENCES bbb_rooms (id) ON DELETE CASCADE,
     storage_id text NOT NULL,
     filename text NOT NULL,
     size bigint NOT NULL,
     sha256 text NOT NULL,
     position integer NOT NULL,
     downloadable integer NOT NULL,
     created_at bigint NOT NULL
   );
   CREATE INDEX bbb_documents_room ON bbb_documents (room_id, position);
   CREATE TABLE bbb_recordings (
     record_id text PRIMARY KEY,
     meeting_id text NOT NULL,
     room_id text REFERENCES bbb_rooms (id) ON DELETE CASCADE,
     group_id text,
     ready_at bigint NOT NULL
   );
   CREATE INDEX bbb_recordings_room ON bbb_recordings (room_id);
   CREATE TABLE bbb_group_meetings (
     meeting_id text PRIMARY KEY,
     group_id text NOT NULL,
     name text NOT NULL,
     started_at bigint NOT NULL,
     create_time text NOT NULL
   );
   CREATE TABLE bbb_sessions (
     id_hash text PRIMARY KEY,
     username text NOT NULL,
     display_name text NOT NULL,
     groups text NOT NULL,
     expires_at bigint NOT NULL
   );
   CREATE INDEX bbb_sessions_expiry ON bbb_sessions (expires_at);
   CREATE INDEX bbb_sessions_username ON bbb_sessions (username);
   CREATE TABLE bbb_used_logins (
     id text PRIMARY KEY,
     expires_at bigint NOT NULL
   );
   CREATE INDEX bbb_used_logins_expiry ON bbb_used_logins (expires_at);`,
];

/** `$1 ... $n` to `?` in order of appearance, and which parameter each `?` takes (better-sqlite3 binds by position). */
function positional(sql: string): { sql: string; order: number[] } {
  const order: number[] = [];
  const text = sql.replace(/\$(\d+)/g, (_whole, n: string) => {
    order.push(Number(n) - 1);
    return '?';
  });
  return { sql: text, order };
}

const unavailable = (error: unknown) =>
  new ServiceError('STORE_UNAVAILABLE', [error instanceof Error ? error.message : 'database error'], { cause: error });

/**
 * SQLite (one process): one connection, and every unit of work in turn (a queue), so that a transaction that awaits
 * (the outbox, the caller's own steps) never sees another request's statements on its connection. A unit of work
 * awaits only its own queries, which better-sqlite3 runs synchronously: it ends within one turn of the event loop,
 * so the outbox's delivery worker (timers and sockets, on the same connection) never runs inside it. No network call
 * belongs in a transaction (the repository makes none).
 */
export async function openSqliteDatabase(path: string): Promise<ServiceDatabase> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.exec('CREATE TABLE IF NOT EXISTS bbb_schema (version integer PRIMARY KEY, applied_at bigint NOT NULL)');
  const applied = (db.prepare('SELECT max(version) AS v FROM bbb_schema').get() as { v: number | null }).v ?? 0;
  db.transaction(() => {
    MIGRATIONS.forEach((step, index) => {
      if (index + 1 <= applied) return;
      db.exec(step);
      db.prepare('INSERT INTO bbb_schema (version, applied_at) VALUES (?, ?)').run(index + 1, Date.now());
    });
  })();
  const outbox = createSqliteOutboxStore(db);
  const checkpointer = startWalCheckpointer(db);
  // Each SQL text is converted and prepared once, on its first use.
  const statements = new Map<string, { statement: Database.Statement; order: number[] }>();
  const prepared = (sql: string, params: readonly Param[]) => {
    let entry = statements.get(sql);
    if (!entry) {
      const converted = positional(sql);
      entry = { statement: db.prepare(converted.sql), order: converted.order };
      statements.set(sql, entry);
    }
    const values = entry.order.map((i) => {
      const value = params[i];
      return typeof value === 'boolean' ? (value ? 1 : 0) : value;
    });
    return { statement: entry.statement, values };
  };
  const queries: Queries = {
    async all<T>(sql: string, params: readonly Param[] = []) {
      const p = prepared(sql, params);
      return p.statement.all(...p.values) as T[];
    },
    async get<T>(sql: string, params: readonly Param[] = []) {
      const p = prepared(sql, params);
      return p.statement.get(...p.values) as T | undefined;
    },
    async run(sql: string, params: readonly Param[] = []) {
      const p = prepared(sql, params);
      return p.statement.run(...p.values).changes;
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const guarded = <R>(work: () => Promise<R>) =>
    inTurn(async () => {
      try {
        return await work();
      } catch (error) {
        throw error instanceof ServiceError ? error : unavailable(error);
      }
    });
  return {
    kind: 'sqlite',
    all: <T>(sql: string, params?: readonly Param[]) => guarded(() => queries.all<T>(sql, params)),
    get: <T>(sql: string, params?: readonly Param[]) => guarded(() => queries.get<T>(sql, params)),
    run: (sql: string, params?: readonly Param[]) => guarded(() => queries.run(sql, params)),
    transaction: <T>(work: (tx: Transaction) => Promise<T>) =>
      inTurn(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work({
            ...queries,
            async enqueue(event) {
              // Inside our BEGIN: the rows commit or roll back with the rest.
              enqueueSync(outbox, event);
            },
          });
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    outbox: outbox as OutboxStore<unknown>,
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      await queue;
      await checkpointer.stop();
      db.close();
    },
  };
}

/** PostgreSQL (several processes): a pool; migrations under an advisory lock so that two replicas start at once. */
export async function openPostgresDatabase(url: string, maxConnections = 10): Promise<ServiceDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // A connection the server closes (restart, failover) is an error event on an idle client: logged by the pool's
  // user, never an uncaught exception.
  pool.on('error', () => undefined);
  const outbox = createPostgresOutboxStore(pool);
  const events = createOutbox({ store: outbox });
  const on = (client: PgQueryable): Queries => ({
    async all<T>(sql: string, params: readonly Param[] = []) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async get<T>(sql: string, params: readonly Param[] = []) {
      return (await client.query(sql, params as unknown[])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly Param[] = []) {
      return (await client.query(sql, params as unknown[])).rowCount ?? 0;
    },
  });
  const wrap = async <R>(work: () => Promise<R>) => {
    try {
      return await work();
    } catch (error) {
      throw unavailable(error);
    }
  };
  try {
    const client = await pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(hashtext('bbb_schema'))");
      await client.query(
        'CREATE TABLE IF NOT EXISTS bbb_schema (version integer PRIMARY KEY, applied_at bigint NOT NULL)',
      );
      const applied = Number((await client.query('SELECT max(version) AS v FROM bbb_schema')).rows[0]?.v ?? 0);
      for (const [index, step] of MIGRATIONS.entries()) {
        if (index + 1 <= applied) continue;
        await client.query('BEGIN');
        await client.query(step);
        await client.query('INSERT INTO bbb_schema (version, applied_at) VALUES ($1, $2)', [index + 1, Date.now()]);
        await client.query('COMMIT');
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('bbb_schema'))").catch(() => undefined);
      client.release();
    }
    await outbox.migrate();
  } catch (error) {
    await pool.end();
    throw unavailable(error);
  }
  const queries = on(pool);
  return {
    kind: 'postgres',
    all: <T>(sql: string, params?: readonly Param[]) => wrap(() => queries.all<T>(sql, params)),
    get: <T>(sql: string, params?: readonly Param[]) => wrap(() => queries.get<T>(sql, params)),
    run: (sql: string, params?: readonly Param[]) => wrap(() => queries.run(sql, params)),
    async transaction<T>(work: (tx: Transaction) => Promise<T>) {
      const client = await pool.connect().catch((error: unknown) => {
        throw unavailable(error);
      });
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work({
          ...on(client),
          async enqueue(event) {
            await events.enqueue(event, client);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error('rollback failed');
        });
        throw error instanceof ServiceError || !(error instanceof Error && 'severity' in error)
          ? error
          : unavailable(error);
      } finally {
        client.release(broken);
      }
    },
    outbox: outbox as OutboxStore<unknown>,
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
