import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BbbDouble, type DocumentServer, startBbbDouble, startDocumentServer } from '../src/index.js';

const sign = (call: string, query: string, secret: string, algorithm = 'sha256') =>
  `${query}${query ? '&' : ''}checksum=${createHash(algorithm).update(`${call}${query}${secret}`).digest('hex')}`;

/** The BigBlueButton double refuses what bbb-web refuses (shared/reference/bbb.md) and fetches documents as it does. */
describe('strict BigBlueButton API double', () => {
  let bbb: BbbDouble;
  let scalelite: BbbDouble;
  let strictNetwork: BbbDouble;
  let files: DocumentServer;
  const slides = randomBytes(50_000);
  const sheet = randomBytes(20_000);

  const api = async (double: BbbDouble, call: string, query: string, init: RequestInit = {}, algorithm = 'sha256') => {
    const response = await fetch(`${double.url}api/${call}?${sign(call, query, double.secret, algorithm)}`, {
      redirect: 'manual',
      ...init,
    });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  };
  const xmlBody = (docs: { url: string; filename: string }[]) =>
    `<?xml version="1.0"?><modules><module name="presentation">${docs
      .map(
        (d) =>
          `<document url="${d.url.replace(/&/g, '&amp;')}" filename="${d.filename}" downloadable="false" removable="true"/>`,
      )
      .join('')}</module></modules>`;
  const post = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/xml' }, body });

  beforeAll(async () => {
    files = await startDocumentServer({ files: { 'slides.pdf': slides, 'sheet.docx': sheet } });
    bbb = await startBbbDouble({ ca: files.ca, allowLoopbackDocuments: true });
    scalelite = await startBbbDouble({ algorithms: ['sha1', 'sha256', 'sha512'] });
    strictNetwork = await startBbbDouble({ ca: files.ca });
  });
  afterAll(async () => {
    await Promise.all([bbb?.close(), scalelite?.close(), strictNetwork?.close(), files?.close()]);
  });

  it('checks the checksum over the raw query for all four algorithms by length, and refuses another secret', async () => {
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'])
      expect((await api(bbb, 'isMeetingRunning', 'meetingID=x1', {}, algorithm)).text).toContain('SUCCESS');
    const wrong = await fetch(`${bbb.url}api/isMeetingRunning?${sign('isMeetingRunning', 'meetingID=x1', 'other')}`);
    expect(await wrong.text()).toContain('<messageKey>checksumError</messageKey>');
    // The query as sent, not re-encoded: the same parameters with %20 instead of + are another string.
    const plus = sign('create', 'name=Test+Meeting&meetingID=abc', bbb.secret);
    const reencoded = (await fetch(`${bbb.url}api/create?${plus.replace('Test+Meeting', 'Test%20Meeting')}`)).text();
    expect(await reencoded).toContain('checksumError');
  });

  it('as Scalelite, has no sha384', async () => {
    expect((await api(scalelite, 'isMeetingRunning', 'meetingID=x1', {}, 'sha384')).text).toContain('checksumError');
    expect((await api(scalelite, 'isMeetingRunning', 'meetingID=x1', {}, 'sha512')).text).toContain('SUCCESS');
  });

  it('creates once: the same meetingID again is SUCCESS with duplicateWarning and the same createTime', async () => {
    const first = await api(bbb, 'create', 'name=Classe+de+6e&meetingID=room-1');
    const again = await api(bbb, 'create', 'name=Classe+de+6e&meetingID=room-1');
    const createTime = /<createTime>(\d+)<\/createTime>/.exec(first.text)?.[1];
    expect(createTime).toBeTruthy();
    expect(again.text).toContain('duplicateWarning');
    expect(again.text).toContain(`<createTime>${createTime}</createTime>`);
    expect((await api(bbb, 'create', 'name=X&meetingID=room-2')).text).toContain('missingParamName');
    expect((await api(bbb, 'create', 'name=Classe&meetingID=a,b')).text).toContain('invalidMeetingIdentifier');
  });

  it('downloads every document as bbb-web does: https through the CA, twice, in order, an extension required', async () => {
    const body = xmlBody([
      { url: `${files.url}/files/slides.pdf?sig=a&exp=1`, filename: 'slides.pdf' },
      { url: `${files.url}/files/sheet.docx`, filename: 'sheet' },
      { url: `${files.url}/redirect/302/2/sheet.docx`, filename: 'sheet.docx' },
    ]);
    expect((await api(bbb, 'create', 'name=Maths&meetingID=room-docs', post(body))).text).toContain('SUCCESS');
    const documents = bbb.meetings.get('room-docs')?.documents ?? [];
    // The one without an extension is skipped silently.
    expect(documents.map((d) => d.filename)).toEqual(['slides.pdf', 'sheet.docx']);
    const sha = (b: Buffer) => ({ size: b.length, sha256: createHash('sha256').update(b).digest('hex') });
    expect(documents[0]?.reads).toEqual([sha(slides), sha(slides)]);
    expect(documents[1]?.reads).toEqual([sha(sheet), sha(sheet)]);
    expect(files.reads.get('slides.pdf')).toBe(2);
  });

  it('refuses http, loopback (unless allowed), 307 redirects and more than five redirects', async () => {
    const body = xmlBody([
      { url: `${files.url.replace('https', 'http')}/files/slides.pdf`, filename: 'a.pdf' },
      { url: `${files.url}/redirect/307/1/slides.pdf`, filename: 'b.pdf' },
      { url: `${files.url}/redirect/302/6/slides.pdf`, filename: 'c.pdf' },
    ]);
    await api(bbb, 'create', 'name=Refus&meetingID=room-refused', post(body));
    const reads = bbb.meetings.get('room-refused')?.documents.map((d) => d.reads[0]);
    expect(reads).toEqual([{ error: 'not https: http:' }, { error: 'HTTP 307' }, { error: 'too many redirects' }]);
    await api(
      strictNetwork,
      'create',
      'name=Local&meetingID=room-local',
      post(xmlBody([{ url: `${files.url}/files/slides.pdf`, filename: 'a.pdf' }])),
    );
    expect(strictNetwork.meetings.get('room-local')?.documents[0]?.reads[0]).toEqual({
      error: 'private address 127.0.0.1',
    });
  });

  it('joins with the createTime of the meeting only; a moderator starts it', async () => {
    const created = await api(bbb, 'create', 'name=Histoire&meetingID=room-join');
    const createTime = /<createTime>(\d+)<\/createTime>/.exec(created.text)?.[1] ?? '';
    const stale = await api(
      bbb,
      'join',
      `fullName=Alice&meetingID=room-join&role=MODERATOR&createTime=${Number(createTime) - 1}`,
    );
    expect(stale.text).toContain('mismatchCreateTimeParam');
    expect((await api(bbb, 'isMeetingRunning', 'meetingID=room-join')).text).toContain('<running>false</running>');
    const joined = await api(
      bbb,
      'join',
      `fullName=Alice&meetingID=room-join&role=MODERATOR&createTime=${createTime}&redirect=true`,
    );
    expect(joined.status).toBe(302);
    expect((await api(bbb, 'isMeetingRunning', 'meetingID=room-join')).text).toContain('<running>true</running>');
    expect((await api(bbb, 'join', 'fullName=Bob&meetingID=nowhere&role=VIEWER')).text).toContain(
      'invalidMeetingIdentifier',
    );
    expect(
      (await api(bbb, 'join', `fullName=Bob&meetingID=room-join&role=ADMIN&createTime=${createTime}`)).text,
    ).toContain('invalidRole');
  });

  it('inserts documents into an existing meeting only, and ends it', async () => {
    const body = xmlBody([{ url: `${files.url}/files/sheet.docx`, filename: 'sheet.docx' }]);
    expect((await api(bbb, 'insertDocument', 'meetingID=nowhere', post(body))).text).toContain('notFound');
    expect((await api(bbb, 'insertDocument', 'meetingID=room-join', post(body))).text).toContain('SUCCESS');
    expect(bbb.meetings.get('room-join')?.documents.map((d) => d.filename)).toEqual(['sheet.docx']);
    expect((await api(bbb, 'end', 'meetingID=room-join')).text).toContain('SUCCESS');
    expect((await api(bbb, 'end', 'meetingID=room-join')).text).toContain('notFound');
  });

  it('lists and deletes recordings, and posts the recording-ready callback with an HS256 JWT signed by the secret', async () => {
    let received = '';
    const { createServer } = await import('node:http');
    const callback = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received = body;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    const port = (callback.address() as { port: number }).port;
    try {
      const url = encodeURIComponent(`http://127.0.0.1:${port}/recording-ready`);
      await api(bbb, 'create', `name=Sciences&meetingID=room-rec&meta_bbb-recording-ready-url=${url}`);
      const { recordID, callbackStatus } = await bbb.publishRecording('room-rec');
      expect(callbackStatus).toBe(200);
      const token = new URLSearchParams(received).get('signed_parameters') ?? '';
      const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(bbb.secret));
      expect(protectedHeader).toMatchObject({ alg: 'HS256' });
      expect(payload).toMatchObject({ meeting_id: 'room-rec', record_id: recordID });
      await expect(jwtVerify(token, new TextEncoder().encode('another secret'))).rejects.toThrow(/signature/);
      expect((await api(bbb, 'getRecordings', 'meetingID=room-rec')).text).toContain(
        `<recordID>${recordID}</recordID>`,
      );
      expect((await api(bbb, 'deleteRecordings', `recordID=${recordID}`)).text).toContain('SUCCESS');
      expect((await api(bbb, 'getRecordings', 'meetingID=room-rec')).text).not.toContain(recordID);
    } finally {
      callback.closeAllConnections();
      await new Promise<void>((resolve) => callback.close(() => resolve()));
    }
  });
});
