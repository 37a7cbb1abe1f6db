import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MissingPeerError } from './system-peer.js';

export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database (after the caller closed its own pools). */
  drop(): Promise<void>;
}

/**
 * A fresh, empty PostgreSQL database for one test file, on the server of TEST_POSTGRES_URL (default: the local
 * server with trust auth). A server that does not answer fails the test naming the package, never skips it.
 */
export async function createTestDatabase(prefix = 'apps_test'): Promise<TestDatabase> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MissingPeerError(
      `PostgreSQL at ${POSTGRES_URL} (${reason}); start it or set TEST_POSTGRES_URL`,
      'postgresql',
    );
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        // A pool's end() can resolve before PostgreSQL has closed its backends; FORCE would then kill them and their
        // clients, already out of any pool, would emit an error nobody listens to. So wait until none is left (on a
        // busy machine this takes a moment), and only force what is still connected after 10 s.
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if ((rows[0]?.n ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
