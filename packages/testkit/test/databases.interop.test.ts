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
