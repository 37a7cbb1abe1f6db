import type { RegisterServerAuthExternalOptions, RegisterServerOptions } from '@peertube/peertube-types';
import { Redis } from 'ioredis';
import { type PeerTubeDatabase, peerTubeQuery, readSnapshot } from '../adapters/database.js';
import { readJobQueues } from '../adapters/job-queue.js';
import { findPeerTubeRoot, openPeerTubeProcess } from '../adapters/peertube-process.js';
import { addressMatcher, decideAccess } from '../core/access.js';
import { createExporterMetrics } from '../core/exposition.js';
import { bilingual, t } from '../core/i18n.js';
import { type ExporterSettings, parseSettings, SETTINGS } from '../core/settings.js';

const SHORT_NAME = 'apps-exporter';

/** Express's request and response as PeerTube hands them to plugins. */
type Request = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[0];
type Response = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[1];

/** Action hooks counted (PeerTube runs them after the fact: counting never slows the request). */
const COUNTED_HOOKS = {
  'action:api.video.uploaded': 'upload',
  'action:api.video.viewed': 'view',
  'action:api.user.oauth2-got-token': 'signIn',
  'action:api.user.registered': 'registration',
} as const;

let stop: (() => void) | undefined;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * peertube-plugin-apps-exporter: /metrics served from memory, filled by a background refresh (aggregate queries on
 * PeerTube's database, one at a time and each under a statement timeout, and BullMQ's keys in PeerTube's Redis);
 * a scrape never touches the database or Redis, settings included (kept in memory, updated by onSettingsChange).
 * Nothing here may reject unhandled (on PeerTube 6.3 that ends the process): the route, the timer and the callbacks
 * catch and log.
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
  let serverActorId: number | null = null;
  const webserverHost = new URL(peertubeHelpers.config.getWebserverUrl()).host;
  try {
    const { serverVersion } = await peertubeHelpers.config.getServerConfig();
    if (typeof serverVersion === 'string' && /^[\w.+-]{1,64}$/.test(serverVersion)) metrics.setVersion(serverVersion);
  } catch (error) {
    logger.warn(`[${SHORT_NAME}] PeerTube's version is unknown: ${message(error)}`);
  }
  try {
    const process = await openPeerTubeProcess(findPeerTubeRoot());
    for (const { source, reason } of process.missing) {
      const say = t('process.missing', { source, reason });
      logger.info(`[${SHORT_NAME}] ${say.en} / ${say.fr}`);
    }
    metrics.setProcessReader(process);
  } catch (error) {
    logger.warn(`[${SHORT_NAME}] PeerTube's process figures are unavailable: ${message(error)}`);
  }

  let current: { settings: ExporterSettings; allowed: ReturnType<typeof addressMatcher> } | null = null;
  /** Settings refused at start (no earlier good ones to keep): what /metrics says until they are fixed. */
  let refusedAtStart: ReturnType<typeof t> | null = null;
  let queuesMissing = false;
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
      serverActorId ??= ((await peertubeHelpers.server.getServerActor()) as { id: number }).id;
      const snapshot = await readSnapshot(peerTubeQuery(database, settings.statementTimeoutMs), serverActorId);
      const client = redis as Redis;
      if (client.status === 'wait' || client.status === 'end') await client.connect();
      const prefix = settings.redisPrefix ?? `bull-${webserverHost}`;
      const jobs = await readJobQueues(client, prefix, Date.now());
      metrics.applyJobs(jobs);
      // A reachable Redis without PeerTube's queues (another database, another instance, a wrong prefix) must not
      // look healthy: said in peertube_job_queues_found, an alert, and the log when it starts and ends.
      if (jobs.queuesFound === 0 && !queuesMissing) {
        const redisName = settings.redis.replace(/\/\/[^@/]*@/, '//');
        const say = t('queues.none', { redis: redisName, prefix });
        logger.warn(`[${SHORT_NAME}] ${say.en} / ${say.fr}`);
      } else if (jobs.queuesFound > 0 && queuesMissing) {
        const say = t('queues.back', { prefix });
        logger.info(`[${SHORT_NAME}] ${say.en} / ${say.fr}`);
      }
      queuesMissing = jobs.queuesFound === 0;
      metrics.apply(snapshot, (performance.now() - started) / 1000, Math.floor(Date.now() / 1000));
      if (failing) logger.info(`[${SHORT_NAME}] refresh works again`);
      failing = false;
    } catch (error) {
      metrics.failed((performance.now() - started) / 1000);
      // Logged when it starts failing, not at every interval: the metric says it meanwhile.
      if (!failing) logger.warn(`[${SHORT_NAME}] refresh failed: ${message(error)}`);
      failing = true;
    } finally {
      running = false;
    }
  }

  function apply(raw: Record<string, unknown>, atStart: boolean) {
    const parsed = parseSettings(raw);
    if (!parsed.ok) {
      const detail = (lang: 'fr' | 'en') => parsed.errors.map((e) => e[lang]).join(' ');
      // At start there are no earlier good settings to keep: say so, and what to fix, on /metrics too.
      const said =
        atStart && !current
          ? t('settings.invalidAtStart', { detail: detail('en') })
          : t('settings.refused', { detail: detail('en') });
      const saidFr =
        atStart && !current
          ? t('settings.invalidAtStart', { detail: detail('fr') }).fr
          : t('settings.refused', { detail: detail('fr') }).fr;
      logger.error(`[${SHORT_NAME}] ${said.en} / ${saidFr}`);
      if (atStart && !current) refusedAtStart = { en: said.en, fr: saidFr };
      return;
    }
    refusedAtStart = null;
    const { settings } = parsed;
    if (!current || current.settings.redis !== settings.redis) connectRedis(settings.redis);
    current = { settings, allowed: addressMatcher(settings.allowedAddresses) };
    metrics.setCapacity(settings.storageCapacityBytes);
    if (timer) clearInterval(timer);
    // refresh() catches everything it does: the timer never rejects.
    timer = setInterval(() => void refresh(), settings.refreshIntervalSeconds * 1000);
    timer.unref?.();
    void refresh();
  }

  try {
    apply(await settingsManager.getSettings(SETTINGS.map((s) => s.name)), true);
  } catch (error) {
    logger.error(`[${SHORT_NAME}] cannot read the settings: ${message(error)}`);
  }
  settingsManager.onSettingsChange(async (settings) => {
    try {
      apply(settings as Record<string, unknown>, false);
    } catch (error) {
      logger.error(`[${SHORT_NAME}] settings change failed: ${message(error)}`);
    }
  });
  stop = () => {
    if (timer) clearInterval(timer);
    redis?.disconnect();
  };

  getRouter().get('/metrics', (req, res) => {
    serveMetrics(req, res).catch((error: unknown) => {
      logger.error(`[${SHORT_NAME}] /metrics failed: ${message(error)}`);
      if (!res.headersSent)
        res
          .status(500)
          .type('text/plain; charset=utf-8')
          .send(bilingual(t('failed', { detail: message(error) })));
    });
  });

  async function serveMetrics(req: Request, res: Response) {
    const refuse = (status: number, text: ReturnType<typeof t>) =>
      res.status(status).type('text/plain; charset=utf-8').send(bilingual(text));
    if (refusedAtStart) return refuse(503, refusedAtStart);
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
  }
}

export async function unregister(): Promise<void> {
  stop?.();
  stop = undefined;
}
