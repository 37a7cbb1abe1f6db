/**
 * pnpm bench (portal-events): events/s enqueued into the outbox and delivered to the local LaBoite double, as a
 * ratio to a bare loop of HTTP POSTs of the same bodies to the same double, in the same run and at the same
 * concurrency. SQLite always; PostgreSQL too when TEST_POSTGRES_URL's server answers.
 * Usage: pnpm bench [-- --events 48000]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase, startLaboiteDouble, tempDir } from '@apps-education/testkit';
import pg from 'pg';
import { createPostgresOutboxStore } from '../src/adapters/outbox-store.postgres.js';
import { openSqliteOutboxStore } from '../src/adapters/outbox-store.sqlite.js';
import {
  createDeliveryWorker,
  createLaboiteClient,
  createOutbox,
  laboiteBody,
  type OutboxStore,
  type PortalEventInput,
  parseEvent,
  planDeliveries,
} from '../src/index.js';

const arg = process.argv.indexOf('--events');
// 8 rounds of 6,000 events by default: a round of 2,000 (a third of a second here) moved by ±0.3 with a GC pause or
// the scheduler, so the median of 8 swung by ±0.05 between runs of the same code.
const EVENTS = arg > 0 ? Number(process.argv[arg + 1]) : 48_000;
const CONCURRENCY = 8;

const event = (): PortalEventInput => ({
  specVersion: 1,
  id: randomUUID(),
  type: 'share.created',
  occurredAt: new Date().toISOString(),
  source: 'bench',
  recipients: { users: ['alice'], groups: [] },
  data: {
    sharedBy: { username: 'bob', displayName: 'Bob Durand' },
    itemName: 'Cours.pdf',
    itemType: 'file',
    link: 'https://nuage.example/f/1',
  },
});

const portal = await startLaboiteDouble({ apiKeys: ['bench-key'] });
const rate = (n: number, ms: number) => (n / ms) * 1000;
const line = (name: string, value: number, unit: string, baseline?: number) =>
  console.log(
    `${name}: ${value.toFixed(0)} ${unit}${baseline ? ` (${(value / baseline).toFixed(2)} vs baseline)` : ''}`,
  );

// Baseline: the same bodies POSTed by a bare loop, CONCURRENCY at a time, no outbox.
const bodies = Array.from({ length: EVENTS }, () => {
  const plan = planDeliveries(parseEvent(event()))[0];
  if (!plan) throw new Error('no plan');
  return { body: JSON.stringify(laboiteBody(plan.payload, 'fr')), key: plan.idempotencyKey };
});
async function bareLoop(items: typeof bodies): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (!item) break;
        const response = await fetch(`${portal.url}/api/notifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key', 'idempotency-key': item.key },
          body: item.body,
        });
        await response.text();
      }
    }),
  );
  return rate(items.length, performance.now() - t0);
}
// Warm-up (JIT, sockets).
await bareLoop(bodies.map((b) => ({ ...b, key: `warm-${b.key}` })));

const ROUNDS = 8;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/**
 * Each store's figures are ratios to the bare loop, in ROUNDS rounds of EVENTS / ROUNDS events: a bare loop, then the
 * outbox (enqueue, then delivery) on the same number of events, the double emptied before each (it keeps what it
 * receives, and a later phase would otherwise pay for a bigger heap). A round's ratio compares two measures a few
 * seconds apart, so a machine that speeds up or slows down during the run moves both; the median round is printed.
 */
async function measure(name: string, store: OutboxStore<unknown>) {
  const perRound = Math.floor(EVENTS / ROUNDS);
  const outbox = createOutbox({ store });
  const worker = createDeliveryWorker({
    store,
    client: createLaboiteClient({ baseUrl: portal.url, apiKey: 'bench-key' }),
    batchSize: 100,
    concurrency: CONCURRENCY,
  });
  const rounds: { baseline: number; enqueue: number; delivery: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    portal.received.length = 0;
    portal.requests.length = 0;
    const baseline = await bareLoop(bodies.slice(round * perRound, (round + 1) * perRound));
    portal.received.length = 0;
    portal.requests.length = 0;
    const e0 = performance.now();
    for (let i = 0; i < perRound; i++) await outbox.enqueue(event());
    const enqueue = rate(perRound, performance.now() - e0);
    const d0 = performance.now();
    while ((await worker.runOnce()).claimed > 0);
    const delivery = rate(perRound, performance.now() - d0);
    if (portal.received.length !== perRound)
      throw new Error(`${name}: delivered ${portal.received.length} of ${perRound}`);
    rounds.push({ baseline, enqueue, delivery });
  }
  const baseline = median(rounds.map((r) => r.baseline));
  line(`${name} baseline bare HTTP POST loop`, baseline, 'events/s');
  for (const phase of ['enqueue', 'delivery'] as const) {
    const ratios = rounds.map((r) => r[phase] / r.baseline);
    console.log(
      `${name} ${phase}: ${median(rounds.map((r) => r[phase])).toFixed(0)} events/s (${median(ratios).toFixed(2)} vs baseline; rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
    );
  }
}

const dir = await tempDir('bench-outbox-');
const sqlite = openSqliteOutboxStore(join(dir.path, 'outbox.db'));
await measure('sqlite', sqlite);
await sqlite.close();
await dir.remove();

try {
  const database = await createTestDatabase('bench');
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const store = createPostgresOutboxStore(pool);
  await store.migrate();
  await measure('postgres', store);
  await pool.end();
  await database.drop();
} catch (error) {
  console.log(`postgres: not measured (${error instanceof Error ? error.message.split('\n')[0] : error})`);
}
await portal.close();
