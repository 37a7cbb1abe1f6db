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
      // The same pool then reads a whole snapshot, the same as the shared one reads.
      const after = await readSnapshot(peerTubeQuery(fresh as never, 10_000), 1);
      const reference = await readSnapshot(query, 1);
      expect(after.channels).toEqual(reference.channels);
      expect(after.channels.length).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it('counts comments, channels and playlists by origin, playlists without every account\'s "Watch later"', async () => {
    const snapshot = await readSnapshot(query, 1);
    const origin = (samples: readonly { labels: Record<string, string>; value: number }[], o: string) =>
      samples.find((s) => s.labels.origin === o)?.value;
    const sql = async (text: string) => Number((await pool.query(text)).rows[0].n);
    const remoteActor = `JOIN actor ac ON ac.id = x."actorId" AND ac."serverId" IS NOT NULL`;
    expect(origin(snapshot.channels, 'remote')).toBe(
      await sql(`SELECT count(*) AS n FROM "videoChannel" x ${remoteActor}`),
    );
    expect(origin(snapshot.channels, 'remote')).toBe(100);
    expect(origin(snapshot.channels, 'local')).toBe(4900);
    const playlists = await sql(`SELECT count(*) AS n FROM "videoPlaylist" WHERE type = 1`);
    expect((origin(snapshot.playlists, 'local') ?? 0) + (origin(snapshot.playlists, 'remote') ?? 0)).toBe(playlists);
    expect(await sql(`SELECT count(*) AS n FROM "videoPlaylist" WHERE type = 2`)).toBe(5000);
    const comments = await sql(`SELECT count(*) AS n FROM "videoComment" WHERE "deletedAt" IS NULL`);
    expect((origin(snapshot.comments, 'local') ?? 0) + (origin(snapshot.comments, 'remote') ?? 0)).toBe(comments);
    expect(origin(snapshot.comments, 'remote')).toBeGreaterThan(0);
    expect(snapshot.commentsHeldForReview).toBe(
      await sql(`SELECT count(*) AS n FROM "videoComment" WHERE "deletedAt" IS NULL AND "heldForReview"`),
    );
  }, 60_000);

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
    expect(exposition).toMatch(/^peertube_video_channels\{origin="local"\} 4900$/m);
  }, 60_000);
});
