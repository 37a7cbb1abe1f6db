/**
 * pnpm bench (peertube-exporter), in the strict PeerTube host on PostgreSQL and Redis, the tarball `pnpm build` ships:
 * - scrape latency p50/p99 at 1,000, 63,000 and 300,000 videos (files and view rows in proportion), from a worker
 *   thread (its own heap, as Prometheus is another process), with a bare route of the same host timed the same way
 *   as baseline: between refreshes (the default 60 s interval; the goal:
 *   flat, p99 at 300,000 / p99 at 1,000 <= 1.5), and while the exporter refreshes every 2 s (a stress figure: on
 *   2 cores PostgreSQL's refresh work competes with the client and the host for the CPU);
 * - refresh duration at 63,000 videos and 1,000,000 view rows (goal <= 500 ms), as a ratio to one
 *   `SELECT count(*) FROM "video"` through the same Sequelize;
 * - database connections the refresh holds at once and opens in all (sampled from pg_stat_activity);
 * - event-loop delay of the host process with refreshes running vs idle (monitorEventLoopDelay, same process).
 * Usage: pnpm bench [-- --scrapes 5000]
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  buildArtefacts,
  createPeerTubeSequelize,
  createTestDatabase,
  PLATFORM_SCALE,
  requireRedis,
  seedPeerTube,
  tempDir,
} from '@apps-education/testkit';
import { Queue } from 'bullmq';
import pg from 'pg';
import { peerTubeQuery, readSnapshot } from '../src/adapters/database.js';
import { startExporterInHost } from '../test/exporter-in-host.js';

const option = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const SCRAPES = Number(option('scrapes') ?? 5000);
/** Set in a child: measure this one scale. Each scale runs in its own process, a fresh "PeerTube" each time. */
const SCALE = option('scale');
const TOKEN = 'bench-token-0123456789abcdef';
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

const redisUrl = await requireRedis();

interface Timings {
  scrape: number[];
  bare: number[];
}

interface ScaleResult {
  videos: number;
  between: Timings;
  refreshing: Timings;
  refreshMs: number;
}

/**
 * Scrapes and bare requests, alternated, from a worker thread: Prometheus is another process, and a client in the
 * host's own heap would add its garbage collections (reading 30 KB bodies) to the host's latency.
 */
