import { randomUUID } from 'node:crypto';
import type { LaboiteClient } from './adapters/laboite-client.js';
import { noMetrics, type OutboxMetrics } from './adapters/metrics.js';
import type { ClaimedDelivery, OutboxStore, Retention } from './adapters/outbox-store.js';
import { type BackoffPolicy, retryDelayMs } from './core/backoff.js';
import { translate } from './core/i18n.js';
import { type Clock, systemClock } from './outbox.js';

export interface DeliveryWorkerOptions {
  store: OutboxStore<unknown> | OutboxStore<never>;
  client: LaboiteClient;
  clock?: Clock;
  /** Uniform in [0, 1); injected so tests are exact. */
  random?: () => number;
  metrics?: OutboxMetrics;
  /** Receives one line per failure, with ids only (never a username, title or key). */
  log?: (entry: { level: 'warn' | 'error'; msg: string; deliveryId: string; eventId: string; reason: string }) => void;
  workerId?: string;
  /** Rows leased per round. */
  batchSize?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** How long a leased row is ours; a worker killed mid-delivery frees it after this. Longer than the HTTP timeout. */
  leaseMs?: number;
  backoff?: BackoffPolicy;
  /** After this many attempts, or this age, a row is dead-lettered. */
  maxAttempts?: number;
  maxAgeMs?: number;
  /** Idle wait between rounds when nothing was due. */
  pollIntervalMs?: number;
  retention?: Retention;
}

export interface RoundResult {
  readonly claimed: number;
  readonly delivered: number;
  readonly retried: number;
  readonly deadLettered: number;
}

export interface DeliveryWorker {
  /** One round: lease what is due, deliver it, record the outcome. The loop and the tests both use it. */
  runOnce(): Promise<RoundResult>;
  /** Runs rounds until `stop()`; a failing store is logged and retried, never fatal. */
  start(): void;
  /** Stops after the deliveries in flight finish. */
  stop(): Promise<void>;
}

const HOUR = 3_600_000;
export const DEFAULTS = {
  batchSize: 50,
  concurrency: 8,
  leaseMs: 60_000,
  backoff: { baseMs: 2_000, maxMs: 15 * 60_000 },
  maxAttempts: 40,
  maxAgeMs: 48 * HOUR,
  pollIntervalMs: 1_000,
  retention: { deliveredMs: 7 * 24 * HOUR, deadMs: 30 * 24 * HOUR },
} as const;

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const store = options.store as OutboxStore<unknown>;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const metrics = options.metrics ?? noMetrics;
  const log = options.log ?? (() => undefined);
  const workerId = options.workerId ?? randomUUID();
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
  const backoff = options.backoff ?? DEFAULTS.backoff;
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const maxAgeMs = options.maxAgeMs ?? DEFAULTS.maxAgeMs;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
  const retention = options.retention ?? DEFAULTS.retention;

  async function deliver(row: ClaimedDelivery): Promise<'delivered' | 'retried' | 'deadLettered'> {
    const result = await options.client.send(row.payload, row.idempotencyKey);
    const now = clock.now();
    if (result.outcome === 'delivered') {
      await store.finishDelivered(row.id, workerId, now, result.portalId);
      metrics.delivered(row.eventType);
      return 'delivered';
    }
    const base = { deliveryId: row.id, eventId: row.eventId, reason: result.reason };
    const tooOld = now - row.createdAt >= maxAgeMs;
    if (result.outcome === 'permanent' || row.attempts >= maxAttempts || tooOld) {
      const reason =
        result.outcome === 'permanent'
          ? result.reason
          : `${result.reason}; ${translate('delivery.expired', { attempts: row.attempts, ageHours: Math.round((now - row.createdAt) / HOUR) }).en}`;
      await store.finishDead(row.id, workerId, now, reason);
      metrics.failed(row.eventType, 'dead_letter');
      log({ level: 'error', msg: 'portal notification dead-lettered', ...base, reason });
      return 'deadLettered';
    }
    await store.finishRetry(row.id, workerId, now + retryDelayMs(backoff, row.attempts, random), result.reason);
    metrics.failed(row.eventType, 'retry');
    log({ level: 'warn', msg: 'portal notification will be retried', ...base });
    return 'retried';
  }

  async function runOnce(): Promise<RoundResult> {
    const rows = await store.claim(clock.now(), batchSize, leaseMs, workerId);
    const counts = { claimed: rows.length, delivered: 0, retried: 0, deadLettered: 0 };
    let next = 0;
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++];
        if (row !== undefined) counts[await deliver(row)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    metrics.observe(await store.stats(), clock.now());
    return counts;
  }

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let lastPurge = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const round = await runOnce();
            if (clock.now() - lastPurge > HOUR) {
              lastPurge = clock.now();
              await store.purge(lastPurge, retention);
            }
            if (round.claimed < batchSize && running) await sleep(pollIntervalMs);
          } catch (error) {
            const reason = error instanceof Error ? error.message : 'unknown error';
            log({ level: 'error', msg: 'outbox round failed', deliveryId: '-', eventId: '-', reason });
            if (running) await sleep(pollIntervalMs * 5);
          }
        }
      })();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
