import { spawnSync } from 'node:child_process';
import { requireCommand } from '@apps-education/testkit';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { createOutboxMetrics } from '../src/index.js';

it('exposes metrics that pass promtool check metrics', async () => {
  const promtool = requireCommand('promtool', 'prometheus');
  const registry = new Registry();
  const metrics = createOutboxMetrics(registry);
  metrics.enqueued('share.created', 3);
  metrics.delivered('share.created');
  metrics.failed('meeting.started', 'retry');
  metrics.failed('meeting.started', 'dead_letter');
  metrics.observe({ pending: 2, dead: 1, oldestPendingCreatedAt: 1_000 }, 61_000);
  const exposition = await registry.metrics();
  const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
  expect(exposition).toContain('portal_events_oldest_pending_age_seconds 60');
});
