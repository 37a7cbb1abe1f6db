import {
  createTestDatabase,
  fakeClock,
  type LaboiteDouble,
  startLaboiteDouble,
  type TestDatabase,
} from '@apps-education/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresOutboxStore } from '../src/adapters/outbox-store.postgres.js';
import { createDeliveryWorker, createLaboiteClient, createOutbox, parseEvent, planDeliveries } from '../src/index.js';
import { meetingEvent, shareEvent, T0 } from './fixtures.js';
import { outboxScenarios } from './outbox-scenarios.js';

const MINUTE = 60_000;

outboxScenarios('PostgreSQL', async () => {
  const database = await createTestDatabase('outbox');
  const pools: pg.Pool[] = [];
  const open = async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pools.push(pool);
    const store = createPostgresOutboxStore(pool);
    await store.migrate();
    return store;
  };
  const store = await open();
  return {
    store,
    second: open,
    childArgs: ['postgres', database.url],
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await database.drop();
    },
  };
});

/**
 * The outbox table's statistics as PostgreSQL counts them for this (single-connection) pool: its own queries'
 * counters are flushed first (a forced flush happens when a transaction ends).
 */
async function outboxStatistics(pool: pg.Pool): Promise<{ seqScans: number; pagesRead: number }> {
  await pool.query('SELECT pg_stat_force_next_flush()');
  await pool.query('SELECT 1');
  const result = await pool.query<{ seq: string; heap: string; idx: string }>(
    `SELECT t.seq_scan AS seq, io.heap_blks_hit + io.heap_blks_read AS heap, io.idx_blks_hit + io.idx_blks_read AS idx
     FROM pg_stat_user_tables t JOIN pg_statio_user_tables io USING (relid)
     WHERE t.relname = 'portal_events_outbox'`,
  );
  const row = result.rows[0];
  return { seqScans: Number(row?.seq), pagesRead: Number(row?.heap) + Number(row?.idx) };
}

