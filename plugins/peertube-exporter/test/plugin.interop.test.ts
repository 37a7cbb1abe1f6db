import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin } from '@apps-education/build';
import {
  createTestDatabase,
  type PeerTubeHost,
  requireCommand,
  seedPeerTube,
  startPeerTubeHost,
  type TempDir,
  type TestDatabase,
  tempDir,
} from '@apps-education/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));

/** The built exporter in the strict PeerTube host: access control on /metrics and a clean exposition. */
describe('peertube-plugin-apps-exporter in PeerTube', () => {
  let dir: TempDir;
  let database: TestDatabase;
  let host: PeerTubeHost;
  const metricsUrl = () => `${host.url}/plugins/apps-exporter/router/metrics`;

  beforeAll(async () => {
    dir = await tempDir('exporter-');
    await buildPeerTubePlugin({ pluginDir, outDir: join(dir.path, 'artefacts') });
    database = await createTestDatabase('exporter_plugin');
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await seedPeerTube(pool, { users: 50, videos: 1_000, webVideoFiles: 1_500, viewRows: 10_000 });
    await pool.end();
    host = await startPeerTubeHost({
      databaseUrl: database.url,
      pluginDir: join(pluginDir, 'dist', 'package'),
      dataDir: dir.path,
    });
    await host.updateSettings({
      'metrics-token': 's3cret-token',
      'refresh-interval-seconds': '60',
      'allowed-addresses': '',
    });
    for (let i = 0; i < 100; i++) {
      if ((await (await fetch(`${metricsUrl()}?token=s3cret-token`)).text()).includes('peertube_exporter_up 1')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
  afterAll(async () => {
    await host?.close();
    await database?.drop();
    await dir?.remove();
  });

  it('serves the metrics with the token in the query, clean under promtool', async () => {
    const response = await fetch(`${metricsUrl()}?token=s3cret-token`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('peertube_exporter_up 1');
    expect(text).toMatch(/^peertube_videos\{origin="local",privacy="public",state="published"\} \d+$/m);
    const result = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });

  it('accepts the token in the X-Metrics-Token header', async () => {
    expect((await fetch(metricsUrl(), { headers: { 'x-metrics-token': 's3cret-token' } })).status).toBe(200);
  });

  it('refuses a missing token with 401', async () => {
    const response = await fetch(metricsUrl());
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Jeton absent ou invalide');
  });

  it('refuses a wrong token with 401', async () => {
    expect((await fetch(`${metricsUrl()}?token=s3cret-tokem`)).status).toBe(401);
  });

  it('never sees an Authorization header: PeerTube refuses it as one of its own tokens first', async () => {
    expect((await fetch(metricsUrl(), { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(401);
  });

  it('refuses an address outside the allow-list with 403', async () => {
    await host.updateSettings({ 'metrics-token': 's3cret-token', 'allowed-addresses': '10.1.2.3' });
    try {
      const response = await fetch(`${metricsUrl()}?token=s3cret-token`);
      expect(response.status).toBe(403);
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'allowed-addresses': '127.0.0.1' });
      expect((await fetch(`${metricsUrl()}?token=s3cret-token`)).status).toBe(200);
    } finally {
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'allowed-addresses': '' });
    }
  });

  it('answers with the last values and peertube_exporter_up 0 while the database fails, then recovers', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    const scrape = async () => (await fetch(`${metricsUrl()}?token=s3cret-token`)).text();
    const until = async (text: string) => {
      for (let i = 0; i < 100; i++) {
        const body = await scrape();
        if (body.includes(text)) return body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`never saw ${text}`);
    };
    try {
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'refresh-interval-seconds': '2' });
      // The exporter's queries now fail as if the database were broken; PeerTube's own tables stay usable.
      await pool.query('ALTER TABLE "video" RENAME TO "video_hidden"');
      const stale = await until('peertube_exporter_up 0');
      expect(stale).toMatch(/^peertube_video_channels 50$/m);
      expect((await fetch(`${host.url}/login`)).status).toBe(200);
      await pool.query('ALTER TABLE "video_hidden" RENAME TO "video"');
      await until('peertube_exporter_up 1');
    } finally {
      await pool.query('ALTER TABLE IF EXISTS "video_hidden" RENAME TO "video"').catch(() => undefined);
      await pool.end();
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'refresh-interval-seconds': '60' });
    }
  }, 60_000);

  it('answers with peertube_exporter_up 0 while Redis is unreachable, then recovers', async () => {
    const scrape = async () => (await fetch(`${metricsUrl()}?token=s3cret-token`)).text();
    const until = async (text: string) => {
      for (let i = 0; i < 100; i++) {
        if ((await scrape()).includes(text)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`never saw ${text}`);
    };
    try {
      await host.updateSettings({
        'metrics-token': 's3cret-token',
        'refresh-interval-seconds': '2',
        'redis-url': 'redis://127.0.0.1:1',
      });
      await until('peertube_exporter_up 0');
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'refresh-interval-seconds': '2' });
      await until('peertube_exporter_up 1');
    } finally {
      await host.updateSettings({ 'metrics-token': 's3cret-token', 'refresh-interval-seconds': '60' });
    }
  }, 60_000);

  it('refuses everything while no token is set, saying how to fix it', async () => {
    await host.updateSettings({ 'metrics-token': '' });
    try {
      const response = await fetch(`${metricsUrl()}?token=`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('No token set');
    } finally {
      await host.updateSettings({ 'metrics-token': 's3cret-token' });
    }
  });
});
