import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqliteOutboxStore } from '../src/adapters/outbox-store.sqlite.js';
import { createDeliveryWorker, createOutbox, type LaboiteClient, type SendResult } from '../src/index.js';
import { recordingEvent } from './fixtures.js';

/** A client whose answers the test scripts: `lost` (a timeout) or `fast` (delivered at once), and what it was given. */
function scriptedClient(script: ('lost' | 'fast')[]) {
  const limits: number[] = [];
  const client: LaboiteClient = {
    timeoutMs: 400,
    async send(_payload, _key, options = {}): Promise<SendResult> {
      limits.push(options.timeoutMs ?? 400);
      return script.shift() === 'lost'
        ? { outcome: 'retry', reason: 'timeout', userMessage: { fr: '', en: '' }, answerLost: true }
        : { outcome: 'delivered', portalId: null };
    },
  };
  return { client, limits };
}

it('after a lost answer sends one at a time with a doubled limit, and comes back as answers come back fast', async () => {
  const store = createSqliteOutboxStore(new Database(':memory:'));
  const outbox = createOutbox({ store });
  for (let i = 0; i < 10; i++) await outbox.enqueue(recordingEvent(['alice']));
  const { client, limits } = scriptedClient(['lost', 'lost', 'fast', 'fast', 'fast']);
  const worker = createDeliveryWorker({
    store,
    client,
    concurrency: 1,
    leaseMs: 10_000,
    backoff: { baseMs: 0, maxMs: 0 },
  });

  // A lost answer stops the round: the 9 other rows go back without an attempt counted.
  expect(await worker.runOnce()).toMatchObject({ claimed: 10, retried: 1, released: 9 });
  expect(worker.pace).toEqual({ oneAtATime: true, timeoutMs: 800 });
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, retried: 1, released: 0 });
  expect(worker.pace).toEqual({ oneAtATime: true, timeoutMs: 1_600 });
  // An answer in time: whole batches again; fast answers halve the limit back to the client's.
  expect(await worker.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
  expect(worker.pace).toEqual({ oneAtATime: false, timeoutMs: 800 });
  expect(await worker.runOnce()).toMatchObject({ claimed: 9, delivered: 9 });
  expect(worker.pace).toEqual({ oneAtATime: false, timeoutMs: 400 });
  expect(limits.slice(0, 5)).toEqual([400, 800, 1_600, 800, 400]);
  await store.close();
});

it('never raises the limit past half the lease, so a call always ends before its lease', async () => {
  const store = createSqliteOutboxStore(new Database(':memory:'));
  await createOutbox({ store }).enqueue(recordingEvent(['alice']));
  const { client } = scriptedClient(Array(10).fill('lost'));
  const worker = createDeliveryWorker({ store, client, leaseMs: 3_000, backoff: { baseMs: 0, maxMs: 0 } });
  for (let i = 0; i < 6; i++) await worker.runOnce();
  expect(worker.pace).toEqual({ oneAtATime: true, timeoutMs: 1_500 });
  await store.close();
});

it('starts on a small claim, claims the next batch while the lanes work, in one round, and records deliveries in few writes', async () => {
  const store = createSqliteOutboxStore(new Database(':memory:'));
  const outbox = createOutbox({ store });
  for (let i = 0; i < 45; i++) await outbox.enqueue(recordingEvent(['alice']));
  const writes: number[] = [];
  const finishDelivered = store.finishDelivered.bind(store);
  store.finishDelivered = async (done, workerId, now) => {
    writes.push(done.length);
    return finishDelivered(done, workerId, now);
  };
  const asked: number[] = [];
  const claim = store.claim.bind(store);
  store.claim = (now, limit, leaseMs, workerId) => {
    asked.push(limit);
    return claim(now, limit, leaseMs, workerId);
  };
  const { client } = scriptedClient(Array(45).fill('fast'));
  const worker = createDeliveryWorker({ store, client, batchSize: 10, concurrency: 4 });
  expect(await worker.runOnce()).toMatchObject({ claimed: 45, delivered: 45 });
  // Two rows per lane first, so the lanes start sooner, then whole batches until one comes back short.
  expect(asked).toEqual([8, 10, 10, 10, 10]);
  expect((await store.stats()).pending).toBe(0);
  expect(writes.reduce((a, b) => a + b, 0)).toBe(45);
  expect(writes.length).toBeLessThan(45);
  await store.close();
});

it('fails the round when deliveries cannot be recorded, and the rows stay leased for a later delivery', async () => {
  const store = createSqliteOutboxStore(new Database(':memory:'));
  await createOutbox({ store }).enqueue(recordingEvent(['alice']));
  store.finishDelivered = async () => {
    throw new Error('disk full');
  };
  const { client } = scriptedClient(['fast']);
  const worker = createDeliveryWorker({ store, client });
  await expect(worker.runOnce()).rejects.toThrow('disk full');
  expect((await store.stats()).pending).toBe(1);
  await store.close();
});
