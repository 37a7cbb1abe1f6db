import { randomBytes } from 'node:crypto';
import { requireRedis } from '@apps-education/testkit';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { createRedisTicketStore, ReplicationError } from '../src/adapters/ticket-store.redis.js';
import { harness } from './harness.js';
import { storeRules } from './ticket-security.js';

storeRules('Redis', async () => {
  const url = await requireRedis();
  const store = createRedisTicketStore(url, { prefix: `test-${randomBytes(4).toString('hex')}:` });
  return { store, close: () => store.close() };
});

it('two store handles (two bridge processes) on one Redis share tickets, sessions and single use', async () => {
  const url = await requireRedis();
  const prefix = `test-${randomBytes(4).toString('hex')}:`;
  const one = createRedisTicketStore(url, { prefix });
  const two = createRedisTicketStore(url, { prefix });
  const h = harness(one);
  const { ticket, session } = await h.issue('https://a.ac-test.fr/');
  await one.addSessionService(
    session.id,
    { service: 'https://a.ac-test.fr/', serviceId: 'app-a', ticket },
    h.clock.now(),
  );
  expect((await two.getSession(session.id, h.clock.now()))?.services).toHaveLength(1);
  const taken = await Promise.all([one.takeTicket(ticket, h.clock.now()), two.takeTicket(ticket, h.clock.now())]);
  expect(taken.filter((t) => t !== null)).toHaveLength(1);
  expect(await two.countSessions(h.clock.now())).toBe(1);
  await two.deleteSession(session.id);
  expect(await one.getSession(session.id, h.clock.now())).toBeNull();
  await Promise.all([one.close(), two.close()]);
});

it('trims expired sessions from the sessions index when a session is stored, not only when /metrics counts them', async () => {
  const url = await requireRedis();
  const prefix = `cas-trim-${Date.now()}:`;
  const redis = new Redis(url);
  const store = createRedisTicketStore(url, { prefix });
  try {
    await redis.zadd(`${prefix}sessions`, Date.now() - 1_000, 'TGC-expired-long-ago');
    await store.putSession({
      id: 'TGC-new',
      subject: 's',
      claims: {},
      authenticationDate: new Date().toISOString(),
      idToken: null,
      idpSessionId: null,
      services: [],
      expiresAt: Date.now() + 60_000,
    });
    expect(await redis.zrange(`${prefix}sessions`, 0, -1)).toEqual(['TGC-new']);
  } finally {
    await store.close();
    await redis.quit();
  }
});

it('keeps a person’s back-channel logout index to their live sessions, expiring with the longest one', async () => {
  const url = await requireRedis();
  const prefix = `cas-owners-${Date.now()}:`;
  const redis = new Redis(url);
  const one = createRedisTicketStore(url, { prefix });
  const two = createRedisTicketStore(url, { prefix });
  const session = (id: string, ttlMs: number) => ({
    id,
    subject: 'dana',
    claims: {},
    authenticationDate: new Date().toISOString(),
    idToken: null,
    idpSessionId: `sid-${id}`,
    services: [],
    expiresAt: Date.now() + ttlMs,
  });
  try {
    await redis.zadd(`${prefix}sub:dana`, Date.now() - 1_000, 'TGC-expired-long-ago');
    await one.putSession(session('TGC-long', 3_600_000));
    await one.putSession(session('TGC-short', 60_000));
    expect((await redis.zrange(`${prefix}sub:dana`, 0, -1)).sort()).toEqual(['TGC-long', 'TGC-short']);
    // The index lives as long as its longest session, not the last one stored.
    expect(await redis.pttl(`${prefix}sub:dana`)).toBeGreaterThan(3_500_000);
    expect(await redis.pttl(`${prefix}sid:sid-TGC-short`)).toBeLessThanOrEqual(60_000);
    // Another replica finds them, and a logout there removes them from the index.
    expect((await two.sessionsOf({ subject: 'dana', idpSessionId: null }, Date.now())).sort()).toEqual([
      'TGC-long',
      'TGC-short',
    ]);
    await two.deleteSession('TGC-short');
    expect(await redis.zrange(`${prefix}sub:dana`, 0, -1)).toEqual(['TGC-long']);
    expect(await redis.exists(`${prefix}sid:sid-TGC-short`)).toBe(0);
  } finally {
    await Promise.all([one.close(), two.close()]);
    await redis.quit();
  }
});

it('with waitReplicas, a ticket taken on a Redis that no replica follows is refused, and stays used', async () => {
  // The project's Redis has no replica: WAIT 1 times out, as it would on a master whose replicas are gone.
  const url = await requireRedis();
  const prefix = `cas-wait-${Date.now()}:`;
  const store = createRedisTicketStore(url, { prefix, waitReplicas: 1 });
  const plain = createRedisTicketStore(url, { prefix });
  try {
    const h = harness(plain);
    const { ticket } = await h.issue('https://a.ac-test.fr/');
    await expect(store.takeTicket(ticket, h.clock.now())).rejects.toBeInstanceOf(ReplicationError);
    // Its deletion happened on the master: it can never be validated, by any replica.
    expect(await plain.takeTicket(ticket, h.clock.now())).toBeNull();
    await expect(store.claimOnce(`login-${Date.now()}`, Date.now() + 60_000)).rejects.toThrow(/0 of the 1 replica/);
  } finally {
    await Promise.all([store.close(), plain.close()]);
  }
});
