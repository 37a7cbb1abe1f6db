import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { freePort, type RedisSentinelHandle, startRedisSentinel, waitFor } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTicketStore } from '../src/adapters/ticket-store.redis.js';
import type { TicketStore } from '../src/core/records.js';
import { harness } from './harness.js';

/**
 * A TCP proxy in front of one sentinel. While it holds, the connections that open keep their requests back until
 * release (the connections already open carry on), which makes a slow sentinel answer at the chosen moment. It
 * records what it passed on to its clients (the sentinels' pub/sub messages among them).
 */
async function startSentinelProxy(target: number) {
  let holding = false;
  const held: (() => void)[] = [];
  let toClients = '';
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    const kept: Buffer[] = [];
    let open = !holding;
    if (!open)
      held.push(() => {
        open = true;
        for (const chunk of kept.splice(0)) upstream.write(chunk);
      });
    client.on('data', (chunk) => (open ? upstream.write(chunk) : kept.push(chunk)));
    upstream.on('data', (chunk) => {
      toClients += chunk.toString('latin1');
      client.write(chunk);
    });
    for (const [one, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      one.on('error', () => other.destroy());
      one.on('close', () => other.destroy());
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const go of held.splice(0)) go();
    },
    heldConnections: () => held.length,
    passed: (text: string) => toClients.includes(text),
    close() {
      server.close();
    },
  };
}

/**
 * The store's client must come back after a failover whatever the moment the sentinels announce it. With ioredis 5.11
 * alone, a +switch-master that arrives while the client asks a sentinel for the master (here: the sentinel is slow
 * to answer) ends the client for good; every command then gets "Connection is closed." (seen in half the failovers
 * of redis-sentinel.interop.test.ts on a busy machine).
 */
describe('Redis store on Sentinel', () => {
  let sentinel: RedisSentinelHandle;
  let proxies: Awaited<ReturnType<typeof startSentinelProxy>>[] = [];
  let store: TicketStore;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    proxies = await Promise.all(sentinel.sentinels.map((s) => startSentinelProxy(s.port)));
    store = createRedisTicketStore(
      { sentinels: proxies.map((p) => ({ host: '127.0.0.1', port: p.port })), masterName: sentinel.masterName },
      { prefix: `race-${randomBytes(4).toString('hex')}:` },
    );
  });
  afterAll(async () => {
    await store?.close();
    for (const proxy of proxies) proxy.close();
    await sentinel?.close();
  });

  it('connects to the new master when the failover is announced while a sentinel is being asked for the master', async () => {
    await store.ping();
    // The client's failover detector has subscribed to +switch-master through every proxy.
    await waitFor(
      () => proxies.every((p) => p.passed('+switch-master')),
      'the store subscribed to +switch-master on every sentinel',
    );
    for (const proxy of proxies) proxy.hold();
    const oldMaster = sentinel.killMaster();
    // The client lost its master and asks a sentinel (held) where the master is ...
    await waitFor(() => proxies.some((p) => p.heldConnections() > 0), 'the store asking a sentinel for the master');
    // ... when the sentinels announce the new master (the message reached the client through a proxy).
    await sentinel.waitForFailover(oldMaster);
    await waitFor(
      () => proxies.some((p) => p.passed('message\r\n$14\r\n+switch-master')),
      'the +switch-master message passed on to the store',
    );
    for (const proxy of proxies) proxy.release();

    let lastError = '';
    const answers = async () =>
      store.ping().then(
        () => true,
        (error: Error) => {
          lastError = error.message;
          return false;
        },
      );
    await waitFor(answers, () => `the store answering after the failover (last error: ${lastError})`, {
      timeoutMs: 10_000,
    });
    // Tickets work again, single use included.
    const h = harness(store);
    const { ticket } = await h.issue('https://a.ac-test.fr/');
    expect((await store.takeTicket(ticket, h.clock.now()))?.id).toBe(ticket);
    expect(await store.takeTicket(ticket, h.clock.now())).toBeNull();
  });
});
