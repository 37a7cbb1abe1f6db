import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  artefact,
  createTestDatabase,
  measuredParts,
  type PeerTubeHost,
  type RunningPrometheus,
  requireRedis,
  seedPeerTube,
  startPrometheus,
  type TempDir,
  type TestDatabase,
  tempDir,
} from '@apps-education/testkit';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startExporterInHost } from './exporter-in-host.js';

const TOKEN = 'prometheus-scrape-token-0123';

interface Rule {
  alert: string;
  expr: string;
}

/** A real Prometheus (Debian) scraping the exporter in the strict PeerTube host; every PromQL expression we ship. */
describe('a real Prometheus scraping the exporter through PeerTube', () => {
  let dir: TempDir;
  let database: TestDatabase;
  let host: PeerTubeHost;
  let prometheus: RunningPrometheus;
  let instance = '';
  const queues: Queue[] = [];
  const rulesFile = artefact('peertube-alerts');
  const query = (expr: string) => prometheus.query(expr);
  const eventually = (expr: string, timeoutMs?: number) => prometheus.eventually(expr, timeoutMs);

  beforeAll(async () => {
    dir = await tempDir('exporter-prometheus-');
    database = await createTestDatabase('exporter_prometheus');
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await seedPeerTube(pool, { users: 50, videos: 2_000, webVideoFiles: 3_000, viewRows: 20_000 });
    await pool.end();

    // PeerTube's job queue: real BullMQ queues, one job waiting for two hours.
    const redisUrl = await requireRedis();
    const prefix = `bull-prom-${randomBytes(3).toString('hex')}.ac-test.fr`;
    const transcoding = new Queue('video-transcoding', { connection: { url: redisUrl }, prefix });
    const federation = new Queue('activitypub-http-broadcast', { connection: { url: redisUrl }, prefix });
    queues.push(transcoding, federation);
    await transcoding.add('job', { videoUUID: 'old' }, { timestamp: Date.now() - 2 * 3_600_000 });
    for (let i = 0; i < 3; i++) await federation.add('job', { uri: `https://x.example/${i}` });
    await federation.add('later', { uri: 'https://x.example/later' }, { delay: 600_000 });

    const exporter = await startExporterInHost({
      databaseUrl: database.url,
      dataDir: dir.path,
      settings: {
        'metrics-token': TOKEN,
        'refresh-interval-seconds': '2',
        'redis-url': redisUrl,
        'redis-prefix': prefix,
        // A tiny declared capacity: the storage alert must fire.
        'storage-capacity-gigabytes': '0.001',
      },
    });
    host = exporter.host;
    for (let i = 0; i < 4; i++) await host.runHook('action:api.video.viewed', { video: { id: 1 } });
    await host.runHook('action:api.video.uploaded', { video: { id: 2 } });
    await host.runHook('action:api.user.oauth2-got-token', { username: 'alice' });
    await host.runHook('action:api.user.registered', { user: { id: 3 } });
    // What only PeerTube's memory holds: federation messages and people watching.
    await host.process?.inboxProcessed(true);
    await host.process?.setInboxWaiting(2);
    await host.process?.addViewer('local', 'local');
    instance = new URL(host.url).host;

    prometheus = await startPrometheus({
      ruleFiles: [rulesFile],
      scrapeConfigs: [
        {
          job_name: 'peertube',
          metrics_path: '/plugins/apps-exporter/router/metrics',
          params: { token: [TOKEN] },
          static_configs: [{ targets: [instance] }],
        },
      ],
    });
    // Enough samples for rate(), increase(), deriv() and delta(): at least five scrapes of a refreshed exporter.
    await eventually(`count_over_time(peertube_exporter_up{instance="${instance}"}[1m]) >= 5`, 60_000);
    await eventually(`peertube_exporter_up{instance="${instance}"} == 1`);
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await host?.close();
    await database?.drop();
    await dir?.remove();
  });

  it('scrapes the exporter through the plugin route with the token: target up', async () => {
    const [target] = await query(`up{job="peertube", instance="${instance}"}`);
    expect(target?.value[1]).toBe('1');
  });

  it('returns data for every expression of the Grafana dashboard', async () => {
    const dashboard = JSON.parse(readFileSync(artefact('peertube-dashboard'), 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets?.map((t) => t.expr) ?? []);
    expect(exprs.length).toBeGreaterThanOrEqual(25);
    for (const expr of exprs) {
      const result = await query(expr.replaceAll('$instance', instance));
      expect(result.length, expr).toBeGreaterThan(0);
      for (const sample of result) expect(Number.isFinite(Number(sample.value[1])), expr).toBe(true);
    }
  });

  it('answers the instance variable with this instance', async () => {
    const response = await fetch(`${prometheus.url}/api/v1/label/instance/values?match[]=peertube_exporter_up`);
    expect(((await response.json()) as { data: string[] }).data).toContain(instance);
  });

  it('loads every alert rule, evaluates it without error, and returns data for its measured parts', async () => {
    const groups = (parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: Rule[] }[] }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(10);
    const evaluated = await prometheus.rules();
    expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const rule of evaluated) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
    for (const rule of rules) {
      for (const part of measuredParts(rule.expr)) {
        // `up{job="peertube"}` is Prometheus' own series; the rest is the exporter's.
        expect((await query(part)).length, `${rule.alert}: ${part}`).toBeGreaterThan(0);
      }
    }
  });

  it('fires (pending) the alerts whose conditions the instance meets: a job waiting 2 h, storage over capacity', async () => {
    await eventually('max by (instance, type) (peertube_job_oldest_waiting_age_seconds) > 3600');
    const pending = async () => (await prometheus.alerts()).map((a) => `${a.name}/${a.labels.type ?? ''}`);
    for (let i = 0; i < 40 && (await pending()).length < 2; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await pending()).toEqual(
      expect.arrayContaining(['PeerTubeOldestJobTooOld/video-transcoding', 'PeerTubeStorageNearlyFull/']),
    );
    expect(await pending()).not.toContain('PeerTubeExporterDown/');
  });

  it('sees peertube_exporter_up 0 when Redis becomes unreachable, and the exporter-down condition holds', async () => {
    await host.updateSettings({
      'metrics-token': TOKEN,
      'refresh-interval-seconds': '2',
      'redis-url': 'redis://127.0.0.1:1',
    });
    const [down] = await eventually(`peertube_exporter_up{instance="${instance}"} == 0 or up{job="peertube"} == 0`);
    expect(down?.metric.instance).toBe(instance);
    // The scrape itself still works: Prometheus sees the target up, with the last values.
    expect((await query(`up{job="peertube", instance="${instance}"}`))[0]?.value[1]).toBe('1');
    expect((await query(`peertube_video_channels{instance="${instance}"}`)).length).toBe(2);
  });
});
