import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  type OidcProviderHandle,
  type RedisSentinelHandle,
  startOidcProvider,
  startRedisSentinel,
  waitFor,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserAgent, signIn } from './bridge.js';
import { type BridgePair, startBridgePair } from './load-balancer.js';

const APP = 'https://app.ac-test.fr/';
const REGISTRY = `services:\n  - { id: app, name: App, match: { prefix: "${APP}" } }\n`;

/**
 * Two bridges on Redis Sentinel (Debian's redis-server and redis-sentinel: a master, two replicas, three sentinels)
 * behind a round-robin load balancer. Under a steady load of SSO logins and validations (each ticket validated twice
 * at once, then once more), the master is killed with SIGKILL. The bridges must carry on with the promoted replica:
 * no ticket validated twice, the SSO session made before the crash still good, a session ended before the crash
 * still ended.
 */
describe('Redis Sentinel failover under load', () => {
  let sentinel: RedisSentinelHandle;
  let idp: OidcProviderHandle;
  let pair: BridgePair;
  let publicUrl = '';
  // The bridges' error lines from the moment the failover is over, to say why a check after it failed.
  const errorsAfterFailover: string[] = [];
  let failedOver = false;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    const store = {
      type: 'redis',
      sentinel: { hosts: sentinel.sentinels.map((s) => `${s.host}:${s.port}`), masterName: sentinel.masterName },
      prefix: `failover-${randomBytes(4).toString('hex')}:`,
    };
    idp = await startOidcProvider({ loginHint: false });
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (failedOver && /"level":(50|60)/.test(line)) errorsAfterFailover.push(line.slice(0, 400));
    });
    pair = await startBridgePair({ registry: REGISTRY, idp, store, logStream });
    publicUrl = pair.publicUrl;
  });
  afterAll(async () => {
    await pair?.close();
    await idp?.close();
    await sentinel?.close();
  });

  const loginUrl = () => `${publicUrl}/login?service=${encodeURIComponent(APP)}`;
  const validate = async (ticket: string) => {
    const answer = await fetch(`${publicUrl}/p3/serviceValidate?service=${encodeURIComponent(APP)}&ticket=${ticket}`);
    const body = await answer.text();
    return body.includes('<cas:authenticationSuccess>')
      ? 'success'
      : body.includes('INVALID_TICKET')
        ? 'invalid'
        : 'error';
  };

  it('carries on after the master is killed: no ticket validated twice, sessions as they were', async () => {
    const agent = createUserAgent();
    await signIn(agent, loginUrl(), (u) => u.startsWith(APP));
    // A session ended before the crash must stay ended after it (its deletion reached a replica).
    const leaver = createUserAgent();
    await signIn(leaver, loginUrl(), (u) => u.startsWith(APP), 'bob');
    await leaver.request(`${publicUrl}/logout`);

    const successes = new Map<string, number>();
    const outcomes = { issued: 0, loginErrors: 0, validationErrors: 0, successes: 0, afterFailover: 0 };
    let stop = false;
    let failedOverAt = Number.POSITIVE_INFINITY;
    const worker = async () => {
      while (!stop) {
        const hop = await agent.request(loginUrl()).catch(() => null);
        const ticket = hop?.location ? new URL(hop.location).searchParams.get('ticket') : null;
        if (!ticket) {
          outcomes.loginErrors++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        outcomes.issued++;
        const results = [...(await Promise.all([validate(ticket), validate(ticket)])), await validate(ticket)];
        for (const result of results) {
          if (result === 'success') {
            successes.set(ticket, (successes.get(ticket) ?? 0) + 1);
            outcomes.successes++;
            if (Date.now() > failedOverAt) outcomes.afterFailover++;
          }
          if (result === 'error') outcomes.validationErrors++;
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    // The load is steady (however slow the machine) when the master is killed ...
    await waitFor(
      () => outcomes.successes > 20,
      () => `20 validations before the failover: ${JSON.stringify(outcomes)}`,
      {
        timeoutMs: 30_000,
      },
    );
    const oldMaster = sentinel.killMaster();
    await sentinel.waitForFailover(oldMaster);
    failedOverAt = Date.now();
    failedOver = true;
    // ... and the bridges carry on with the new master.
    await waitFor(
      () => outcomes.afterFailover > 20,
      () =>
        `20 validations after the failover: ${JSON.stringify(outcomes)}\n${errorsAfterFailover.slice(-5).join('\n')}`,
      { timeoutMs: 30_000 },
    ).finally(() => {
      stop = true;
    });
    await Promise.all(workers);

    // Single use held through the failover: no ticket has two successes.
    expect([...successes.values()].filter((n) => n > 1)).toEqual([]);
    // Both bridges are connected to the new master again (their /readyz pings the store) ...
    for (const bridge of [pair.a, pair.b]) {
      const ready = async () => (await fetch(`${bridge.monitoringUrl}/readyz`).catch(() => null))?.status === 200;
      await waitFor(ready, `${bridge.monitoringUrl}/readyz answering 200 after the failover`, { timeoutMs: 15_000 });
    }
    // ... the session made before the crash still gives tickets without the IdP; the ended one is still ended.
    const sso = await agent.request(loginUrl());
    expect(sso.location).toMatch(/ticket=ST-/);
    const afterwards = await validate(new URL(sso.location ?? '').searchParams.get('ticket') ?? '');
    expect(afterwards, `bridge errors since the failover:\n${errorsAfterFailover.slice(-5).join('\n')}`).toBe(
      'success',
    );
    for (let i = 0; i < 2; i++)
      expect((await leaver.request(loginUrl())).location).toContain('/protocol/openid-connect/auth');
    console.info('failover under load', outcomes);
  });
});
