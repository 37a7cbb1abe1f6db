/**
 * pnpm bench (portal-events): events/s enqueued into the outbox and delivered to the local LaBoite double, as a
 * ratio to a bare loop of HTTP POSTs of the same bodies to the same double, in the same run and at the same
 * concurrency. SQLite always; PostgreSQL too when TEST_POSTGRES_URL's server answers.
 * Usage: pnpm bench [-- --events 2000]
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
const EVENTS = arg > 0 ? Number(process.argv[arg + 1]) : 2000;
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

/**
 * Each store's figures are ratios to a bare loop measured just before them, the double emptied first: the double
 * keeps what it receives, and a later phase would otherwise pay for a bigger heap than the baseline did.
 */
async function measure(name: string, store: OutboxStore<unknown>) {
  portal.received.length = 0;
  portal.requests.length = 0;
  const baseline = await bareLoop(bodies);
  line(`${name} baseline bare HTTP POST loop`, baseline, 'events/s');
  portal.received.length = 0;
  portal.requests.length = 0;
  const outbox = createOutbox({ store });
  const e0 = performance.now();
  for (let i = 0; i < EVENTS; i++) await outbox.enqueue(event());
  line(`${name} enqueue`, rate(EVENTS, performance.now() - e0), 'events/s', baseline);

  const worker = createDeliveryWorker({
    store,
    client: createLaboiteClient({ baseUrl: portal.url, apiKey: 'bench-key' }),
    batchSize: 100,
    concurrency: CONCURRENCY,
  });
  const before = portal.received.length;
  const d0 = performance.now();
  while ((await worker.runOnce()).claimed > 0);
  const delivered = portal.received.length - before;
  if (delivered !== EVENTS) throw new Error(`${name}: delivered ${delivered} of ${EVENTS}`);
  line(`${name} delivery`, rate(EVENTS, performance.now() - d0), 'events/s', baseline);
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
