import { spawnSync } from 'node:child_process';
import {
  type LaboiteDouble,
  requireCommand,
  startLaboiteDouble,
  type UserAgent,
  waitFor,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest } from './service.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const GROUP = 'grpMathsXXXXXXXXX';
const GROUP_MEETING = `${GROUP}_maths-4e-b`;

describe('bbb-upload meetings: guests, documents added live, recordings, and the portal told about groups', () => {
  let service: ServiceUnderTest;
  let portal: LaboiteDouble;
  let alice: UserAgent;
  let roomPath = '';
  let csrf = '';

  beforeAll(async () => {
    portal = await startLaboiteDouble();
    service = await startServiceUnderTest({ laboiteUrl: portal.url });
    alice = await service.signIn('alice');
    const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    const created = await alice.request(`${service.url}/rooms`, { form: { _csrf: token, name: 'Sciences 5e' } });
    roomPath = new URL(created.location ?? '', service.url).pathname;
    csrf = await service.csrf(alice, roomPath);
  });
  afterAll(async () => {
    if (process.env.BBB_UPLOAD_TEST_LOG) console.log(service?.process.output());
    await service?.close();
    await portal?.close();
  });

  const cookieOf = (agent: UserAgent) =>
    [...agent.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');

  it('lets a guest in by the invitation link once the meeting runs, as a viewer waiting for a moderator', async () => {
    const page = await alice.request(`${service.url}${roomPath}`);
    const invite = /id="invite" readonly value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(invite).toMatch(/\/join\/[A-Za-z0-9_-]{22}$/);
    const guestForm = await service.fetch(invite);
    expect(guestForm.status).toBe(200);
    const early = await service.fetch(invite, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Parent%20d%27%C3%A9l%C3%A8ve',
      redirect: 'manual',
    });
    expect(early.status).toBe(200);
    expect(await early.text()).toContain("n'a pas encore commencé");
    const started = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: csrf } });
    expect(started.status).toBe(303);
    // BigBlueButton says a meeting runs once someone is in: the teacher follows the join link first.
    expect((await fetch(started.location ?? '', { redirect: 'manual' })).status).toBe(302);
    const joined = await service.fetch(invite, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Parent%20d%27%C3%A9l%C3%A8ve',
      redirect: 'manual',
    });
    expect(joined.status).toBe(303);
    const join = new URL(joined.headers.get('location') ?? '');
    expect(Object.fromEntries(join.searchParams)).toMatchObject({
      role: 'VIEWER',
      guest: 'true',
      fullName: "Parent d'élève",
    });
    const crossSite = await service.fetch(invite, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'name=x',
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
  });

  it('gives a document added while the meeting runs to BigBlueButton at once (insertDocument), its name escaped', async () => {
    const meeting = service.bbb.meetings.get(`room-${roomPath.split('/').pop()}`);
    expect(meeting?.running).toBe(true);
    const name = `Fiche <1> & "2" d'exercices.pdf`;
    const response = await service.fetch(`${service.url}${roomPath}/documents?filename=${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf, cookie: cookieOf(alice) },
      body: PDF,
    });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { insertedLive: boolean }).insertedLive).toBe(true);
    // <, > and " leave the name (upload-check's safe filename); & and ' stay, escaped in the XML body.
    expect(meeting?.documents.at(-1)?.filename).toBe(`Fiche _1_ & _2_ d'exercices.pdf`);
    expect(meeting?.documents.at(-1)?.reads[0]).toMatchObject({ size: PDF.length });
    expect(service.bbb.calls.some((c) => c.call === 'insertDocument' && c.returncode === 'SUCCESS')).toBe(true);
  });

  it('tells the portal group when its visio starts, once, and when a recording is ready (JWT checked)', async () => {
    const link = `${service.url}/groups/${GROUP}?name=${encodeURIComponent('Maths 4e B')}`;
    expect((await alice.request(link)).status).toBe(303);
    const bob = await service.signIn('bob');
    expect((await bob.request(link)).status).toBe(303);
    await waitFor(() => portal.received.length >= 1, 'meeting.started at the portal', { timeoutMs: 15_000 });
    const started = portal.received.filter((n) => n.groupIds.includes(GROUP));
    expect(started).toHaveLength(1);
    expect(started[0]?.form).toBe('group');
    expect(`${started[0]?.title} ${started[0]?.content}`).toContain('Maths 4e B');
    const { callbackStatus } = await service.bbb.publishRecording(GROUP_MEETING);
    expect(callbackStatus).toBe(200);
    await waitFor(() => portal.received.length >= 2, 'recording.ready at the portal', { timeoutMs: 15_000 });
    expect(portal.received[1]?.groupIds).toEqual([GROUP]);
    expect(portal.received[1]?.link).toContain('/playback/presentation/');
    // A forged callback (another secret) changes nothing.
    const forged = await service.fetch(`${service.url}/callbacks/recording-ready`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'signed_parameters=eyJhbGciOiJIUzI1NiJ9.eyJtZWV0aW5nX2lkIjoieCIsInJlY29yZF9pZCI6InkifQ.AAAA',
    });
    expect(forged.status).toBe(401);
  });

  it("lists the room's recordings and deletes one", async () => {
    const meetingId = `room-${roomPath.split('/').pop()}`;
    const { recordID } = await service.bbb.publishRecording(meetingId);
    const page = await alice.request(`${service.url}${roomPath}`);
    expect(page.body).toContain('/playback/presentation/');
    const deleted = await alice.request(`${service.url}${roomPath}/recordings/delete`, {
      form: { _csrf: csrf, recordId: recordID },
    });
    expect(deleted.status).toBe(303);
    expect(service.bbb.calls.some((c) => c.call === 'deleteRecordings' && c.query.includes(recordID))).toBe(true);
    // A recording of another meeting is not this room's to delete.
    const other = await service.bbb.publishRecording(GROUP_MEETING);
    const refused = await alice.request(`${service.url}${roomPath}/recordings/delete`, {
      form: { _csrf: csrf, recordId: other.recordID },
    });
    expect(refused.status).toBe(404);
  });

  it('keeps /readyz and /metrics off the public address; the metrics pass promtool', async () => {
    expect((await service.fetch(`${service.url}/metrics`)).status).toBe(404);
    const ready = await fetch(`${service.monitoringUrl}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, database: 'ok', idp: 'ok' });
    const metrics = await (await fetch(`${service.monitoringUrl}/metrics`)).text();
    expect(metrics).toMatch(/bbb_upload_uploads_total\{outcome="accepted"\} [1-9]/);
    expect(metrics).toMatch(/bbb_upload_meetings_started_total\{kind="group",created="true"\} 1/);
    expect(metrics).toMatch(/bbb_upload_bbb_call_duration_seconds_count\{call="create",outcome="ok"\} [1-9]/);
    const promtool = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], {
      input: metrics,
      encoding: 'utf8',
    });
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
    expect(promtool.status).toBe(0);
  });
});
