import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaboiteDouble, startLaboiteDouble } from '../src/index.js';

/** The double must refuse what LaBoite 5.8 refuses (notifications/server/rest.js, restApi.js). */
describe('LaBoite double', () => {
  let portal: LaboiteDouble;
  beforeAll(async () => {
    portal = await startLaboiteDouble({ apiKeys: ['k1'] });
  });
  afterAll(() => portal.close());

  const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': 'k1' }) =>
    fetch(`${portal.url}/api/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const user = { userId: '', username: 'alice', title: 't', content: 'c', type: 'info' };

  it('refuses a request without X-API-KEY with 401 "API_KEY is required."', async () => {
    const response = await post(user, {});
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('API_KEY is required.');
  });

  it("refuses an API key that is not one of the portal's", async () => {
    expect((await post(user, { 'x-api-key': 'k2' })).status).toBe(401);
  });

  it('refuses a key sent as a bearer token (LaBoite reads X-API-KEY only)', async () => {
    expect((await post(user, { authorization: 'Bearer k1' })).status).toBe(401);
  });

  it('ignores username when no userId key is present: a body without userId, groupId or groupsId is an error', async () => {
    const { userId: _omitted, ...withoutUserId } = user;
    const response = await post(withoutUserId);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('dataWithoutuserIdNorGroupId');
  });

  it('answers an unknown username with the unknownUser Meteor error, HTTP 500', async () => {
    const response = await post({ ...user, username: 'nobody' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'restapi.notifications.addNotifications.unknownUser' });
  });

  it('finds the user by email first, then username, then _id', async () => {
    expect((await post({ ...user, username: 'nobody', email: 'bob@ac-test.fr' })).status).toBe(200);
    expect((await post({ ...user, username: undefined, userId: 'chloeXXXXXXXXXXXX' })).status).toBe(200);
  });

  it("refuses a notification type outside LaBoite's enum", async () => {
    const response = await post({ ...user, type: 'shout' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'validation-error' });
  });

  it('refuses a notification without title or content', async () => {
    expect((await post({ ...user, title: '' })).status).toBe(500);
    expect((await post({ ...user, content: undefined })).status).toBe(500);
  });

  it('answers an unknown group with the unknownGroup Meteor error, HTTP 500', async () => {
    const response = await post({ groupId: 'nope', title: 't', content: 'c' });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('unknownGroup');
  });

  it('accepts one group and several groups, and shows them to the members', async () => {
    expect(await (await post({ groupId: 'grpMathsXXXXXXXXX', title: 'g', content: 'c' })).text()).toBe(
      'Group Notification for Maths 4e B sent by API',
    );
    expect((await post({ groupsId: ['grpSciencesXXXXXX'], title: 'gs', content: 'c' })).status).toBe(200);
    expect(portal.notificationsFor('bob').map((n) => n.title)).toContain('g');
    expect(portal.notificationsFor('chloe').map((n) => n.title)).toContain('gs');
  });

  it('stores a retried notification again, as LaBoite 5.8 ignores Idempotency-Key', async () => {
    const headers = { 'x-api-key': 'k1', 'idempotency-key': 'same-key' };
    const count = portal.received.length;
    const before = portal.duplicates();
    const first = await (await post(user, headers)).text();
    const second = await (await post(user, headers)).text();
    expect(second).not.toBe(first); // two documents, two ids
    expect(portal.received).toHaveLength(count + 2);
    expect(portal.duplicates()).toBe(before + 1);
  });

  it('stores a repeated Idempotency-Key once and answers it the same when asked to honour it', async () => {
    const honouring = await startLaboiteDouble({ apiKeys: ['k1'], honourIdempotencyKey: true });
    try {
      const send = () =>
        fetch(`${honouring.url}/api/notifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': 'k1', 'idempotency-key': 'same-key' },
          body: JSON.stringify(user),
        });
      const first = await (await send()).text();
      expect(await (await send()).text()).toBe(first);
      expect(honouring.received).toHaveLength(1);
      expect(honouring.requests.filter((r) => r.idempotencyKey === 'same-key')).toHaveLength(2);
      expect(honouring.duplicates()).toBe(0);
    } finally {
      await honouring.close();
    }
  });

  it('lists what it received on a page, escaping the texts', async () => {
    await post({ ...user, title: '<script>alert(1)</script>' });
    const html = await (await fetch(portal.url)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
  });

  it('can be down, failing or slow', async () => {
    portal.setMode({ kind: 'down' });
    await expect(post(user)).rejects.toThrow();
    portal.setMode({ kind: 'failing', status: 503 });
    expect((await post(user)).status).toBe(503);
    portal.setMode({ kind: 'slow', delayMs: 300 });
    const started = Date.now();
    expect((await post(user)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    portal.setMode({ kind: 'up' });
  });
});
