import { describe, expect, it } from 'vitest';
import { algorithmOfChecksum, checksum, createBbbClient, documentsXml } from '../src/index.js';

const SECRET = '639259d4-9dd8-4b25-bf01-95f9567eaf4b';
const QUERY = 'name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444';

describe('BigBlueButton checksum', () => {
  it("matches the API documentation's test vectors (sha1 and sha256)", () => {
    expect(checksum('create', QUERY, SECRET, 'sha1')).toBe('1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17');
    expect(checksum('create', QUERY, SECRET, 'sha256')).toBe(
      'da9185f7f333cfdfcd6eeac32dca3777510c4c436020d8b887ba5515bd1d189e',
    );
  });

  it('tells the algorithm by the length, as the server does', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha384', 'sha512'] as const)
      expect(algorithmOfChecksum(checksum('join', 'a=b', SECRET, algorithm))).toBe(algorithm);
    expect(algorithmOfChecksum('abc')).toBeNull();
    expect(algorithmOfChecksum('z'.repeat(64))).toBeNull();
  });

  it('signs exactly the query it sends: the same parameters, in the same order, spaces as +', () => {
    const client = createBbbClient({ url: 'https://bbb.ac-test.fr/bigbluebutton/', secret: SECRET, algorithm: 'sha1' });
    const signed = new URL(
      client.url('create', { name: 'Test Meeting', meetingID: 'abc123', attendeePW: '111222', moderatorPW: '333444' }),
    );
    expect(signed.pathname).toBe('/bigbluebutton/api/create');
    expect(signed.search).toBe(`?${QUERY}&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17`);
  });

  it('takes the URL with or without api/ and its trailing slash', () => {
    for (const url of ['https://bbb.ac-test.fr/bigbluebutton', 'https://bbb.ac-test.fr/bigbluebutton/api/'])
      expect(new URL(createBbbClient({ url, secret: SECRET }).url('getMeetings', {})).pathname).toBe(
        '/bigbluebutton/api/getMeetings',
      );
  });
});

describe('documents sent to BigBlueButton', () => {
  it('are an escaped XML body: a filename or URL cannot inject an element or an attribute', () => {
    const body = documentsXml([
      {
        url: 'https://salles.ac-test.fr/d/1?sig=a&exp=2',
        filename: 'cours"/><document url="https://evil.example/x.pdf" filename="x.pdf',
        downloadable: false,
        current: true,
      },
      { url: 'https://salles.ac-test.fr/d/2', filename: '<b>&amp;.pdf', downloadable: true },
    ]);
    expect(body.match(/<document /g)).toHaveLength(2);
    expect(body).toContain('url="https://salles.ac-test.fr/d/1?sig=a&amp;exp=2"');
    expect(body).toContain('filename="cours&quot;/&gt;&lt;document url=&quot;https://evil.example/x.pdf&quot;');
    // Escaped whole: a value that looks like an entity keeps its text once BigBlueButton decodes it.
    expect(body).toContain('filename="&lt;b&gt;&amp;amp;.pdf"');
    expect(body).toContain('downloadable="false" removable="true" current="true"');
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><modules><module name="presentation">/);
  });
});
