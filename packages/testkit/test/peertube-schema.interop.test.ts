import pg from 'pg';
import { expect, it } from 'vitest';
import { createTestDatabase, PLATFORM_SCALE, seedPeerTube } from '../src/index.js';

it("fills PeerTube's tables at the platform's scale (63,000 videos, 100,000 files, 1,000,000 view rows)", async () => {
  const database = await createTestDatabase('peertube_scale');
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    const started = Date.now();
    await seedPeerTube(pool, PLATFORM_SCALE);
    const count = async (table: string) =>
      Number((await pool.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0]?.n);
    expect(await count('video')).toBe(63_000);
    expect(await count('videoFile')).toBeGreaterThanOrEqual(100_000);
    expect(await count('videoView')).toBe(1_000_000);
    const kinds = await pool.query(
      `SELECT count(*) FILTER (WHERE "videoId" IS NULL) AS hls, count(*) FILTER (WHERE "videoId" IS NOT NULL) AS web FROM "videoFile"`,
    );
    expect(Number(kinds.rows[0]?.hls)).toBeGreaterThan(0);
    expect(Number(kinds.rows[0]?.web)).toBeGreaterThan(0);
    const privacy = await pool.query('SELECT DISTINCT privacy FROM video ORDER BY privacy');
    expect(privacy.rows.map((r) => r.privacy)).toEqual([1, 2, 3, 4, 5]);
    console.log(`seeded the platform scale in ${Date.now() - started} ms`);
  } finally {
    await pool.end();
    await database.drop();
  }
}, 120_000);
