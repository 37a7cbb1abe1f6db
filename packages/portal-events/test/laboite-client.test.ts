import { type LaboiteDouble, startLaboiteDouble } from '@apps-education/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  classify,
  createLaboiteClient,
  laboiteBody,
  type PortalEventsError,
  parseEvent,
  planDeliveries,
} from '../src/index.js';
import { meetingEvent, shareEvent } from './fixtures.js';

describe('LaBoite client against the LaBoite double', () => {
  let portal: LaboiteDouble;
  beforeAll(async () => {
    portal = await startLaboiteDouble({ apiKeys: ['good-key'] });
  });
  afterAll(() => portal.close());
  afterEach(() => portal.setMode({ kind: 'up' }));

  const client = (apiKey = 'good-key', timeoutMs = 2_000) =>
    createLaboiteClient({ baseUrl: portal.url, apiKey, timeoutMs });
  const firstPlan = (input: unknown) => {
    const plan = planDeliveries(parseEvent(input))[0];
    if (!plan) throw new Error('no plan');
    return plan;
  };

  it('delivers to one user by username and gets the new notification id', async () => {
    const plan = firstPlan(shareEvent({}, ['alice']));
    const result = await client().send(plan.payload, plan.idempotencyKey);
    expect(result).toEqual({ outcome: 'delivered', portalId: expect.stringMatching(/^[A-Za-z0-9]{17}$/) });
    expect(portal.notificationsFor('alice').at(-1)?.title).toBe('Nouveau partage de Bob Durand');
  });

  it('delivers to one group and to several groups', async () => {
    const one = firstPlan(meetingEvent(['grpMathsXXXXXXXXX']));
    expect((await client().send(one.payload, one.idempotencyKey)).outcome).toBe('delivered');
    const many = firstPlan(meetingEvent(['grpMathsXXXXXXXXX', 'grpSciencesXXXXXX']));
    expect(await client().send(many.payload, many.idempotencyKey)).toEqual({ outcome: 'delivered', portalId: null });
    expect(portal.notificationsFor('chloe').at(-1)?.form).toBe('groups');
  });

  it('treats a wrong API key as permanent, with advice for the administrator', async () => {
    const plan = firstPlan(shareEvent({}, ['alice']));
    const result = await client('wrong-key').send(plan.payload, plan.idempotencyKey);
    expect(result.outcome).toBe('permanent');
    if (result.outcome === 'delivered') return;
    expect(result.userMessage.fr).toContain("clé d'API");
  });

  it('treats an unknown user as permanent', async () => {
    const plan = firstPlan(shareEvent({}, ['nobody']));
    const result = await client().send(plan.payload, plan.idempotencyKey);
    expect(result).toMatchObject({
      outcome: 'permanent',
      reason: 'restapi.notifications.addNotifications.unknownUser',
    });
  });

  it('treats an unknown group as permanent', async () => {
    const plan = firstPlan(meetingEvent(['grpUnknownXXXXXXX']));
    expect(await client().send(plan.payload, plan.idempotencyKey)).toMatchObject({ outcome: 'permanent' });
  });

  it('retries a 502 from the proxy in front of the portal', async () => {
    portal.setMode({ kind: 'failing', status: 502 });
    const plan = firstPlan(shareEvent({}, ['alice']));
    expect(await client().send(plan.payload, plan.idempotencyKey)).toMatchObject({
      outcome: 'retry',
      reason: 'HTTP 502',
      answerLost: false,
    });
    // A proxy that gave up waiting (504) may have let the portal store it: the answer counts as lost.
    portal.setMode({ kind: 'failing', status: 504 });
    expect(await client().send(plan.payload, plan.idempotencyKey)).toMatchObject({ answerLost: true });
  });

  it('retries a refused connection, which cannot have stored anything', async () => {
    const closed = await startLaboiteDouble();
    const url = closed.url;
    await closed.close();
    const plan = firstPlan(shareEvent({}, ['alice']));
    const result = await createLaboiteClient({ baseUrl: url, apiKey: 'k' }).send(plan.payload, plan.idempotencyKey);
    expect(result).toMatchObject({ outcome: 'retry', reason: 'ECONNREFUSED', answerLost: false });
  });

  it('retries when the portal cuts the connection', async () => {
    portal.setMode({ kind: 'down' });
    const plan = firstPlan(shareEvent({}, ['alice']));
    // Cut after the request was sent: the portal may have stored it.
    expect(await client().send(plan.payload, plan.idempotencyKey)).toMatchObject({
      outcome: 'retry',
      answerLost: true,
    });
  });

  it('gives up on a slow portal after its timeout and retries later', async () => {
    portal.setMode({ kind: 'slow', delayMs: 1_000 });
    const plan = firstPlan(shareEvent({}, ['alice']));
    const result = await client('good-key', 200).send(plan.payload, plan.idempotencyKey);
    expect(result).toMatchObject({ outcome: 'retry', reason: 'timeout after 200 ms', answerLost: true });
    // The worker may give one call a longer limit than the client's.
    const patient = await client('good-key', 200).send(plan.payload, plan.idempotencyKey, { timeoutMs: 2_000 });
    expect(patient.outcome).toBe('delivered');
  });

  it('gives each call in flight a time limit of its own, and never reuses one that fired', async () => {
    const signals: AbortSignal[] = [];
    const watched = createLaboiteClient({
      baseUrl: portal.url,
      apiKey: 'good-key',
      timeoutMs: 2_000,
      fetch: (input, init) => {
        if (init?.signal) signals.push(init.signal);
        return fetch(input, init);
      },
    });
    const send = (timeoutMs?: number) => {
      const plan = firstPlan(shareEvent({}, ['alice']));
      return watched.send(plan.payload, plan.idempotencyKey, timeoutMs ? { timeoutMs } : {});
    };
    // Calls in flight together hold distinct signals: one call's time limit cannot abort another.
    const together = await Promise.all(Array.from({ length: 4 }, () => send()));
    expect(together.map((result) => result.outcome)).toEqual(Array(4).fill('delivered'));
    expect(new Set(signals).size).toBe(4);
    // One after the other, they reuse a signal while it has not fired.
    await send();
    expect(signals.slice(0, 4)).toContain(signals[4]);
    portal.setMode({ kind: 'slow', delayMs: 1_000 });
    expect(await send(200)).toMatchObject({ outcome: 'retry', reason: 'timeout after 200 ms' });
    const fired = signals[5];
    expect(fired?.aborted).toBe(true);
    portal.setMode({ kind: 'up' });
    // The calls after it get signals that have not fired, and are delivered.
    const after = await Promise.all(Array.from({ length: 4 }, () => send()));
    expect(after.map((result) => result.outcome)).toEqual(Array(4).fill('delivered'));
    expect(signals.slice(6).every((signal) => signal !== fired && !signal.aborted)).toBe(true);
    // A signal serves a bounded number of calls (fetch leaves a listener on it per call until GC).
    for (let i = 0; i < 70; i++) await send();
    const uses = new Map<AbortSignal, number>();
    for (const signal of signals) uses.set(signal, (uses.get(signal) ?? 0) + 1);
    expect(Math.max(...uses.values())).toBeLessThanOrEqual(64);
  });

  it('sends the body in English when configured so', async () => {
    const plan = firstPlan(shareEvent({}, ['bob']));
    await createLaboiteClient({ baseUrl: portal.url, apiKey: 'good-key', locale: 'en' }).send(
      plan.payload,
      plan.idempotencyKey,
    );
    expect(portal.notificationsFor('bob').at(-1)?.content).toBe(laboiteBody(plan.payload, 'en').content);
  });

  it('refuses a bad configuration with a clear bilingual error', () => {
    const attempt = (options: Parameters<typeof createLaboiteClient>[0]) => {
      try {
        createLaboiteClient(options);
      } catch (error) {
        return error as PortalEventsError;
      }
      throw new Error('accepted');
    };
    expect(attempt({ baseUrl: 'portail.fr', apiKey: 'k' }).userMessage.fr).toContain(
      'Configuration du portail invalide',
    );
    expect(attempt({ baseUrl: 'ftp://portail.fr', apiKey: 'k' }).code).toBe('INVALID_CONFIG');
    expect(attempt({ baseUrl: 'https://portail.fr', apiKey: ' ' }).message).toContain('apiKey');
    expect(attempt({ baseUrl: 'https://portail.fr', apiKey: 'k\r\nX: y' }).message).toContain('line break');
    expect(attempt({ baseUrl: 'https://portail.fr', apiKey: 'k', timeoutMs: 5 }).message).toContain('timeoutMs');
  });
});

describe("classifying the portal's answers", () => {
  it.each([
    [200, '"abcDEF123"', 'delivered'],
    [401, 'API_KEY is required.', 'permanent'],
    [403, '', 'permanent'],
    [400, 'bad json', 'permanent'],
    [404, 'Not Found', 'permanent'],
    [408, '', 'retry'],
    [429, '', 'retry'],
    [500, '{"error":"restapi.notifications.addNotifications.unknownUser"}', 'permanent'],
    [500, '{"error":"validation-error"}', 'permanent'],
    [500, 'MongoNetworkError', 'retry'],
    [503, '', 'retry'],
  ])('HTTP %i %s is %s', (status, body, outcome) => {
    expect(classify(status, body).outcome).toBe(outcome);
  });
});
