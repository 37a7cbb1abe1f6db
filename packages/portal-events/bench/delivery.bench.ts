/**
 * pnpm bench (portal-events): events/s enqueued into the outbox and delivered to the local LaBoite double, as a
 * ratio to a bare loop of HTTP POSTs of the same bodies to the same double, in the same run and at the same
 * concurrency. SQLite always; PostgreSQL too when TEST_POSTGRES_URL's server answers.
 * Usage: pnpm bench [-- --events 48000 --rounds 24]
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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

const { values: args } = parseArgs({
  // pnpm passes on the `--` of `pnpm bench -- --events N`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { events: { type: 'string', default: '48000' }, rounds: { type: 'string', default: '24' } },
});
const count = (name: 'events' | 'rounds') => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer, not "${args[name]}"`);
  return value;
};
const EVENTS = count('events');
// 24 rounds of 2,000 events by default. Each round's delivery is timed right next to a bare loop of the same size
// (before it in even rounds, after it in odd ones): the same 1,000 POSTs take from 330 to 690 ms here from one second
// to the next (page faults and GC in bursts), and a bare loop measured seconds away from its delivery, with the
// enqueue between them (8 rounds of 6,000), made the median ratio swing by ±0.05 between runs of the same code. Rounds
// of 1,000 would add a claim's round trip at the start of each (2 to 5 ms on PostgreSQL) to every 400 ms of delivery.
const ROUNDS = count('rounds');
if (ROUNDS > EVENTS) throw new Error('--rounds must not exceed --events');
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

// Baseline: the same bodies POSTed by a bare loop, CONCURRENCY at a time, no outbox.
const bodies = Array.from({ length: EVENTS }, () => {
  const plan = planDeliveries(parseEvent(event()))[0];
  if (!plan) throw new Error('no plan');
  return { body: JSON.stringify(laboiteBody(plan.payload, 'fr')), key: plan.idempotencyKey };
});
/** Milliseconds to POST `items`. */
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
  return performance.now() - t0;
}
// Warm-up (JIT, sockets).
await bareLoop(bodies.map((b) => ({ ...b, key: `warm-${b.key}` })));

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? 0;
  const high = sorted[Math.ceil(at)] ?? 0;
  return low + (high - low) * (at - Math.floor(at));
};

/**
 * Each store's figures are ratios to the bare loop over ROUNDS rounds of EVENTS / ROUNDS events. A round enqueues its
 * events, then times the bare loop and the worker's delivery of them back to back, the double emptied before each (it
 * keeps what it receives, and a later phase would otherwise pay for a bigger heap). The headline ratio is the median
 * of the rounds' ratios, which a round slowed by a burst of page faults does not move; the throughput over all rounds
 * (events over the summed times of each phase) and the rounds' middle half are printed beside it.
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
  const totals = { baseline: 0, enqueue: 0, delivery: 0 };
  const ratios: Record<'enqueue' | 'delivery', number[]> = { enqueue: [], delivery: [] };
  const empty = () => {
    portal.received.length = 0;
    portal.requests.length = 0;
  };
  const bare = (round: number) => {
    empty();
    return bareLoop(bodies.slice(round * perRound, (round + 1) * perRound));
  };
  const deliver = async () => {
    empty();
    const t0 = performance.now();
    while ((await worker.runOnce()).claimed > 0);
    const ms = performance.now() - t0;
    if (portal.received.length !== perRound)
      throw new Error(`${name}: delivered ${portal.received.length} of ${perRound}`);
    return ms;
  };
  for (let round = 0; round < ROUNDS; round++) {
    const e0 = performance.now();
    for (let i = 0; i < perRound; i++) await outbox.enqueue(event());
    const enqueue = performance.now() - e0;
    let baseline: number;
    let delivery: number;
    if (round % 2 === 0) {
      baseline = await bare(round);
      delivery = await deliver();
    } else {
      delivery = await deliver();
      baseline = await bare(round);
    }
    totals.baseline += baseline;
    totals.enqueue += enqueue;
    totals.delivery += delivery;
    ratios.enqueue.push(baseline / enqueue);
    ratios.delivery.push(baseline / delivery);
  }
  const events = perRound * ROUNDS;
  console.log(`${name} baseline bare HTTP POST loop: ${rate(events, totals.baseline).toFixed(0)} events/s`);
  for (const phase of ['enqueue', 'delivery'] as const) {
    const r = ratios[phase];
    console.log(
      `${name} ${phase}: ${rate(events, totals[phase]).toFixed(0)} events/s (${quantile(r, 0.5).toFixed(2)} vs baseline, median of ${ROUNDS} rounds; middle half ${quantile(r, 0.25).toFixed(2)}-${quantile(r, 0.75).toFixed(2)}; over all rounds ${(totals.baseline / totals[phase]).toFixed(2)})`,
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
