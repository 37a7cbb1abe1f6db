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
import { createDeliveryWorker, createLaboiteClient, createOutbox } from '../src/index.js';
import { meetingEvent, shareEvent } from './fixtures.js';
import { outboxScenarios } from './outbox-scenarios.js';

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
