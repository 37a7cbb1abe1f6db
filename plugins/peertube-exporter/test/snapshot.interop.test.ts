import { spawnSync } from 'node:child_process';
import {
  createPeerTubeSequelize,
  createTestDatabase,
  PLATFORM_SCALE,
  requireCommand,
  seedPeerTube,
  type TestDatabase,
} from '@apps-education/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerTubeQuery, type Query, readSnapshot } from '../src/adapters/database.js';
import { createExporterMetrics } from '../src/core/exposition.js';

/** The exporter's reading of a PeerTube database at the platform's scale, and its exposition through promtool. */
describe('reading PeerTube at the platform scale', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  // The way the plugin reads in PeerTube: through Sequelize (PeerTube's pool of 5), each query under a timeout.
  let sequelize: ReturnType<typeof createPeerTubeSequelize>;
  let query: Query;
  beforeAll(async () => {
    database = await createTestDatabase('exporter');
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await seedPeerTube(pool, PLATFORM_SCALE);
    sequelize = createPeerTubeSequelize(database.url);
    query = peerTubeQuery(sequelize as never, 10_000);
  }, 120_000);
  afterAll(async () => {
    await sequelize?.close();
    await pool?.end();
    await database?.drop();
  });

  it('counts every video by origin, privacy and state, and the files by storage, kind and resolution', async () => {
    const started = performance.now();
    const snapshot = await readSnapshot(query, 1);
    console.log(`refresh at 63,000 videos and 1,000,000 view rows: ${(performance.now() - started).toFixed(0)} ms`);
    expect(snapshot.videos.reduce((n, s) => n + s.value, 0)).toBe(63_000);
    expect(snapshot.videos.filter((s) => s.labels.origin === 'remote').reduce((n, s) => n + s.value, 0)).toBe(6_300);
    expect(new Set(snapshot.videos.map((s) => s.labels.privacy))).toEqual(
      new Set(['public', 'unlisted', 'private', 'internal', 'password_protected']),
    );
    const kinds = new Set(snapshot.videoFileBytes.map((s) => s.labels.kind));
    expect(kinds).toEqual(new Set(['hls', 'web_video']));
    expect(snapshot.users.reduce((n, s) => n + s.value, 0)).toBe(PLATFORM_SCALE.users);
    expect(snapshot.localViewsWindow.find((s) => s.labels.window === '1d')?.value).toBeGreaterThan(0);
    expect(snapshot.runnerJobs?.reduce((n, s) => n + s.value, 0)).toBe(300);
    expect(snapshot.usedBytes).toBeGreaterThan(0);
  }, 60_000);

  it("uses one connection of PeerTube's pool for a whole refresh", async () => {
    const fresh = createPeerTubeSequelize(database.url, 'peertube-one-refresh');
    try {
      await readSnapshot(peerTubeQuery(fresh as never, 10_000), 1);
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'peertube-one-refresh'`,
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('stops a query at the statement timeout and leaves the pooled connection without it', async () => {
    const fresh = createPeerTubeSequelize(database.url);
    try {
      const slow = peerTubeQuery(fresh as never, 100);
      await expect(slow('SELECT pg_sleep(1)')).rejects.toThrow(/statement timeout/);
      const [setting] = (await fresh.query('SHOW statement_timeout', { type: 'SELECT' })) as {
        statement_timeout: string;
      }[];
      expect(setting?.statement_timeout).toBe('0');
      await expect(readSnapshot(peerTubeQuery(fresh as never, 10_000), 1)).resolves.toBeDefined();
    } finally {
      await fresh.close();
    }
  });

  it('exposes metrics that pass promtool check metrics, with bounded series', async () => {
    const metrics = createExporterMetrics();
    metrics.apply(await readSnapshot(query, 1), 0.2, 1_800_000_000);
    const exposition = await metrics.render();
    const result = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], {
      input: exposition,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
    const series = exposition.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(series.length).toBeLessThan(500);
    expect(exposition).toContain('peertube_exporter_up 1');
    expect(exposition).not.toMatch(/uuid|video_id|user_id/);
  }, 60_000);

  it('keeps the last values and says peertube_exporter_up 0 when a refresh fails', async () => {
    const metrics = createExporterMetrics();
    metrics.apply(await readSnapshot(query, 1), 0.2, 1_800_000_000);
    await expect(readSnapshot(async () => Promise.reject(new Error('connection refused')), 1)).rejects.toThrow(
      'connection refused',
    );
    metrics.failed(0.01);
    const exposition = await metrics.render();
    expect(exposition).toContain('peertube_exporter_up 0');
    expect(exposition).toMatch(/^peertube_video_channels 5000$/m);
  }, 60_000);
});
