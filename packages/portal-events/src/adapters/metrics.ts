import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxStats } from './outbox-store.js';

/** The outbox's metrics, on the caller's registry (its `/metrics`), clean under `promtool check metrics`. */
export interface OutboxMetrics {
  enqueued(type: string, count: number): void;
  delivered(type: string): void;
  failed(type: string, outcome: 'retry' | 'dead_letter'): void;
  observe(stats: OutboxStats, now: number): void;
}

export function createOutboxMetrics(registry: Registry, prefix = 'portal_events'): OutboxMetrics {
  const registers = [registry];
  const enqueued = new Counter({
    name: `${prefix}_enqueued_total`,
    help: 'Notifications written to the outbox for the portal, by event type.',
    labelNames: ['type'],
    registers,
  });
  const delivered = new Counter({
    name: `${prefix}_delivered_total`,
    help: 'Notifications the portal accepted, by event type.',
    labelNames: ['type'],
    registers,
  });
  const failed = new Counter({
    name: `${prefix}_failed_total`,
    help: 'Failed deliveries to the portal, by event type and outcome (retry later, or dead letter).',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const queued = new Gauge({
    name: `${prefix}_queued`,
    help: 'Notifications waiting in the outbox for delivery.',
    registers,
  });
  const dead = new Gauge({
    name: `${prefix}_dead_letters`,
    help: 'Notifications given up on, kept for an administrator to requeue.',
    registers,
  });
  const oldestAge = new Gauge({
    name: `${prefix}_oldest_pending_age_seconds`,
    help: 'Age of the oldest notification still waiting for delivery (0 when none is).',
    registers,
  });
  return {
    enqueued: (type, count) => enqueued.inc({ type }, count),
    delivered: (type) => delivered.inc({ type }),
    failed: (type, outcome) => failed.inc({ type, outcome }),
    observe(stats, now) {
      queued.set(stats.pending);
      dead.set(stats.dead);
      oldestAge.set(stats.oldestPendingCreatedAt === null ? 0 : Math.max(0, now - stats.oldestPendingCreatedAt) / 1000);
    },
  };
}

export const noMetrics: OutboxMetrics = {
  enqueued: () => undefined,
  delivered: () => undefined,
  failed: () => undefined,
  observe: () => undefined,
};
