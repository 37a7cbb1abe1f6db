import { spawnSync } from 'node:child_process';
import {
  createTestDatabase,
  type PeerTubeHost,
  requireCommand,
  requireRedis,
  seedPeerTube,
  startPeerTubeHost,
  type TempDir,
  type TestDatabase,
  tempDir,
  unpackPeerTubePlugin,
} from '@apps-education/testkit';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOWN, type ExporterInHost, NPM_NAME, startExporterInHost, UP } from './exporter-in-host.js';

/** The built exporter in the strict PeerTube host: access control on /metrics and a clean exposition. */
describe('peertube-plugin-apps-exporter in PeerTube', () => {
  let dir: TempDir;
  let database: TestDatabase;
  let exporter: ExporterInHost;
  let host: PeerTubeHost;
  let queue: Queue | undefined;
  const TOKEN = 's3cret-token-for-tests';
  const metricsUrl = () => `${host.url}/plugins/apps-exporter/router/metrics`;
  const scrape = () => exporter.scrape();
  const until = (line: RegExp) => exporter.until(line);
  const settings = (changes: Record<string, string> = {}) => exporter.configure(changes);

  beforeAll(async () => {
    dir = await tempDir('exporter-');
    database = await createTestDatabase('exporter_plugin');
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await seedPeerTube(pool, { users: 50, videos: 1_000, webVideoFiles: 1_500, viewRows: 10_000 });
    await pool.end();
    exporter = await startExporterInHost({
      databaseUrl: database.url,
      dataDir: dir.path,
      settings: { 'metrics-token': TOKEN, 'refresh-interval-seconds': '60' },
    });
    host = exporter.host;
    // PeerTube's queues under its default prefix (bull-<host>), as a real PeerTube makes them at start.
    queue = new Queue('video-transcoding', {
      connection: { url: await requireRedis() },
      prefix: `bull-${new URL(host.url).host}`,
    });
    await queue.waitUntilReady();
    await queue.add('job', { videoUUID: 'x' });
    await settings();
    await until(/^peertube_job_queues_found 1$/m);
  }, 120_000);
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await host?.close();
    await database?.drop();
    await dir?.remove();
  });

  it('serves the metrics with the token in the query, clean under promtool', async () => {
    const response = await fetch(`${metricsUrl()}?token=s3cret-token-for-tests`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(UP);
    expect(text).toMatch(/^peertube_videos\{origin="local",privacy="public",state="published"\} \d+$/m);
    expect(text).toMatch(/^peertube_info\{version="6\.3\.3"\} 1$/m);
    const result = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });

  it('accepts the token in the X-Metrics-Token header', async () => {
    expect((await fetch(metricsUrl(), { headers: { 'x-metrics-token': 's3cret-token-for-tests' } })).status).toBe(200);
  });

  it('refuses a missing token with 401', async () => {
    const response = await fetch(metricsUrl());
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Jeton absent ou invalide');
  });

  it('refuses a wrong token with 401', async () => {
    expect((await fetch(`${metricsUrl()}?token=s3cret-token-for-tests-for-testx`)).status).toBe(401);
  });

  it('never sees an Authorization header: PeerTube refuses it as one of its own tokens first', async () => {
    expect((await fetch(metricsUrl(), { headers: { authorization: 'Bearer s3cret-token-for-tests' } })).status).toBe(
      401,
    );
  });

  it('refuses an address outside the allow-list with 403, allows a listed network', async () => {
    await settings({ 'allowed-addresses': '10.1.2.3' });
    try {
      const response = await fetch(`${metricsUrl()}?token=${TOKEN}`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Adresse 127.0.0.1 non autorisée');
      await settings({ 'allowed-addresses': '10.1.2.3, 127.0.0.0/8' });
      expect((await fetch(`${metricsUrl()}?token=${TOKEN}`)).status).toBe(200);
    } finally {
      await settings();
    }
  });

  it("checks the client behind PeerTube's trusted reverse proxy, not the proxy", async () => {
    await settings({ 'allowed-addresses': '203.0.113.0/24' });
    try {
      const via = async (client: string) =>
        (await fetch(`${metricsUrl()}?token=${TOKEN}`, { headers: { 'x-forwarded-for': client } })).status;
      expect(await via('203.0.113.9')).toBe(200);
      expect(await via('198.51.100.9')).toBe(403);
      // A client cannot slip an allowed address in front: the proxy appends the real one, which counts.
      expect(await via('203.0.113.9, 198.51.100.9')).toBe(403);
    } finally {
      await settings();
    }
  });

  it('counts uploads, views, sign-ins and registrations from PeerTube action hooks', async () => {
    const count = (body: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(body)?.[1]);
    const before = await scrape();
    await host.runHook('action:api.video.uploaded', { video: { id: 1 } });
    for (let i = 0; i < 3; i++) await host.runHook('action:api.video.viewed', { video: { id: 1 }, ip: '10.0.0.1' });
    await host.runHook('action:api.user.oauth2-got-token', { username: 'alice', ip: '10.0.0.1' });
    await host.runHook('action:api.user.oauth2-got-token', { username: 'bob', ip: '10.0.0.2' });
    await host.runHook('action:api.user.registered', { user: { id: 9 } });
    const after = await scrape();
    expect(count(after, 'peertube_video_uploads_total') - count(before, 'peertube_video_uploads_total')).toBe(1);
    expect(count(after, 'peertube_video_view_events_total') - count(before, 'peertube_video_view_events_total')).toBe(
      3,
    );
    // PeerTube's own OpenTelemetry gauge has that name: never reused.
    expect(after).not.toMatch(/^peertube_video_views_total/m);
    expect(count(after, 'peertube_user_sign_ins_total') - count(before, 'peertube_user_sign_ins_total')).toBe(2);
    expect(count(after, 'peertube_user_registrations_total') - count(before, 'peertube_user_registrations_total')).toBe(
      1,
    );
    expect(host.logs.filter((l) => l.message.includes('Unknown hook'))).toEqual([]);
  });

  it('shows the declared storage capacity only while it is set', async () => {
    await settings({ 'storage-capacity-gigabytes': '2000' });
    expect(await scrape()).toMatch(/^peertube_storage_capacity_bytes 2000000000000$/m);
    await settings();
    expect(await scrape()).not.toContain('peertube_storage_capacity_bytes');
  });

  it('refuses bad settings whole, logs why in English and French, and keeps the previous ones', async () => {
    await settings({ 'metrics-token': 'short', 'allowed-addresses': 'prometheus.local' });
    try {
      const refused = host.logs.filter((l) => l.level === 'error' && l.message.includes('Settings refused')).at(-1);
      expect(refused?.message).toContain('at least 16 characters');
      expect(refused?.message).toContain('« prometheus.local »');
      expect((await fetch(`${metricsUrl()}?token=${TOKEN}`)).status).toBe(200);
      expect((await fetch(`${metricsUrl()}?token=short`)).status).toBe(401);
    } finally {
      await settings();
    }
  });

  it('answers at once with the last values and peertube_exporter_up 0 while the database fails, then recovers', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      await settings({ 'refresh-interval-seconds': '2' });
      // The exporter's queries now fail as if the database were broken; PeerTube's own tables stay usable.
      await pool.query('ALTER TABLE "video" RENAME TO "video_hidden"');
      const stale = await until(DOWN);
      expect(stale).toMatch(/^peertube_video_channels\{origin="local"\} 49$/m);
      expect((await fetch(`${host.url}/login`)).status).toBe(200);
      expect(host.logs.filter((l) => l.message.includes('refresh failed'))).toHaveLength(1);
      await pool.query('ALTER TABLE "video_hidden" RENAME TO "video"');
      await until(UP);
    } finally {
      await pool.query('ALTER TABLE IF EXISTS "video_hidden" RENAME TO "video"').catch(() => undefined);
      await pool.end();
      await settings();
    }
  }, 60_000);

  it('answers while a refresh waits on a locked table, and the statement timeout ends that refresh', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const client = await pool.connect();
    // The exporter's refresh queries waiting on a lock right now (PeerTube's pool is application "peertube").
    const waiting = async () =>
      (
        await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE application_name = 'peertube' AND wait_event_type = 'Lock' AND query LIKE '%statement_timeout%'`,
        )
      ).rows[0].n as number;
    try {
      await until(UP);
      // Another session holds a lock on "video": the exporter's next refresh waits on it until its timeout.
      await client.query('BEGIN');
      await client.query('LOCK TABLE "video" IN ACCESS EXCLUSIVE MODE');
      await settings({ 'refresh-interval-seconds': '2', 'statement-timeout-seconds': '4' });
      for (let i = 0; i < 100 && (await waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await waiting()).toBe(1);
      // While the refresh is stuck, a scrape gets its answer: the last values, still up.
      const response = await fetch(`${metricsUrl()}?token=${TOKEN}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(UP);
      expect(await waiting()).toBe(1);
      // The timeout ends the stuck query (one connection only, never a pile of them), the refresh is marked failed.
      await until(DOWN);
      expect(await waiting()).toBeLessThanOrEqual(1);
      await client.query('ROLLBACK');
      await until(UP);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await pool.end();
      await settings();
    }
  }, 60_000);

  it('answers with peertube_exporter_up 0 while Redis is unreachable, then recovers', async () => {
    try {
      await settings({ 'refresh-interval-seconds': '2', 'redis-url': 'redis://127.0.0.1:1' });
      await until(DOWN);
      await settings({ 'refresh-interval-seconds': '2' });
      await until(UP);
    } finally {
      await settings();
    }
  }, 60_000);

  it('refuses everything while no token is set, saying how to fix it', async () => {
    await host.updateSettings({ 'metrics-token': '' });
    try {
      const response = await fetch(`${metricsUrl()}?token=`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('No token set');
    } finally {
      await settings();
    }
  });

  it("a reachable Redis without PeerTube's queues does not look healthy: metric, one log line, then recovery", async () => {
    try {
      await settings({ 'refresh-interval-seconds': '2', 'redis-prefix': 'bull-not-this-instance' });
      const body = await until(/^peertube_job_queues_found 0$/m);
      expect(body).toMatch(UP);
      const said = host.logs.filter(
        (l) => l.message.includes('No job queue found in Redis') && l.message.includes('bull-not-this-instance'),
      );
      expect(said).toHaveLength(1);
      expect(said[0]?.level).toBe('warn');
      expect(said[0]?.message).toContain('bull-not-this-instance');
      expect(said[0]?.message).toContain('Aucune file de tâches');
      // Two more refreshes (each moves the last-success time) still find no queue, and say nothing more.
      const lastSuccess = async () =>
        Number(/^peertube_exporter_last_success_timestamp_seconds (\S+)$/m.exec(await exporter.scrape())?.[1]);
      const seen = [await lastSuccess()];
      for (let i = 0; i < 100 && seen.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await lastSuccess();
        if (now !== seen.at(-1)) seen.push(now);
      }
      expect(seen).toHaveLength(3);
      expect(await exporter.scrape()).toMatch(/^peertube_job_queues_found 0$/m);
      expect(host.logs.filter((l) => l.message.includes('bull-not-this-instance'))).toHaveLength(1);
      await settings({ 'refresh-interval-seconds': '2' });
      await until(/^peertube_job_queues_found 1$/m);
      expect(host.logs.some((l) => l.message.includes('Job queues found again'))).toBe(true);
    } finally {
      await settings();
    }
  }, 60_000);

  it("reads the ActivityPub inbox and the current viewers from PeerTube's process at every scrape", async () => {
    const process = host.process;
    if (!process) throw new Error("the host lays out PeerTube's process modules");
    await process.inboxProcessed(true);
    await process.inboxProcessed(true);
    await process.inboxProcessed(false);
    await process.setInboxWaiting(7);
    await process.addViewer('local', 'local');
    await process.addViewer('remote', 'local');
    const body = await scrape();
    expect(body).toMatch(/^peertube_exporter_source_up\{source="activitypub_inbox"\} 1$/m);
    expect(body).toMatch(/^peertube_activitypub_inbox_processed_total 2$/m);
    expect(body).toMatch(/^peertube_activitypub_inbox_errors_total 1$/m);
    expect(body).toMatch(/^peertube_activitypub_inbox_waiting 7$/m);
    expect(body).toMatch(/^peertube_viewers\{viewer_origin="remote",video_origin="local"\} 1$/m);
    await process.setInboxWaiting(0);
    expect(await scrape()).toMatch(/^peertube_activitypub_inbox_waiting 0$/m);
  });

  it('shows the Node runtime of the process it runs in', async () => {
    const body = await scrape();
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  it('never took the host down', () => {
    expect(host.crashed).toBeNull();
  });
});

describe("peertube-plugin-apps-exporter where PeerTube's process cannot be read", () => {
  it('leaves the inbox and viewer families out, says so in a metric and once in the log', async () => {
    const dir = await tempDir('exporter-noprocess-');
    const database = await createTestDatabase('exporter_noprocess');
    const token = 'a-token-that-is-long-enough';
    const host = await startPeerTubeHost({
      databaseUrl: database.url,
      pluginDir: unpackPeerTubePlugin(NPM_NAME, dir.path),
      dataDir: dir.path,
      processModules: false,
    });
    try {
      await host.updateSettings({ 'metrics-token': token });
      const body = await (await fetch(`${host.url}/plugins/apps-exporter/router/metrics?token=${token}`)).text();
      expect(body).toMatch(/^peertube_exporter_source_up\{source="activitypub_inbox"\} 0$/m);
      expect(body).toMatch(/^peertube_exporter_source_up\{source="viewers"\} 0$/m);
      expect(body).not.toMatch(/^peertube_activitypub_inbox|^peertube_viewers/m);
      expect(host.logs.filter((l) => l.message.includes('cannot be read from PeerTube'))).toHaveLength(2);
    } finally {
      await host.close();
      await database.drop();
      await dir.remove();
    }
  });
});

describe('peertube-plugin-apps-exporter started with invalid saved settings', () => {
  it('says on /metrics and in the log what to fix, never "no token set" when one is set', async () => {
    const dir = await tempDir('exporter-invalid-');
    const database = await createTestDatabase('exporter_invalid');
    const token = 'a-token-that-is-long-enough';
    // Saved before the restart: PeerTube stores invalid settings as they were sent (shared/reference/peertube.md).
    const first = await startPeerTubeHost({
      databaseUrl: database.url,
      pluginDir: unpackPeerTubePlugin(NPM_NAME, dir.path),
      dataDir: dir.path,
    });
    try {
      await first.updateSettings({ 'metrics-token': token, 'refresh-interval-seconds': '1' });
      await first.restart();
      const response = await fetch(`${first.url}/plugins/apps-exporter/router/metrics?token=${token}`);
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).toContain('Refresh interval "1" refused');
      expect(text).toContain('Corrigez-les dans Administration');
      expect(text).not.toContain('No token set');
      const logged = first.logs.filter((l) => l.level === 'error' && l.message.includes('saved settings are invalid'));
      expect(logged).toHaveLength(1);
      // Fixed: served again, without a restart.
      await first.updateSettings({ 'metrics-token': token, 'refresh-interval-seconds': '60' });
      expect((await fetch(`${first.url}/plugins/apps-exporter/router/metrics?token=${token}`)).status).toBe(200);
      expect(first.crashed).toBeNull();
    } finally {
      await first.close();
      await database.drop();
      await dir.remove();
    }
  });
});