describe("PostgreSQL outbox with several workers and the caller's transactions", () => {
  let database: TestDatabase;
  let portal: LaboiteDouble;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: database.url, max: 4 });
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    database = await createTestDatabase('outbox');
    portal = await startLaboiteDouble();
    await createPostgresOutboxStore(pool()).migrate();
  });
  afterAll(async () => {
    await portal.close();
    await Promise.all(pools.map((p) => p.end()));
    await database.drop();
  });

  it('migrates twice, from two processes at once, without error', async () => {
    await Promise.all([createPostgresOutboxStore(pool()).migrate(), createPostgresOutboxStore(pool()).migrate()]);
  });

  it("commits and rolls back with the caller's transaction", async () => {
    const p = pool();
    await p.query('CREATE TABLE IF NOT EXISTS shares (id serial PRIMARY KEY, item text NOT NULL)');
    const store = createPostgresOutboxStore(p);
    const outbox = createOutbox({ store });
    const before = (await store.stats()).pending;

    const client = await p.connect();
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO shares (item) VALUES ('a.pdf')");
      await outbox.enqueue(shareEvent(), client);
      await client.query('ROLLBACK');
      expect((await store.stats()).pending).toBe(before);

      await client.query('BEGIN');
      await client.query("INSERT INTO shares (item) VALUES ('b.pdf')");
      await outbox.enqueue(shareEvent(), client);
      // Not visible to others before the caller commits.
      expect((await store.stats()).pending).toBe(before);
      await client.query('COMMIT');
      expect((await store.stats()).pending).toBe(before + 1);
    } finally {
      client.release();
    }
  });

  it('never lets two workers deliver the same event', async () => {
    // Now, not T0: the row committed by the transaction test above is due too and must also go out once.
    const clock = fakeClock(Date.now() + 1_000);
    const setupStore = createPostgresOutboxStore(pool());
    const outbox = createOutbox({ store: setupStore, clock });
    for (let i = 0; i < 100; i++) {
      await outbox.enqueue(shareEvent({}, ['alice', 'bob']));
      await outbox.enqueue(meetingEvent(['grpMathsXXXXXXXXX']));
    }
    const pending = (await setupStore.stats()).pending;
    portal.received.length = 0;
    portal.requests.length = 0;
    const client = createLaboiteClient({ baseUrl: portal.url, apiKey: 'test-api-key' });
    const workers = ['w1', 'w2'].map((workerId) =>
      createDeliveryWorker({
        store: createPostgresOutboxStore(pool()),
        client,
        clock,
        workerId,
        batchSize: 7,
        concurrency: 4,
      }),
    );
    const claimedBy = [0, 0];
    await Promise.all(
      workers.map(async (worker, i) => {
        for (;;) {
          const round = await worker.runOnce();
          if (round.claimed === 0) break;
          claimedBy[i] = (claimedBy[i] ?? 0) + round.claimed;
        }
      }),
    );
    expect(portal.requests).toHaveLength(pending);
    expect(new Set(portal.requests.map((r) => r.idempotencyKey)).size).toBe(pending);
    expect(claimedBy.every((n) => n > 0)).toBe(true);
    expect((await setupStore.stats()).pending).toBe(0);
  });

  it('counts pending and dead rows without reading the week of delivered ones (no sequential scan)', async () => {
    // One connection, so the statistics this backend flushes are the store's own queries.
    const single = new pg.Pool({ connectionString: database.url, max: 1 });
    pools.push(single);
    const store = createPostgresOutboxStore(single);
    await single.query(
      `INSERT INTO portal_events_outbox (id, event_id, event_type, idempotency_key, people, payload, status,
         created_at, next_attempt_at, finished_at)
       SELECT gen_random_uuid(), gen_random_uuid(), 'share.created', 'seq-' || g, ',alice,', NULL,
         CASE WHEN g % 500 = 0 THEN 'dead' ELSE 'delivered' END, g, g, g
       FROM generate_series(1, 50000) g`,
    );
    await single.query('ANALYZE portal_events_outbox');
    const seqScans = async () => (await outboxStatistics(single)).seqScans;
    const before = await seqScans();
    const stats = await store.stats();
    expect(stats.dead).toBeGreaterThanOrEqual(100);
    expect(await seqScans()).toBe(before);
    // The control: a count over every row is seen as a sequential scan by the same measure.
    await single.query('SELECT count(*) FROM portal_events_outbox WHERE portal_id IS NULL');
    expect(await seqScans()).toBe(before + 1);
    await single.query(`DELETE FROM portal_events_outbox WHERE idempotency_key LIKE 'seq-%'`);
  });

  it('claims and records a batch by reading a few pages, not the whole backlog (20,000 pending rows)', async () => {
    const single = new pg.Pool({ connectionString: database.url, max: 1 });
    pools.push(single);
    const store = createPostgresOutboxStore(single);
    // A backlog after an outage, with the statistics of a table that grew faster than autovacuum analyses it.
    await single.query(
      `INSERT INTO portal_events_outbox (id, event_id, event_type, idempotency_key, people, payload, status,
         created_at, next_attempt_at)
       SELECT gen_random_uuid(), gen_random_uuid(), 'share.created', 'backlog-' || g, ',alice,',
         '{"target":{"kind":"user","username":"alice"}}', 'pending', g, g
       FROM generate_series(1, 20000) g`,
    );
    const pagesRead = async () => (await outboxStatistics(single)).pagesRead;
    const tablePages = Number(
      (await single.query<{ n: string }>(`SELECT pg_relation_size('portal_events_outbox') / 8192 AS n`)).rows[0]?.n,
    );
    expect(tablePages).toBeGreaterThan(300);
    let before = await pagesRead();
    const rows = await store.claim(50_000, 10, 60_000, 'w-backlog');
    const claimPages = (await pagesRead()) - before;
    expect(rows.map((r) => r.createdAt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    before = await pagesRead();
    const recorded = await store.finishDelivered(
      rows.map((r) => ({ id: r.id, portalId: null })),
      'w-backlog',
      50_001,
    );
    const finishPages = (await pagesRead()) - before;
    expect(recorded).toBe(10);
    // Ten rows cost ~130 page reads (the row, then a descent of each index for its new version); reading the
    // backlog cost ~700 before the claim went through the index in order and the record through the primary key.
    expect({ claimPages, finishPages }).toEqual({
      claimPages: expect.toSatisfy((n: number) => n < 250),
      finishPages: expect.toSatisfy((n: number) => n < 250),
    });
    await single.query(`DELETE FROM portal_events_outbox WHERE idempotency_key LIKE 'backlog-%'`);
  });

  it('leases in one round trip, with any worker id, and a claim that fails leaves no transaction open', async () => {
    const single = new pg.Pool({ connectionString: database.url, max: 1 });
    pools.push(single);
    const store = createPostgresOutboxStore(single);
    const roundTrips: string[] = [];
    single.on('connect', (client) => {
      const original = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        roundTrips.push(text.trim().split(/\s+/)[0] ?? '');
        return original(...args);
      };
    });
    await store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice', 'bob']))), T0);
    // The worker id is written into the query as a literal: quotes and backslashes stay data.
    const workerId = `w'1\\"; DROP TABLE portal_events_outbox; --`;
    roundTrips.length = 0;
    const leased = await store.claim(T0, 10, MINUTE, workerId);
    expect(roundTrips).toEqual(['BEGIN;']);
    expect(leased).toHaveLength(2);
    const holder = await single.query<{ leased_by: string }>(
      'SELECT DISTINCT leased_by FROM portal_events_outbox WHERE id = ANY($1::uuid[])',
      [leased.map((row) => row.id)],
    );
    expect(holder.rows).toEqual([{ leased_by: workerId }]);
    expect(
      await store.finishDelivered(
        leased.map((row) => ({ id: row.id, portalId: null })),
        workerId,
        T0,
      ),
    ).toBe(2);
    // A lease time that is no integer is refused before any query; then a claim that fails inside the transaction
    // (the table locked past the statement timeout) and the pool's one connection still answers outside any.
    await expect(store.claim(T0, 10, Number.NaN, workerId)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN; LOCK TABLE portal_events_outbox IN ACCESS EXCLUSIVE MODE');
    const blocked = createPostgresOutboxStore(
      new pg.Pool({ connectionString: database.url, max: 1, options: '-c lock_timeout=200' }),
      { ownsPool: true },
    );
    await expect(blocked.claim(T0, 10, MINUTE, 'w-locked')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await locker.query('ROLLBACK');
    await locker.end();
    expect(await blocked.claim(T0, 10, MINUTE, 'w-locked')).toEqual([]);
    const open = await single.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'`,
      [database.name],
    );
    expect(open.rows[0]?.n).toBe('0');
    await blocked.close();
  });

  it('reports an unreachable database as STORE_UNAVAILABLE, in French and English', async () => {
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    const store = createPostgresOutboxStore(dead);
    await expect(store.stats()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      userMessage: { fr: expect.stringContaining('Vérifiez la base de données') },
    });
    await dead.end();
  });
});
