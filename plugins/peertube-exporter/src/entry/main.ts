import type { RegisterServerOptions } from '@peertube/peertube-types';
import { Redis } from 'ioredis';
import { type PeerTubeDatabase, peerTubeQuery, readSnapshot } from '../adapters/database.js';
import { readJobQueues } from '../adapters/job-queue.js';
import { addressMatcher, decideAccess } from '../core/access.js';
import { createExporterMetrics } from '../core/exposition.js';
import { bilingual, t } from '../core/i18n.js';
import { type ExporterSettings, parseSettings, SETTINGS } from '../core/settings.js';

const SHORT_NAME = 'apps-exporter';

/** Action hooks counted (PeerTube runs them after the fact: counting never slows the request). */
const COUNTED_HOOKS = {
  'action:api.video.uploaded': 'upload',
  'action:api.video.viewed': 'view',
  'action:api.user.oauth2-got-token': 'signIn',
  'action:api.user.registered': 'registration',
} as const;

let stop: (() => void) | undefined;

/**
 * peertube-plugin-apps-exporter: /metrics served from memory, filled by a background refresh (aggregate queries on
 * PeerTube's database, one at a time and each under a statement timeout, and BullMQ's keys in PeerTube's Redis);
 * a scrape never touches the database or Redis, settings included (kept in memory, updated by onSettingsChange).
 */
export async function register({
  registerSetting,
  registerHook,
  settingsManager,
  getRouter,
  peertubeHelpers,
}: RegisterServerOptions): Promise<void> {
  for (const setting of SETTINGS) registerSetting({ ...setting });
  const logger = peertubeHelpers.logger;
  const metrics = createExporterMetrics();
  for (const [target, event] of Object.entries(COUNTED_HOOKS)) {
    registerHook({ target: target as never, handler: () => metrics.count(event) });
  }
  const database = peertubeHelpers.database as unknown as PeerTubeDatabase;
  const serverActor = (await peertubeHelpers.server.getServerActor()) as { id: number };
  const webserverHost = new URL(peertubeHelpers.config.getWebserverUrl()).host;
  try {
    const { serverVersion } = await peertubeHelpers.config.getServerConfig();
    if (typeof serverVersion === 'string' && /^[\w.+-]{1,64}$/.test(serverVersion)) metrics.setVersion(serverVersion);
  } catch (error) {
    logger.warn(`[${SHORT_NAME}] PeerTube's version is unknown: ${error instanceof Error ? error.message : error}`);
  }

  let current: { settings: ExporterSettings; allowed: ReturnType<typeof addressMatcher> } | null = null;
  let redis: Redis | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;
  let failing = false;

  // No plugin helper reaches PeerTube's Redis: its address comes from the settings, with PeerTube's defaults.
  function connectRedis(target: string) {
    redis?.disconnect();
    const options = {
      lazyConnect: true,
      connectTimeout: 2_000,
      commandTimeout: 5_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    };
    redis = target.startsWith('/') ? new Redis({ ...options, path: target }) : new Redis(target, options);
    redis.on('error', () => undefined);
  }

  async function refresh() {
    if (running || !current) return;
    running = true;
    const { settings } = current;
    const started = performance.now();
    try {
      const snapshot = await readSnapshot(peerTubeQuery(database, settings.statementTimeoutMs), serverActor.id);
      const client = redis as Redis;
      if (client.status === 'wait' || client.status === 'end') await client.connect();
      const jobs = await readJobQueues(client, settings.redisPrefix ?? `bull-${webserverHost}`, Date.now());
      metrics.applyJobs(jobs);
      metrics.apply(snapshot, (performance.now() - started) / 1000, Math.floor(Date.now() / 1000));
      if (failing) logger.info(`[${SHORT_NAME}] refresh works again`);
      failing = false;
    } catch (error) {
      metrics.failed((performance.now() - started) / 1000);
      // Logged when it starts failing, not at every interval: the metric says it meanwhile.
      if (!failing) logger.warn(`[${SHORT_NAME}] refresh failed: ${error instanceof Error ? error.message : error}`);
      failing = true;
    } finally {
      running = false;
    }
  }

  async function apply(raw: Record<string, unknown>) {
    const parsed = parseSettings(raw);
    if (!parsed.ok) {
      const say = (lang: 'fr' | 'en') =>
        t('settings.refused', { detail: parsed.errors.map((e) => e[lang]).join(' ') })[lang];
      logger.error(`[${SHORT_NAME}] ${say('en')} / ${say('fr')}`);
      return;
    }
    const { settings } = parsed;
    if (!current || current.settings.redis !== settings.redis) connectRedis(settings.redis);
    current = { settings, allowed: addressMatcher(settings.allowedAddresses) };
    metrics.setCapacity(settings.storageCapacityBytes);
    if (timer) clearInterval(timer);
    timer = setInterval(() => void refresh(), settings.refreshIntervalSeconds * 1000);
    timer.unref?.();
    void refresh();
  }

  await apply(await settingsManager.getSettings(SETTINGS.map((s) => s.name)));
  settingsManager.onSettingsChange(async (settings) => apply(settings as Record<string, unknown>));
  stop = () => {
    if (timer) clearInterval(timer);
    redis?.disconnect();
  };

  getRouter().get('/metrics', async (req, res) => {
    const refuse = (status: number, message: ReturnType<typeof t>) =>
      res.status(status).type('text/plain; charset=utf-8').send(bilingual(message));
    if (!current || current.settings.token === '') return refuse(403, t('access.noTokenSet'));
    const header = req.headers['x-metrics-token'];
    const decision = decideAccess({
      expectedToken: current.settings.token,
      givenToken:
        typeof req.query.token === 'string' ? req.query.token : typeof header === 'string' ? header : undefined,
      clientAddress: req.ip,
      allowed: current.allowed,
    });
    if (decision === 'forbidden_address') return refuse(403, t('access.forbiddenAddress', { address: req.ip ?? '?' }));
    if (decision !== 'allowed') return refuse(401, t('access.badToken'));
    res.setHeader('content-type', metrics.contentType);
    res.setHeader('cache-control', 'no-store');
    return res.send(await metrics.render());
  });
}

export async function unregister(): Promise<void> {
  stop?.();
  stop = undefined;
}
