import pg from 'pg';
import { expect, it } from 'vitest';
import { createTestDatabase, MissingPeerError, requireRedis } from '../src/index.js';

it('creates an empty PostgreSQL database per test file and drops it', async () => {
  const database = await createTestDatabase('testkit');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const tables = await client.query(
    "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
  );
  expect(tables.rows[0]).toEqual({ n: 0 });
  await client.end();
  await database.drop();
  const admin = new pg.Client({ connectionString: database.url.replace(database.name, 'postgres') });
  await admin.connect();
  const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database.name]);
  await admin.end();
  expect(left.rowCount).toBe(0);
});

it('finds the running Redis, and names the package when Redis is not there', async () => {
  await expect(requireRedis()).resolves.toMatch(/^redis:/);
  await expect(requireRedis('redis://127.0.0.1:1')).rejects.toThrow(MissingPeerError);
  await expect(requireRedis('redis://127.0.0.1:1')).rejects.toThrow(/"redis-server"/);
});

it('drops a database right after a pool ends without killing its closing backends (no unhandled 57P01)', async () => {
  // Before: DROP DATABASE ... WITH (FORCE) right after pool.end() could kill backends still closing, and their
  // clients, out of the pool, emitted an error nobody listened to (issue 11, seen on a busy machine).
  const errors: unknown[] = [];
  const onError = (error: unknown) => errors.push(error);
  process.on('uncaughtException', onError);
  try {
    for (let round = 0; round < 10; round++) {
      const database = await createTestDatabase('testkit_drop');
      const pool = new pg.Pool({ connectionString: database.url, max: 5 });
      await Promise.all(Array.from({ length: 5 }, () => pool.query('SELECT pg_sleep(0.01)')));
      await pool.end();
      await database.drop();
    }
  } finally {
    process.off('uncaughtException', onError);
  }
  expect(errors).toEqual([]);
});

it('still drops a database a client forgot to close (forced after waiting)', async () => {
  const database = await createTestDatabase('testkit_forgotten');
  const client = new pg.Client({ connectionString: database.url });
  client.on('error', () => undefined); // this one is killed on purpose
  await client.connect();
  const started = Date.now();
  await database.drop();
  expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
  const admin = new pg.Client({ connectionString: database.url.replace(database.name, 'postgres') });
  await admin.connect();
  const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database.name]);
  await admin.end();
  expect(left.rowCount).toBe(0);
}, 30_000);
