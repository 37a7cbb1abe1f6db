import { createHash } from 'node:crypto';
import {
  createTestDatabase,
  type LaboiteDouble,
  type S3Peer,
  startLaboiteDouble,
  startS3,
  type TestDatabase,
  waitFor,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceUnderTest, startServiceUnderTest } from './service.js';

const PDF = Buffer.concat([
  Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n'),
  Buffer.alloc(150_000, 0x20),
  Buffer.from('\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
]);

describe('two bbb-upload processes on PostgreSQL and S3 behind a balancer', () => {
  let database: TestDatabase;
  let s3: S3Peer;
  let service: ServiceUnderTest;
  let portal: LaboiteDouble;

  beforeAll(async () => {
    database = await createTestDatabase('bbbupload');
    s3 = await startS3({ bucket: 'bbb-documents' });
    portal = await startLaboiteDouble();
    service = await startServiceUnderTest({
      replicas: 2,
      laboiteUrl: portal.url,
      config: `database: { type: postgres, url: "${database.url}" }\nstorage: { type: s3, bucket: ${s3.bucket}, endpoint: "${s3.endpoint}", region: ${s3.region}, forcePathStyle: true }\n`,
      env: {
        BBB_UPLOAD_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        BBB_UPLOAD_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      },
    });
  });
  afterAll(async () => {
    if (process.env.BBB_UPLOAD_TEST_LOG) for (const p of service?.processes ?? []) console.log(p.output());
    await service?.close();
    await s3?.close();
    await portal?.close();
    await database?.drop();
  });

  it('signs in, uploads through one process, and BigBlueButton gets the same bytes from both', async () => {
    // Sign-in itself crosses the processes: the login starts on one and its callback lands on the other.
    const alice = await service.signIn('alice');
    const token = /name="_csrf" value="([^"]+)"/.exec((await alice.request(`${service.url}/rooms`)).body)?.[1] ?? '';
    const created = await alice.request(`${service.url}/rooms`, { form: { _csrf: token, name: 'Histoire 3e A' } });
    expect(created.status).toBe(303);
    const roomPath = new URL(created.location ?? '', service.url).pathname;
    const csrf = await service.csrf(alice, roomPath);
    const cookie = [...alice.cookies(new URL(service.url).host)].map(([k, v]) => `${k}=${v}`).join('; ');
    const uploaded = await service.fetch(`${service.url}${roomPath}/documents?filename=frise.pdf`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': csrf, cookie },
      body: PDF,
    });
    expect(uploaded.status).toBe(201);
    const before = [...service.hits];
    const started = await alice.request(`${service.url}${roomPath}/start`, { form: { _csrf: csrf } });
    expect(started.status).toBe(303);
    const meeting = [...service.bbb.meetings.values()][0];
    const expected = { size: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex') };
    // bbb-web reads the link twice: round robin sends one read to each process.
    expect(meeting?.documents[0]?.reads).toEqual([expected, expected]);
    const after = service.hits.map((n, i) => n - (before[i] ?? 0));
    expect(after.every((n) => n >= 1)).toBe(true);
  });

  it("tells the portal group once when its visio starts, from the PostgreSQL outbox that both processes' workers read", async () => {
    const bob = await service.signIn('bob');
    const link = `${service.url}/groups/grpMathsXXXXXXXXX?name=${encodeURIComponent('Maths 4e B')}`;
    // Two clicks, one through each process: one meeting, one event.
    expect((await bob.request(link)).status).toBe(303);
    expect((await bob.request(link)).status).toBe(303);
    await waitFor(() => portal.received.length >= 1, 'meeting.started at the portal', { timeoutMs: 15_000 });
    // Both workers poll every second: a second delivery would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(portal.received.map((n) => n.groupIds)).toEqual([['grpMathsXXXXXXXXX']]);
  });
});
