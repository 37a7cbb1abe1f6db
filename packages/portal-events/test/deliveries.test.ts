import { describe, expect, it } from 'vitest';
import { laboiteBody, parseEvent, planDeliveries, retryDelayMs } from '../src/index.js';
import { meetingEvent, shareEvent } from './fixtures.js';

describe('planning the POSTs to LaBoite', () => {
  it('sends one POST per user, with the userId:"" + username quirk', () => {
    const plans = planDeliveries(parseEvent(shareEvent({}, ['alice', 'chloe'])));
    expect(plans).toHaveLength(2);
    expect(laboiteBody(plans[0]?.payload ?? fail(), 'fr')).toEqual({
      userId: '',
      username: 'alice',
      title: 'Nouveau partage de Bob Durand',
      content: 'Bob Durand a partagé le fichier « Progression 4e.pdf » avec vous.',
      type: 'info',
      link: 'https://nuage.apps.education.fr/f/123',
    });
    expect(laboiteBody(plans[1]?.payload ?? fail(), 'en').title).toBe('New share from Bob Durand');
  });

  it('uses the one-group form for one group and the several-groups form for more', () => {
    const one = planDeliveries(parseEvent(meetingEvent(['g1'])));
    expect(laboiteBody(one[0]?.payload ?? fail(), 'fr')).toMatchObject({ groupId: 'g1' });
    const many = planDeliveries(parseEvent(meetingEvent(['g1', 'g2'], ['alice'])));
    expect(many).toHaveLength(2);
    expect(laboiteBody(many[1]?.payload ?? fail(), 'fr')).toMatchObject({ groupsId: ['g1', 'g2'] });
    expect(laboiteBody(many[1]?.payload ?? fail(), 'fr')).not.toHaveProperty('userId');
  });

  it('gives each POST a stable idempotency key, different per target', () => {
    const event = parseEvent(shareEvent({}, ['alice', 'bob']));
    const first = planDeliveries(event).map((p) => p.idempotencyKey);
    expect(planDeliveries(event).map((p) => p.idempotencyKey)).toEqual(first);
    expect(new Set(first).size).toBe(2);
    expect(first[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('records who a row is about (recipient and author) for erasure', () => {
    const [plan] = planDeliveries(parseEvent(shareEvent({}, ['alice'])));
    expect(plan?.people).toEqual(['alice', 'bob']);
  });
});

describe('retry delays', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  it('doubles per attempt between half and all of the exponential step', () => {
    expect(retryDelayMs(policy, 1, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 1, () => 0.999999)).toBe(1000);
    expect(retryDelayMs(policy, 4, () => 0)).toBe(4000);
  });
  it('never exceeds the ceiling, even after many attempts', () => {
    expect(retryDelayMs(policy, 1000, () => 0.999999)).toBe(60_000);
    expect(retryDelayMs(policy, 1000, () => 0)).toBe(30_000);
  });
});

function fail(): never {
  throw new Error('missing plan');
}
