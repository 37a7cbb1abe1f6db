import type { RegisterServerOptions } from '@peertube/peertube-types';
import { Redis } from 'ioredis';
import { type Query, readSnapshot } from '../adapters/database.js';
import { readJobQueues } from '../adapters/job-queue.js';
import { decideAccess } from '../core/access.js';
import { createExporterMetrics } from '../core/exposition.js';

/**
 * peertube-plugin-apps-exporter (in progress): /metrics served from a cache that a background refresh fills; the
 * scrape never touches the database. Settings: the secret token, the refresh interval, the allowed addresses.
 */
let timer: ReturnType<typeof setInterval> | undefined;

export async function register({
  registerSetting,
  settingsManager,
  getRouter,
  peertubeHelpers,
}: RegisterServerOptions): Promise<void> {
  registerSetting({
    name: 'metrics-token',
    label: 'Secret token for /metrics (query ?token= or header X-Metrics-Token)',
    type: 'input-password',
    private: true,
  });
  registerSetting({
    name: 'refresh-interval-seconds',
    label: 'Refresh interval (seconds, 15 to 3600)',
    type: 'input',
    default: '60',
    private: true,
  });
  registerSetting({
    name: 'allowed-addresses',
    label: 'Allowed client addresses (comma separated; empty: any)',
    type: 'input',
    default: '',
    private: true,
  });
  const logger = peertubeHelpers.logger;
  const metrics = createExporterMetrics();
  const database = peertubeHelpers.database as unknown as {
    query: (sql: string, o: object) => Promise<Record<string, unknown>[]>;
  };
  const query: Query = (sql, replacements) => database.query(sql, { type: 'SELECT', replacements });
  const serverActor = (await peertubeHelpers.server.getServerActor()) as { id: number };
  let running = false;
  // No plugin helper reaches PeerTube's Redis: its address comes from the settings, with PeerTube's defaults.
  let redis: Redis | undefined;
  let redisUrl = '';
  const jobQueue = async () => {
    const settings = await settingsManager.getSettings(['redis-url', 'redis-prefix']);
    const url = String(settings['redis-url'] || 'redis://127.0.0.1:6379');
    if (!redis || url !== redisUrl) {
      redis?.disconnect();
      redisUrl = url;
      redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      });
      redis.on('error', () => undefined);
      await redis.connect();
    }
    const prefix = String(settings['redis-prefix'] || `bull-${new URL(peertubeHelpers.config.getWebserverUrl()).host}`);
    return readJobQueues(redis, prefix, Date.now());
  };

  async function refresh() {
    if (running) return;
    running = true;
    const started = performance.now();
    try {
      const snapshot = await readSnapshot(query, serverActor.id);
      metrics.applyJobs(await jobQueue());
      metrics.apply(snapshot, (performance.now() - started) / 1000, Math.floor(Date.now() / 1000));
    } catch (error) {
      metrics.failed((performance.now() - started) / 1000);
      logger.warn(`[apps-exporter] refresh failed: ${error instanceof Error ? error.message : error}`);
    } finally {
      running = false;
    }
  }

  async function schedule() {
    const raw = Number(await settingsManager.getSetting('refresh-interval-seconds'));
    const seconds = Number.isInteger(raw) && raw >= 2 && raw <= 3600 ? raw : 60;
    if (timer) clearInterval(timer);
    timer = setInterval(() => void refresh(), seconds * 1000);
    timer.unref?.();
  }
  await schedule();
  settingsManager.onSettingsChange(async () => {
    await schedule();
  });
  closeRedis = () => redis?.disconnect();
  void refresh();

  getRouter().get('/metrics', async (req, res) => {
    const settings = await settingsManager.getSettings(['metrics-token', 'allowed-addresses']);
    const expected = typeof settings['metrics-token'] === 'string' ? settings['metrics-token'] : '';
    if (expected === '') {
      return res
        .status(403)
        .type('text/plain')
        .send(
          'Aucun jeton configuré : définissez-le dans les paramètres du greffon. / No token set: set one in the plugin settings.\n',
        );
    }
    const header = req.headers['x-metrics-token'];
    const decision = decideAccess({
      expectedToken: expected,
      givenToken:
        typeof req.query.token === 'string' ? req.query.token : typeof header === 'string' ? header : undefined,
      clientAddress: req.ip,
      allowedAddresses: String(settings['allowed-addresses'] ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    });
    if (decision === 'forbidden_address')
      return res.status(403).type('text/plain').send('Adresse non autorisée. / Address not allowed.\n');
    if (decision !== 'allowed') {
      return res
        .status(401)
        .type('text/plain')
        .send(
          'Jeton absent ou invalide (?token= ou X-Metrics-Token). / Missing or wrong token (?token= or X-Metrics-Token).\n',
        );
    }
    res.setHeader('content-type', metrics.registry.contentType);
    return res.send(await metrics.registry.metrics());
  });
}

let closeRedis: (() => void) | undefined;

export async function unregister(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = undefined;
  closeRedis?.();
}
