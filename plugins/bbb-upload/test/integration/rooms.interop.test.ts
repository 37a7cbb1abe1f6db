import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UserAgent } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest } from './service.js';

/** A small but real PDF (file-type reads its signature) and a text document. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const TEXT = Buffer.from('Exercice 1 : calculer 3 × 4.\nExercice 2 : résoudre x + 2 = 5.\n');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('bbb-upload, the package pnpm build ships, against the BigBlueButton double', () => {
  let service: ServiceUnderTest;
  let alice: UserAgent;
  let roomPath = '';
  let csrf = '';
  const cookieOf = (agent: UserAgent) =>
    [...agent.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
  const upload = (
    agent: UserAgent,
    path: string,
    filename: string,
    bytes: Buffer,
    token = csrf,
    headers: Record<string, string> = {},
  ) =>
    service.fetch(`${service.url}${path}/documents?filename=${encodeURIComponent(filename)}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        'x-csrf-token': token,
        cookie: cookieOf(agent),
        ...headers,
      },
      body: bytes,
    });

  beforeAll(async () => {
    service = await startServiceUnderTest({
      config: 'documents: { maxBytes: 200000, maxPerRoom: 5, linkMinutes: 10 }\n',
    });
    alice = await service.signIn('alice');
    const rooms = await alice.request(`${service.url}/rooms`);
    const token = /name="_csrf" value="([^"]+)"/.exec(rooms.body)?.[1] ?? '';
    const created = await alice.request(`${service.url}/rooms`, {
      form: { _csrf: token, name: 'Maths 4e B <script>&"' },
    });
    expect(created.status).toBe(303);
    roomPath = new URL(created.location ?? '', service.url).pathname;
    csrf = await service.csrf(alice, roomPath);
  });
  afterAll(async () => {
    if (process.env.BBB_UPLOAD_TEST_LOG) console.log(service?.process.output());
    await service?.close();
  });

  it('uploads two documents, shows the chosen one first, and BigBlueButton receives both in that order, byte for byte', async () => {
    const first = await upload(alice, roomPath, 'cours.pdf', PDF);
    expect(first.status).toBe(201);
    const second = await upload(alice, roomPath, 'exercices.txt', TEXT);
    expect(second.status).toBe(201);
    const { id: secondId } = (await second.json()) as { id: string };
    const chosen = await alice.request(`${service.url}${roomPath}/documents/${secondId}/first`, {
      form: { _csrf: csrf },
    });
    expect(chosen.status).toBe(303);
    const started = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: csrf } });
    expect(started.status).toBe(303);
    const join = new URL(started.location ?? '');
    expect(join.pathname).toMatch(/\/api\/join$/);
    expect(join.searchParams.get('role')).toBe('MODERATOR');
    const meeting = [...service.bbb.meetings.values()].find((m) => m.meetingID === join.searchParams.get('meetingID'));
    expect(meeting?.name).toBe('Maths 4e B <script>&"');
    expect(join.searchParams.get('createTime')).toBe(meeting?.createTime);
    expect(meeting?.documents.map((d) => [d.filename, d.current])).toEqual([
      ['exercices.txt', true],
      ['cours.pdf', false],
    ]);
    // bbb-web reads each URL twice; both reads are the stored bytes.
    expect(meeting?.documents[0]?.reads).toEqual([
      { size: TEXT.length, sha256: sha256(TEXT) },
      { size: TEXT.length, sha256: sha256(TEXT) },
    ]);
    expect(meeting?.documents[1]?.reads[0]).toEqual({ size: PDF.length, sha256: sha256(PDF) });
    // Started twice: the same meeting (duplicateWarning), the same createTime.
    const again = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: csrf } });
    expect(new URL(again.location ?? '').searchParams.get('createTime')).toBe(meeting?.createTime);
  });

  it('refuses a program renamed .pdf, and keeps a path-traversal filename inside its room', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(2000)]);
    const refused = await upload(alice, roomPath, 'devoir.pdf', elf);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { message: string }).message).toMatch(/PDF|type/i);
    const traversal = await upload(alice, roomPath, '../../etc/passwd.pdf', PDF);
    expect(traversal.status).toBe(201);
    expect(((await traversal.json()) as { filename: string }).filename).toBe('passwd.pdf');
  });

  it('aborts an oversized upload with 413 and leaves nothing on disk', async () => {
    const before = readdirSync(join(service.dir.path, 'documents')).length;
    const response = await upload(alice, roomPath, 'gros.pdf', Buffer.concat([PDF, Buffer.alloc(300_000)]));
    expect(response.status).toBe(413);
    expect(readdirSync(join(service.dir.path, 'documents'))).toHaveLength(before);
  });

  it('serves a document only through its own unexpired signed link: tampered, or for another document, is 403', async () => {
    const meeting = [...service.bbb.meetings.values()][0];
    const [a, b] = meeting?.documents ?? [];
    if (!a || !b) throw new Error('two documents expected');
    expect((await service.fetch(a.url)).status).toBe(200);
    const tampered = new URL(a.url);
    tampered.searchParams.set('sig', `${tampered.searchParams.get('sig')?.slice(0, -2)}AA`);
    expect((await service.fetch(tampered.href)).status).toBe(403);
    const other = new URL(b.url);
    other.searchParams.set('sig', new URL(a.url).searchParams.get('sig') ?? '');
    other.searchParams.set('exp', new URL(a.url).searchParams.get('exp') ?? '');
    expect((await service.fetch(other.href)).status).toBe(403);
    const longer = new URL(a.url);
    longer.searchParams.set('exp', String(Number(longer.searchParams.get('exp')) + 3600));
    expect((await service.fetch(longer.href)).status).toBe(403);
  });

  it('refuses a cross-site request, a missing form token, and another teacher', async () => {
    const crossSite = await upload(alice, roomPath, 'x.pdf', PDF, csrf, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    const noToken = await alice.request(`${service.url}${roomPath}/delete`, { method: 'POST', form: { name: 'x' } });
    expect(noToken.status).toBe(403);
    const bob = await service.signIn('bob');
    expect((await bob.request(`${service.url}${roomPath}`)).status).toBe(404);
    const bobToken = /name="_csrf" value="([^"]+)"/.exec((await bob.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    expect((await bob.request(`${service.url}${roomPath}/delete`, { form: { _csrf: bobToken } })).status).toBe(404);
    expect((await alice.request(`${service.url}${roomPath}`)).status).toBe(200);
  });

  it("starts a portal group's visio in one click with the role from the groups claim, and refuses outsiders", async () => {
    const link = `${service.url}/groups/AbCdEf123456789xy?name=${encodeURIComponent('Maths 4e B')}`;
    const admin = await alice.request(link);
    expect(admin.status).toBe(303);
    const adminJoin = new URL(admin.location ?? '');
    expect(adminJoin.searchParams.get('meetingID')).toBe('AbCdEf123456789xy_maths-4e-b');
    expect(adminJoin.searchParams.get('role')).toBe('MODERATOR');
    const bob = await service.signIn('bob');
    const member = new URL((await bob.request(link)).location ?? '');
    expect(member.searchParams.get('role')).toBe('VIEWER');
    expect(member.searchParams.get('createTime')).toBe(adminJoin.searchParams.get('createTime'));
    const chloe = await service.signIn('Chloe.Lefevre', 'chloe');
    const refused = await chloe.request(link);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Maths 4e B');
  });

  it('deletes a room with its documents (nothing left in the document folder)', async () => {
    const removed = await alice.request(`${service.url}${roomPath}/delete`, { form: { _csrf: csrf } });
    expect(removed.status).toBe(303);
    expect(readdirSync(join(service.dir.path, 'documents'))).toEqual([]);
    expect((await alice.request(`${service.url}${roomPath}`)).status).toBe(404);
  });
});
