import { fileURLToPath } from 'node:url';
import {
  fakeClock,
  type LaboiteDouble,
  seededRandom,
  spawnCaptured,
  startLaboiteDouble,
} from '@apps-education/testkit';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeliveryWorker,
  createLaboiteClient,
  createOutbox,
  createOutboxMetrics,
  type OutboxStore,
  parseEvent,
  planDeliveries,
} from '../src/index.js';
import { meetingEvent, recordingEvent, shareEvent, T0 } from './fixtures.js';

export interface StoreUnderTest {
  readonly store: OutboxStore<unknown>;
  /** A second handle on the same data, as another process would have (own connection). */
  second(): Promise<OutboxStore<unknown>>;
  /** Arguments for fixtures/deliver-once.ts to open the same data in a child process. */
  readonly childArgs: readonly [string, string];
  close(): Promise<void>;
}

const MINUTE = 60_000;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const deliverOnce = fileURLToPath(new URL('./fixtures/deliver-once.ts', import.meta.url));

/** The same contract and failure scenarios for every outbox store: SQLite in `pnpm test`, PostgreSQL in interop. */
export function outboxScenarios(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} outbox`, () => {
    let portal: LaboiteDouble;
    let sut: StoreUnderTest;
    beforeAll(async () => {
      portal = await startLaboiteDouble();
    });
    afterAll(() => portal.close());
    beforeEach(async () => {
      sut = await open();
      portal.received.length = 0;
      portal.requests.length = 0;
      portal.setMode({ kind: 'up' });
    });
    afterEach(() => sut.close());

    const client = (apiKey = 'test-api-key') => createLaboiteClient({ baseUrl: portal.url, apiKey, timeoutMs: 2_000 });

    describe('store contract', () => {
      it('queues an event once even when it is enqueued twice', async () => {
        const outbox = createOutbox({ store: sut.store, clock: fakeClock(T0) });
        const event = shareEvent({}, ['alice', 'bob']);
        expect((await outbox.enqueue(event)).queued).toBe(2);
        expect((await outbox.enqueue(event)).queued).toBe(0);
        expect((await sut.store.stats()).pending).toBe(2);
      });

      it('writes nothing for a malformed event', async () => {
        const outbox = createOutbox({ store: sut.store, clock: fakeClock(T0) });
        await expect(outbox.enqueue({ ...shareEvent(), recipients: {} })).rejects.toMatchObject({
          code: 'INVALID_EVENT',
        });
        expect((await sut.store.stats()).pending).toBe(0);
      });

      it('leases a row to one worker only, until the lease expires', async () => {
        await sut.store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice']))), T0);
        const other = await sut.second();
        expect(await sut.store.claim(T0, 10, MINUTE, 'w1')).toHaveLength(1);
        expect(await other.claim(T0 + 1, 10, MINUTE, 'w2')).toHaveLength(0);
        const retaken = await other.claim(T0 + MINUTE, 10, MINUTE, 'w2');
        expect(retaken.map((r) => r.attempts)).toEqual([2]);
        // The first worker's late answer no longer counts: its lease is gone.
        const done = [{ id: retaken[0]?.id ?? '', portalId: null }];
        expect(await sut.store.finishDelivered(done, 'w1', T0 + MINUTE)).toBe(0);
        expect(await other.finishDelivered(done, 'w2', T0 + MINUTE)).toBe(1);
        await other.close();
      });

      it('records many deliveries in one write, only those still leased to the worker', async () => {
        await sut.store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice', 'bob', 'chloe']))), T0);
        const mine = await sut.store.claim(T0, 2, MINUTE, 'w1');
        const theirs = await sut.store.claim(T0, 10, MINUTE, 'w2');
        const done = [...mine, ...theirs].map((row, i) => ({ id: row.id, portalId: `p${i}` }));
        expect(await sut.store.finishDelivered(done, 'w1', T0)).toBe(2);
        expect(await sut.store.finishDelivered([], 'w1', T0)).toBe(0);
        expect((await sut.store.stats()).pending).toBe(1);
        expect(await sut.store.finishDelivered(done, 'w2', T0)).toBe(1);
        expect((await sut.store.stats()).pending).toBe(0);
      });

      it('hands back leased rows that were not sent without counting their attempt, only to their worker', async () => {
        await sut.store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice', 'chloe']))), T0);
        const leased = await sut.store.claim(T0, 10, MINUTE, 'w1');
        expect(leased.map((r) => r.attempts)).toEqual([1, 1]);
        const ids = leased.map((r) => r.id);
        expect(await sut.store.release(ids, 'w2')).toBe(0);
        expect(await sut.store.release(ids, 'w1')).toBe(2);
        expect(await sut.store.release(ids, 'w1')).toBe(0);
        const again = await sut.store.claim(T0, 10, MINUTE, 'w2');
        expect(again.map((r) => r.attempts)).toEqual([1, 1]);
      });

      it('keeps a delivered row without its text, then deletes it after the retention', async () => {
        await sut.store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice']))), T0);
        const [row] = await sut.store.claim(T0, 10, MINUTE, 'w1');
        await sut.store.finishDelivered([{ id: row?.id ?? '', portalId: 'abc' }], 'w1', T0);
        const retention = { deliveredMs: 7 * 24 * 60 * MINUTE, deadMs: 30 * 24 * 60 * MINUTE };
        expect(await sut.store.purge(T0 + MINUTE, retention)).toBe(0);
        expect(await sut.store.purge(T0 + retention.deliveredMs + 1, retention)).toBe(1);
      });

      it("erases every row about a person, recipient or author, and no one else's", async () => {
        await sut.store.insert(planDeliveries(parseEvent(shareEvent({}, ['alice', 'a_ice', 'chloe']))), T0);
        await sut.store.insert(planDeliveries(parseEvent(recordingEvent(['axice']))), T0);
        expect(await sut.store.erasePerson('a_ice')).toBe(1);
        expect(await sut.store.erasePerson('bob')).toBe(2); // author of the share to alice and chloe
        expect((await sut.store.stats()).pending).toBe(1); // axice's recording notice stays
      });
    });

    describe('delivery', () => {
      it('delivers every event once after the portal was down for 10 simulated minutes', async () => {
        const clock = fakeClock(T0);
        const registry = new Registry();
        const metrics = createOutboxMetrics(registry);
        const outbox = createOutbox({ store: sut.store, clock, metrics });
        for (let i = 0; i < 10; i++) {
          await outbox.enqueue(shareEvent({}, ['alice', 'bob']));
          await outbox.enqueue(meetingEvent(['grpMathsXXXXXXXXX', 'grpSciencesXXXXXX'], ['chloe']));
          await outbox.enqueue(recordingEvent(['chloe']));
        }
        const planned = 50;
        const worker = createDeliveryWorker({
          store: sut.store,
          client: client(),
          clock,
          random: seededRandom(7),
          metrics,
          batchSize: 100,
        });
        portal.setMode({ kind: 'down' });
        while (clock.now() < T0 + 10 * MINUTE) {
          const round = await worker.runOnce();
          expect(round.delivered).toBe(0);
          clock.advance(15_000);
        }
        expect(portal.received).toHaveLength(0);
        expect((await sut.store.stats()).pending).toBe(planned);
        expect(await registry.getSingleMetricAsString('portal_events_oldest_pending_age_seconds')).toMatch(
          / 5\d\d(\.\d+)?$/m,
        );

        portal.setMode({ kind: 'up' });
        for (let round = 0; round < 200 && (await sut.store.stats()).pending > 0; round++) {
          await worker.runOnce();
          clock.advance(15_000);
        }
        expect((await sut.store.stats()).pending).toBe(0);
        const keys = portal.received.map((n) => n.idempotencyKey);
        expect(keys).toHaveLength(planned);
        expect(new Set(keys).size).toBe(planned);
        expect(portal.requests.filter((r) => r.status === 200)).toHaveLength(planned);
        // A portal that is down stored nothing: nothing is shown twice even though it ignores Idempotency-Key.
        expect(portal.duplicates()).toBe(0);
        console.info(`${name}, portal down 10 minutes: 0 duplicates of ${planned}`);
        const exposition = await registry.metrics();
        expect(exposition).toMatch(/^portal_events_delivered_total\{type="share.created"\} 20$/m);
        expect(exposition).toMatch(/^portal_events_queued 0$/m);
        expect(exposition).toMatch(/^portal_events_failed_total\{type="recording.ready",outcome="retry"\} \d+$/m);
      });

      it('dead-letters on a wrong API key at the first answer, without a retry loop, and requeues after the fix', async () => {
        const clock = fakeClock(T0);
        const outbox = createOutbox({ store: sut.store, clock });
        for (let i = 0; i < 5; i++) await outbox.enqueue(shareEvent({}, ['alice']));
        const logs: string[] = [];
        const bad = createDeliveryWorker({
          store: sut.store,
          client: client('wrong-key'),
          clock,
          log: (e) => logs.push(`${e.level} ${e.reason}`),
        });
        expect(await bad.runOnce()).toMatchObject({ claimed: 5, deadLettered: 5, retried: 0 });
        clock.advance(60 * MINUTE);
        expect((await bad.runOnce()).claimed).toBe(0);
        expect(portal.requests).toHaveLength(5);
        expect(logs).toEqual(Array(5).fill('error HTTP 401 unauthorized'));
        expect((await sut.store.listDead(10)).map((d) => d.reason)).toEqual(Array(5).fill('HTTP 401 unauthorized'));

        expect(await sut.store.requeueDead(clock.now())).toBe(5);
        const good = createDeliveryWorker({ store: sut.store, client: client(), clock });
        expect(await good.runOnce()).toMatchObject({ delivered: 5 });
        expect(portal.received).toHaveLength(5);
      });

      it('dead-letters one unknown user and still delivers to the others', async () => {
        const clock = fakeClock(T0);
        await createOutbox({ store: sut.store, clock }).enqueue(shareEvent({}, ['alice', 'ghost', 'chloe']));
        const round = await createDeliveryWorker({ store: sut.store, client: client(), clock }).runOnce();
        expect(round).toMatchObject({ delivered: 2, deadLettered: 1 });
        expect((await sut.store.listDead(10))[0]?.reason).toBe('restapi.notifications.addNotifications.unknownUser');
      });

      it('gives up after the maximum number of attempts', async () => {
        const clock = fakeClock(T0);
        await createOutbox({ store: sut.store, clock }).enqueue(recordingEvent(['alice']));
        portal.setMode({ kind: 'failing', status: 503 });
        const worker = createDeliveryWorker({
          store: sut.store,
          client: client(),
          clock,
          maxAttempts: 3,
          random: () => 0,
        });
        for (let i = 0; i < 10; i++) {
          await worker.runOnce();
          clock.advance(10 * MINUTE);
        }
        expect(portal.requests).toHaveLength(3);
        expect((await sut.store.listDead(1))[0]?.reason).toContain('Given up after 3 attempts');
      });

      /** A worker process SIGKILLed after its POST reached `target` and before the answer; then a restarted worker. */
      const killAfterPost = async (target: LaboiteDouble) => {
        await createOutbox({ store: sut.store }).enqueue(shareEvent({}, ['alice']));
        target.setMode({ kind: 'slow', delayMs: 30_000 });
        const worker = spawnCaptured(process.execPath, ['--import', 'tsx', deliverOnce, ...sut.childArgs, target.url], {
          cwd: repoRoot,
        });
        for (let i = 0; i < 200 && target.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
        expect(target.received, `the child worker never reached the portal:\n${worker.output()}`).toHaveLength(1);
        worker.child.kill('SIGKILL');
        await worker.exited;
        expect(worker.output()).not.toContain('finished');
        expect((await sut.store.stats()).pending).toBe(1);

        target.setMode({ kind: 'up' });
        // A restarted worker finds the row once the dead worker's lease (30 s) has run out.
        const later = fakeClock(Date.now() + 31_000);
        const round = await createDeliveryWorker({
          store: sut.store,
          client: createLaboiteClient({ baseUrl: target.url, apiKey: 'test-api-key' }),
          clock: later,
        }).runOnce();
        expect(round).toMatchObject({ claimed: 1, delivered: 1 });
        expect((await sut.store.stats()).pending).toBe(0);
        const key = target.received[0]?.idempotencyKey;
        expect(target.requests.map((r) => r.idempotencyKey)).toEqual([key, key]);
      };

      it('worker killed after the POST: delivered again, shown twice by LaBoite (1 duplicate), once by a portal honouring the key', async () => {
        await killAfterPost(portal);
        expect(portal.received).toHaveLength(2);
        expect(portal.duplicates()).toBe(1);
        const honouring = await startLaboiteDouble({ honourIdempotencyKey: true });
        try {
          await killAfterPost(honouring);
          expect(honouring.received).toHaveLength(1);
          expect(honouring.duplicates()).toBe(0);
        } finally {
          await honouring.close();
        }
        console.info(`${name}, worker killed after the POST: LaBoite 1 duplicate of 1, honouring portal 0`);
      });

      it('portal slower than the time limit: every notification delivered, a few shown twice, not one per notification', async () => {
        const outbox = createOutbox({ store: sut.store });
        const count = 40;
        for (let i = 0; i < count; i++) await outbox.enqueue(recordingEvent(['alice']));
        // LaBoite stores each notification, then answers after 1.2 s; the worker gives up after 400 ms at first.
        portal.setMode({ kind: 'slow', delayMs: 1_200 });
        const worker = createDeliveryWorker({
          store: sut.store,
          client: createLaboiteClient({ baseUrl: portal.url, apiKey: 'test-api-key', timeoutMs: 400 }),
          concurrency: 8,
          leaseMs: 10_000,
          backoff: { baseMs: 100, maxMs: 200 },
          log: () => undefined,
        });
        const rounds: string[] = [];
        for (let round = 0; round < 200 && (await sut.store.stats()).pending > 0; round++) {
          const result = await worker.runOnce();
          if (result.claimed > 0)
            rounds.push(
              `${result.claimed}/${result.delivered}/${result.retried}/${result.released}@${worker.pace.timeoutMs}`,
            );
          else await new Promise((r) => setTimeout(r, 50));
        }
        expect((await sut.store.stats()).pending).toBe(0);
        // Nothing lost: every notification is there, once or twice.
        expect(new Set(portal.received.map((n) => n.idempotencyKey)).size).toBe(count);
        // The worker learnt a time limit the portal meets (400 -> 800 -> 1600 ms, more on a busy machine, at most half
        // the lease), and only the deliveries in flight when answers were lost are shown twice: the first round's
        // 8 lanes, then one per doubling (4 at most from 400 ms to 5 s).
        expect(worker.pace.oneAtATime).toBe(false);
        expect(worker.pace.timeoutMs).toBeGreaterThan(1_200);
        expect(worker.pace.timeoutMs).toBeLessThan(5_000);
        const duplicates = portal.duplicates();
        expect(duplicates).toBeGreaterThan(0);
        expect(duplicates).toBeLessThanOrEqual(8 + 4);
        console.info(
          `${name}, portal slower than the time limit: ${duplicates} duplicates of ${count} (rounds claimed/delivered/retried/released@limit: ${rounds.join(' ')})`,
        );
      });

      it('runs as a loop with start() and stops cleanly', async () => {
        await createOutbox({ store: sut.store }).enqueue(shareEvent({}, ['alice', 'bob', 'chloe']));
        const worker = createDeliveryWorker({ store: sut.store, client: client(), pollIntervalMs: 20 });
        worker.start();
        for (let i = 0; i < 100 && portal.received.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
        await worker.stop();
        expect(portal.received).toHaveLength(3);
      });
    });
  });
}
