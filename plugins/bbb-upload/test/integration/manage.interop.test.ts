import { createSignedLinks } from '@apps-education/signed-links';
import type { UserAgent } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest, TEST_SECRET } from './service.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('managing a room: co-owners, settings, order, ending, signing out, limits, erasure', () => {
  let service: ServiceUnderTest;
  let alice: UserAgent;
  let roomPath = '';
  let roomId = '';
  let csrf = '';
  const cookieOf = (agent: UserAgent) =>
    [...agent.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const upload = (name: string) =>
    service.fetch(`${service.url}${roomPath}/documents?filename=${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf, cookie: cookieOf(alice) },
      body: PDF,
    });
  const post = (agent: UserAgent, path: string, form: Record<string, string>, token = csrf) =>
    agent.request(`${service.url}${path}`, { method: 'POST', form: { _csrf: token, ...form } });

  beforeAll(async () => {
    service = await startServiceUnderTest({ config: 'limits: { uploadsPerMinute: 6, startsPerMinute: 4 }\n' });
    alice = await service.signIn('alice');
    const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    const created = await post(alice, '/rooms', { name: 'Anglais 4e' }, token);
    roomPath = new URL(created.location ?? '', service.url).pathname;
    roomId = roomPath.split('/').pop() ?? '';
    csrf = await service.csrf(alice, roomPath);
  });
  afterAll(async () => {
    await service?.close();
  });

  it('shares a room with a co-owner, who can then remove themself but never the last owner', async () => {
    expect((await post(alice, `${roomPath}/owners`, { username: 'bob' })).status).toBe(200);
    expect((await post(alice, `${roomPath}/owners`, { username: 'bob' })).status).toBe(409);
    expect((await post(alice, `${roomPath}/owners`, { username: '../admin' })).status).toBe(400);
    const bob = await service.signIn('bob');
    expect((await bob.request(`${service.url}${roomPath}`)).status).toBe(200);
    const bobToken = await service.csrf(bob, roomPath);
    expect((await post(bob, `${roomPath}/owners/remove`, { username: 'bob' }, bobToken)).location).toBe(
      `${service.url}/rooms`,
    );
    expect((await bob.request(`${service.url}${roomPath}`)).status).toBe(404);
    const last = await post(alice, `${roomPath}/owners/remove`, { username: 'alice' });
    expect(last.status).toBe(409);
    expect(last.body).toContain('au moins un propriétaire');
  });

  it('starts with the settings and documents as the teacher left them', async () => {
    const settings = await post(alice, `${roomPath}/settings`, {
      name: 'Anglais 4e (groupe 2)',
      welcome: 'Welcome & bienvenue',
      recordingAllowed: 'on',
      muteOnStart: 'on',
      maxParticipants: '35',
    });
    expect(settings.status).toBe(303);
    const bad = await post(alice, `${roomPath}/settings`, { name: 'x', maxParticipants: '1' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('de 2 à 10 000');
    const a = (await (await upload('a.pdf')).json()) as { id: string };
    const b = (await (await upload('b.pdf')).json()) as { id: string };
    expect((await post(alice, `${roomPath}/documents/${b.id}/move`, { direction: 'up' })).status).toBe(303);
    expect((await post(alice, `${roomPath}/documents/${a.id}/downloadable`, { downloadable: 'on' })).status).toBe(303);
    expect((await post(alice, `${roomPath}/start`, {})).status).toBe(303);
    const meeting = service.bbb.meetings.get(`room-${roomId}`);
    expect(meeting?.name).toBe('Anglais 4e (groupe 2)');
    expect(meeting?.params).toMatchObject({
      welcome: 'Welcome & bienvenue',
      record: 'true',
      muteOnStart: 'true',
      maxParticipants: '35',
      guestPolicy: 'ALWAYS_ACCEPT',
      presentationUploadExternalUrl: `${service.url}${roomPath}`,
    });
    expect(meeting?.documents.map((d) => [d.filename, d.downloadable])).toEqual([
      ['b.pdf', false],
      ['a.pdf', true],
    ]);
    expect((await post(alice, `${roomPath}/end`, {})).status).toBe(303);
    expect(service.bbb.meetings.has(`room-${roomId}`)).toBe(false);
  });

  it('refuses a document link once expired', async () => {
    const [document] = await roomDocuments();
    const links = createSignedLinks({
      secrets: [TEST_SECRET],
      purpose: 'bbb-document',
      baseUrl: `${service.url}/documents/`,
      ttlMs: 10 * 60_000,
    });
    expect((await service.fetch(links.sign(document ?? '', Date.now()))).status).toBe(200);
    const expired = await service.fetch(links.sign(document ?? '', Date.now() - 11 * 60_000));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('expired');
  });

  async function roomDocuments(): Promise<string[]> {
    const page = await alice.request(`${service.url}${roomPath}`);
    return [...page.body.matchAll(/\/documents\/([0-9a-f-]{36})\/delete/g)].map((m) => m[1] ?? '');
  }

  it('limits uploads per person and minute (429, said in words)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await upload(`r${i}.pdf`)).status);
    expect(statuses).toContain(429);
    const limited = await upload('late.pdf');
    expect(limited.status).toBe(429);
  });

  it('erases a room: its documents, its recordings at BigBlueButton and their metadata, and logs no personal data', async () => {
    expect((await post(alice, `${roomPath}/start`, {})).status).toBe(303);
    const { recordID } = await service.bbb.publishRecording(`room-${roomId}`);
    expect((await post(alice, `${roomPath}/delete`, {})).status).toBe(303);
    expect(service.bbb.calls.some((c) => c.call === 'deleteRecordings' && c.query.includes(recordID))).toBe(true);
    expect((await alice.request(`${service.url}${roomPath}`)).status).toBe(404);
    const logs = service.process.output();
    for (const personal of ['alice', 'bob', 'Anglais', 'a.pdf', 'Welcome', 'Alice'])
      expect(logs, personal).not.toContain(personal);
  });

  it('limits meeting starts per person and minute (the fifth start within the minute is refused)', async () => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    const created = await post(alice, '/rooms', { name: 'Limite' }, token);
    const path = new URL(created.location ?? '', service.url).pathname;
    const roomToken = await service.csrf(alice, path);
    // Two starts so far in this file (settings, erasure): two more pass, the fifth is refused in words.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(alice, `${path}/start`, {}, roomToken)).status);
    expect(statuses).toEqual([303, 303, 429]);
    const refused = await post(alice, `${path}/start`, {}, roomToken);
    expect(refused.body).toContain('Trop de demandes');
  });

  it('signs out: the session ends on the server, not only in the browser', async () => {
    const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    const session = alice.cookies(new URL(service.url).host).get('bbb_session') ?? '';
    expect((await alice.request(`${service.url}/logout`, { method: 'POST', form: { _csrf: token } })).status).toBe(303);
    const replayed = await service.fetch(`${service.url}/rooms`, {
      headers: { cookie: `bbb_session=${session}` },
      redirect: 'manual',
    });
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get('location')).toContain('/login');
  });
});