function measureFromWorker(scrapeUrl: string, bareUrl: string): Promise<Timings> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const timed = async (url) => {
      const started = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status !== 200) { parentPort.postMessage({ error: url + ': ' + response.status }); process.exit(1); }
      return performance.now() - started;
    };
    (async () => {
      for (let i = 0; i < 50; i++) { await timed(workerData.scrapeUrl); await timed(workerData.bareUrl); }
      const timings = { scrape: [], bare: [] };
      for (let i = 0; i < workerData.n; i++) {
        timings.scrape.push(await timed(workerData.scrapeUrl));
        timings.bare.push(await timed(workerData.bareUrl));
      }
      parentPort.postMessage(timings);
    })();
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { scrapeUrl, bareUrl, n: SCRAPES } });
    worker.once('message', (timings: Timings | { error: string }) => {
      if ('error' in timings) reject(new Error(timings.error));
      else resolve(timings);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function atScale(videos: number, dataDir: string, prefix: string): Promise<ScaleResult> {
  const f = videos / PLATFORM_SCALE.videos;
  const database = await createTestDatabase(`exporter_bench_${videos}`);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const seeded = performance.now();
  await seedPeerTube(pool, {
    users: Math.max(50, Math.round(PLATFORM_SCALE.users * f)),
    videos,
    webVideoFiles: Math.round(PLATFORM_SCALE.webVideoFiles * f),
    viewRows: Math.round(PLATFORM_SCALE.viewRows * f),
  });
  // Settled as a long-running instance is: statistics fresh, the seed's writes flushed (else the checkpointer's I/O
  // lands in the measurements at the largest scale).
  await pool.query('VACUUM ANALYZE');
  await pool.query('CHECKPOINT');
  console.error(`  seeded ${videos} videos in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
  const exporter = await startExporterInHost({
    databaseUrl: database.url,
    dataDir,
    settings: {
      'metrics-token': TOKEN,
      'refresh-interval-seconds': '60',
      'redis-url': redisUrl,
      'redis-prefix': prefix,
    },
    // As an administrator would configure a test instance: the bench sends thousands of requests from one address.
    pluginRateLimit: 1_000_000,
  });
  const { host, metricsUrl } = exporter;
  const measure = () => measureFromWorker(metricsUrl, `${host.url}/login`);
  const between = await measure();
  await exporter.configure({ 'refresh-interval-seconds': '2' });
  const refreshing = await measure();
  const body = await exporter.scrape();
  const refreshMs = Number(/^peertube_exporter_refresh_duration_seconds (\S+)$/m.exec(body)?.[1]) * 1000;

  const result: ScaleResult = { videos, between, refreshing, refreshMs };
  if (videos === PLATFORM_SCALE.videos) {
    // Refresh duration through PeerTube's Sequelize, against one count(*) over "video" the same way.
    const sequelize = createPeerTubeSequelize(database.url, 'peertube-bench');
    const query = peerTubeQuery(sequelize as never, 10_000);
    const refresh: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < 12; i++) {
      let started = performance.now();
      await readSnapshot(query, 1);
      refresh.push(performance.now() - started);
      started = performance.now();
      await query('SELECT count(*) FROM "video"');
      baseline.push(performance.now() - started);
    }
    refresh.splice(0, 2);
    baseline.splice(0, 2);
    const [r50, rMax, b50] = [quantile(refresh, 0.5), Math.max(...refresh), quantile(baseline, 0.5)];
    console.log(
      `refresh at ${videos} videos and ${PLATFORM_SCALE.viewRows} view rows (10 runs): p50 ${ms(r50)}, max ${ms(rMax)} (${(r50 / b50).toFixed(1)} vs one count(*) over "video" at ${ms(b50)}; goal <= 500 ms: ${rMax <= 500 ? 'met' : 'NOT met'})`,
    );

    // Connections: sample pg_stat_activity while the exporter refreshes inside the host.
    const sampler = new pg.Pool({ connectionString: database.url, max: 1 });
    const pids = new Set<number>();
    let activeAtOnce = 0;
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      const { rows } = await sampler.query<{ pid: number; state: string; query: string }>(
        `SELECT pid, state, query FROM pg_stat_activity WHERE application_name = 'peertube' AND query LIKE '%statement_timeout%'`,
      );
      for (const row of rows) pids.add(row.pid);
      activeAtOnce = Math.max(activeAtOnce, rows.filter((r) => r.state === 'active').length);
      await wait(2);
    }
    await sampler.end();
    console.log(
      `database connections during refreshes (6 s, sampled): at most ${activeAtOnce} busy at once, ${pids.size} distinct used (PeerTube's pool holds 5)`,
    );

    // Event-loop delay in the host's process: refreshes every 2 s vs the exporter idle (refresh every hour).
    const delay = async () => {
      const histogram = monitorEventLoopDelay({ resolution: 5 });
      histogram.enable();
      await wait(10_000);
      histogram.disable();
      return { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
    };
    await exporter.configure({ 'refresh-interval-seconds': '3600' });
    const idle = await delay();
    await exporter.configure({ 'refresh-interval-seconds': '2' });
    const busy = await delay();
    console.log(
      `event-loop delay of the host, idle: p99 ${ms(idle.p99)}, max ${ms(idle.max)}; refreshing every 2 s: p99 ${ms(busy.p99)} (${(busy.p99 / idle.p99).toFixed(2)} vs idle), max ${ms(busy.max)}`,
    );
    await sequelize.close();
  }
  await host.close();
  await pool.end();
  await database.drop();
  return result;
}

if (SCALE) {
  // Child: one scale, its result in the file the parent named.
  const result = await atScale(Number(SCALE), String(option('dir')), String(option('prefix')));
  writeFileSync(String(option('out')), JSON.stringify(result));
  process.exit(0);
}

const dir = await tempDir('exporter-bench-');
// The tarball `pnpm build` ships, as the tests load it.
buildArtefacts();
// PeerTube's job queue with some work in it, read at every refresh.
const prefix = `bull-bench-${randomBytes(3).toString('hex')}.ac-test.fr`;
const queues = ['video-transcoding', 'activitypub-http-broadcast', 'move-to-object-storage'].map(
  (name) => new Queue(name, { connection: { url: redisUrl }, prefix }),
);
for (const queue of queues) await queue.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: 'job', data: { i } })));
const results: ScaleResult[] = [];
for (const videos of [1_000, 63_000, 300_000]) {
  const child = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...['--scale', String(videos), '--scrapes', String(SCRAPES), '--dir', dir.path, '--prefix', prefix],
      ...['--out', join(dir.path, `result-${videos}.json`)],
    ],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) throw new Error(`the measure at ${videos} videos failed (exit ${child.status})`);
  results.push(JSON.parse(readFileSync(join(dir.path, `result-${videos}.json`), 'utf8')) as ScaleResult);
}
const line = (timings: Timings) => {
  const [s50, s99, b50, b99] = [
    quantile(timings.scrape, 0.5),
    quantile(timings.scrape, 0.99),
    quantile(timings.bare, 0.5),
    quantile(timings.bare, 0.99),
  ];
  return `p50 ${ms(s50)}, p99 ${ms(s99)} (${(s99 / b99).toFixed(2)} vs bare route p99 ${ms(b99)}, p50 ${ms(b50)})`;
};
for (const r of results) {
  const videos = String(r.videos).padStart(7);
  console.log(`scrape at ${videos} videos (${SCRAPES} scrapes) between refreshes: ${line(r.between)}`);
  console.log(
    `scrape at ${videos} videos (${SCRAPES} scrapes) refreshing every 2 s: ${line(r.refreshing)}; refresh ${ms(r.refreshMs)}`,
  );
}
const p99 = (r: ScaleResult | undefined, phase: 'between' | 'refreshing') => quantile(r?.[phase].scrape ?? [], 0.99);
const flat = p99(results.at(-1), 'between') / p99(results[0], 'between');
console.log(
  `scrape p99 at 300,000 / at 1,000 videos, between refreshes: ${flat.toFixed(2)} (goal <= 1.5: ${flat <= 1.5 ? 'met' : 'NOT met'}); refreshing every 2 s: ${(p99(results.at(-1), 'refreshing') / p99(results[0], 'refreshing')).toFixed(2)}`,
);
for (const queue of queues) {
  await queue.obliterate({ force: true });
  await queue.close();
}
await dir.remove();
process.exit(0);
