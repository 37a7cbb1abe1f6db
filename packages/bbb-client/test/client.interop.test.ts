import { createHash, randomBytes } from 'node:crypto';
import { type BbbDouble, type DocumentServer, startBbbDouble, startDocumentServer } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BbbError, createBbbClient } from '../src/index.js';

/** The client against the strict BigBlueButton double, which downloads the documents it is given. */
describe('BigBlueButton client', () => {
  let bbb: BbbDouble;
  let files: DocumentServer;
  const slides = randomBytes(80_000);
  const worksheet = randomBytes(30_000);
  const client = () => createBbbClient({ url: bbb.url, secret: bbb.secret });

  beforeAll(async () => {
    files = await startDocumentServer({ files: { 'slides.pdf': slides, 'worksheet.odt': worksheet } });
    bbb = await startBbbDouble({ ca: files.ca, allowLoopbackDocuments: true });
  });
  afterAll(async () => {
    await Promise.all([bbb?.close(), files?.close()]);
  });

  it('creates a meeting with its documents in order, the chosen one first, byte for byte', async () => {
    const created = await client().create(
      {
        meetingID: 'class-6b',
        name: 'Classe de 6e B & co <maths>',
        welcome: 'Bienvenue',
        record: true,
        muteOnStart: true,
        guestPolicy: 'ASK_MODERATOR',
        maxParticipants: 40,
        meta: { 'bbb-recording-ready-url': 'https://salles.ac-test.fr/recordings/ready' },
      },
      [
        {
          url: `${files.url}/files/worksheet.odt?sig=1&exp=2`,
          filename: 'Fiche "élève".odt',
          downloadable: true,
          current: true,
        },
        { url: `${files.url}/files/slides.pdf`, filename: 'slides.pdf', downloadable: false },
      ],
    );
    expect(created).toMatchObject({
      meetingID: 'class-6b',
      duplicate: false,
      createTime: expect.stringMatching(/^\d+$/),
    });
    const meeting = bbb.meetings.get('class-6b');
    expect(meeting?.name).toBe('Classe de 6e B & co <maths>');
    expect(meeting?.params).toMatchObject({ guestPolicy: 'ASK_MODERATOR', muteOnStart: 'true', record: 'true' });
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(
      meeting?.documents.map((d) => [
        d.filename,
        d.current,
        d.downloadable,
        d.reads.map((r) => 'sha256' in r && r.sha256),
      ]),
    ).toEqual([
      ['Fiche "élève".odt', true, true, [sha(worksheet), sha(worksheet)]],
      ['slides.pdf', false, false, [sha(slides), sha(slides)]],
    ]);
  });

  it('creates idempotently: the same meeting again is a duplicate with the same createTime', async () => {
    const first = await client().create({ meetingID: 'class-5a', name: 'Classe de 5e A' });
    const again = await client().create({ meetingID: 'class-5a', name: 'Classe de 5e A' });
    expect(again).toEqual({ ...first, duplicate: true });
  });

  it('makes join URLs BigBlueButton takes, with the createTime kept from create', async () => {
    const { createTime } = await client().create({ meetingID: 'class-4c', name: 'Classe de 4e C' });
    const join = await fetch(
      client().joinUrl({ meetingID: 'class-4c', fullName: 'Mme Martin', role: 'MODERATOR', createTime }),
      {
        redirect: 'manual',
      },
    );
    expect(join.status).toBe(302);
    expect(await client().isMeetingRunning('class-4c')).toBe(true);
    const stale = await fetch(
      client().joinUrl({
        meetingID: 'class-4c',
        fullName: 'Élève',
        role: 'VIEWER',
        createTime: String(Number(createTime) - 1),
      }),
    );
    expect(await stale.text()).toContain('mismatchCreateTimeParam');
  });

  it('adds a document to a running meeting, then ends it (ending twice is fine)', async () => {
    await client().insertDocument('class-4c', [
      { url: `${files.url}/files/slides.pdf`, filename: 'slides.pdf', downloadable: false },
    ]);
    expect(bbb.meetings.get('class-4c')?.documents.map((d) => d.filename)).toEqual(['slides.pdf']);
    await client().end('class-4c');
    await client().end('class-4c');
    expect(await client().isMeetingRunning('class-4c')).toBe(false);
  });

  it('lists and deletes the recordings of a meeting', async () => {
    const { recordID } = await bbb.publishRecording('class-5a');
    const listed = await client().getRecordings('class-5a');
    expect(listed).toMatchObject([
      { recordID, meetingID: 'class-5a', published: true, playback: [{ type: 'presentation' }] },
    ]);
    await client().deleteRecordings(recordID);
    expect(await client().getRecordings('class-5a')).toEqual([]);
  });

  it('turns each FAILED messageKey into a clear message: a checksum error points at the shared secret', async () => {
    const wrong = createBbbClient({ url: bbb.url, secret: 'not-the-secret' });
    const error = await wrong.isMeetingRunning('class-5a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BbbError);
    expect((error as BbbError).code).toBe('checksumError');
    expect((error as BbbError).userMessage.fr).toContain('secret partagé');
    expect((error as BbbError).userMessage.en).toContain('shared secret');
    const missing = await client()
      .insertDocument('nowhere', [{ url: `${files.url}/files/slides.pdf`, filename: 's.pdf', downloadable: false }])
      .catch((e: unknown) => e);
    expect((missing as BbbError).code).toBe('notFound');
  });

  it('as Scalelite (no sha384): sha384 gets the checksum message, sha512 works', async () => {
    const scalelite = await startBbbDouble({ algorithms: ['sha1', 'sha256', 'sha512'] });
    try {
      const sha384 = createBbbClient({ url: scalelite.url, secret: scalelite.secret, algorithm: 'sha384' });
      expect(((await sha384.isMeetingRunning('x').catch((e: unknown) => e)) as BbbError).userMessage.en).toContain(
        'Scalelite',
      );
      const sha512 = createBbbClient({ url: scalelite.url, secret: scalelite.secret, algorithm: 'sha512' });
      expect(await sha512.isMeetingRunning('x')).toBe(false);
    } finally {
      await scalelite.close();
    }
  });

  it('says BigBlueButton is not answering when it is down or too slow', async () => {
    const down = createBbbClient({ url: 'http://127.0.0.1:9/bigbluebutton/', secret: 's', timeoutMs: 500 });
    const error = (await down.isMeetingRunning('x').catch((e: unknown) => e)) as BbbError;
    expect(error.code).toBe('unreachable');
    expect(error.userMessage.fr).toContain('ne répond pas');
  });
});
