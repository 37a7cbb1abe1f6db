import { createHash, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { SignJWT } from 'jose';
import { xmlText } from './saml-forger.js';
import { createTestCertificateAuthority } from './test-ca.js';
import { tempDir } from './tmp.js';

/**
 * A strict BigBlueButton API double (shared/reference/bbb.md; no BigBlueButton runs here). It refuses what
 * bbb-web refuses and does what it does with documents:
 * - the checksum is checked over the raw query string (the checksum parameter removed as bbb-web removes it), the
 *   algorithm told by its length among those allowed (sha1, sha256, sha384, sha512 by default; Scalelite: no sha384);
 * - create: name and meetingID 2 to 256 characters, no comma in the id; idempotent (SUCCESS + duplicateWarning, the
 *   same createTime); documents from an XML body, each **downloaded** as bbb-web does: https only (through the given
 *   CA), hosts resolving to loopback or private addresses refused unless allowed, 301/302/303 followed at most 5
 *   times (307/308 fail), the final URL read **twice**; a filename without an extension is skipped silently;
 * - join: the meeting must exist, createTime must match, role MODERATOR or VIEWER; a moderator's join starts it;
 * - insertDocument on an existing meeting; isMeetingRunning; end; getRecordings and deleteRecordings; the
 *   recording-ready callback (POST, signed_parameters = HS256 JWT with the shared secret).
 */
export type BbbChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface BbbFetchedDocument {
  readonly url: string;
  readonly filename: string;
  readonly downloadable: boolean;
  readonly current: boolean;
  /** Each read of the final URL (bbb-web reads it twice): size and sha256, or why it failed. */
  readonly reads: readonly ({ size: number; sha256: string } | { error: string })[];
}

export interface BbbMeeting {
  readonly meetingID: string;
  readonly internalMeetingID: string;
  readonly name: string;
  readonly createTime: string;
  readonly params: Readonly<Record<string, string>>;
  readonly documents: BbbFetchedDocument[];
  readonly joins: { fullName: string; role: string; userID: string | null }[];
  running: boolean;
}

export interface BbbDouble {
  /** As bbb-conf --secret prints it: https://host/bigbluebutton/ (http here). */
  readonly url: string;
  readonly secret: string;
  readonly meetings: ReadonlyMap<string, BbbMeeting>;
  /** Every API call, with what was answered. */
  readonly calls: { call: string; query: string; returncode: string; messageKey: string | null }[];
  /** A recording of an existing meeting, then its recording-ready callback (when the meeting asked for one). */
  publishRecording(meetingID: string): Promise<{ recordID: string; callbackStatus: number | null }>;
  close(): Promise<void>;
}

const SKIPPED_WITHOUT_EXTENSION = /\.[A-Za-z0-9]{1,8}$/;
const REDIRECTS = new Set([301, 302, 303]);

function isPrivate(address: string): boolean {
  if (address === '::1' || address.startsWith('127.') || address.startsWith('10.') || address.startsWith('192.168.'))
    return true;
  if (/^172\.(1[6-9]|2\d|3[01])\./.test(address) || address.startsWith('169.254.') || address === '0.0.0.0')
    return true;
  const lower = address.toLowerCase();
  return (
    lower.startsWith('fc') || lower.startsWith('fd') || lower.startsWith('fe80') || lower.startsWith('::ffff:127.')
  );
}

export async function startBbbDouble(options: {
  secret?: string;
  algorithms?: readonly BbbChecksumAlgorithm[];
  /** The CA the document URLs' certificates chain to (the testkit's). */
  ca?: string;
  /** Let document URLs resolve to loopback (the service under test runs on this machine). */
  allowLoopbackDocuments?: boolean;
}): Promise<BbbDouble> {
  const secret = options.secret ?? randomUUID();
  const algorithms = new Set(options.algorithms ?? ['sha1', 'sha256', 'sha384', 'sha512']);
  const meetings = new Map<string, BbbMeeting>();
  const recordings = new Map<string, { recordID: string; meetingID: string; name: string; startTime: number }>();
  const calls: BbbDouble['calls'] = [];
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true });

  const xmlAnswer = (res: ServerResponse, fields: Record<string, string>) => {
    const body = Object.entries(fields)
      .map(([k, v]) => (k.startsWith('<') ? v : `<${k}>${xmlText(v)}</${k}>`))
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' }).end(`<response>${body}</response>`);
  };
  const failed = (res: ServerResponse, messageKey: string, message: string) =>
    xmlAnswer(res, { returncode: 'FAILED', messageKey, message });

  /** One GET of a document URL as bbb-web makes it: https, checked address, 301/302/303 at most 5 times. */
  async function read(start: string): Promise<{ size: number; sha256: string } | { error: string }> {
    let url = start;
    for (let hop = 0; hop <= 5; hop++) {
      const target = new URL(url);
      if (target.protocol !== 'https:') return { error: `not https: ${target.protocol}` };
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const address = isIP(host) ? host : (await lookup(host).catch(() => ({ address: '' }))).address;
      if (!address) return { error: `cannot resolve ${host}` };
      if (isPrivate(address) && !options.allowLoopbackDocuments) return { error: `private address ${address}` };
      const answer = await new Promise<{ status: number; location: string | null; body: Buffer }>((resolve, reject) => {
        const req = httpsRequest(target, { ca: options.ca, timeout: 10_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location ?? null,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      }).catch((error: unknown) => ({ status: 0, location: null, body: Buffer.from(String(error)) }));
      if (REDIRECTS.has(answer.status) && answer.location) {
        url = new URL(answer.location, target).href;
        continue;
      }
      if (answer.status !== 200) return { error: `HTTP ${answer.status}` };
      return { size: answer.body.length, sha256: createHash('sha256').update(answer.body).digest('hex') };
    }
    return { error: 'too many redirects' };
  }

  async function fetchDocuments(body: string): Promise<BbbFetchedDocument[]> {
    if (body.trim() === '') return [];
    const parsed = parser.parse(body) as { modules?: { module?: unknown } };
    const modules = parsed.modules?.module;
    const list = (Array.isArray(modules) ? modules : [modules]) as { name?: string; document?: unknown }[];
    const presentation = list.find((m) => m?.name === 'presentation');
    const raw = presentation?.document;
    const documents = (Array.isArray(raw) ? raw : raw ? [raw] : []) as Record<string, string>[];
    const fetched: BbbFetchedDocument[] = [];
    for (const d of documents) {
      const filename = d.filename ?? new URL(d.url ?? 'https://x/').pathname.split('/').pop() ?? '';
      if (!d.url || !SKIPPED_WITHOUT_EXTENSION.test(filename)) continue;
      const reads = [await read(d.url), await read(d.url)];
      fetched.push({
        url: d.url,
        filename,
        downloadable: d.downloadable === 'true',
        current: d.current === 'true',
        reads,
      });
    }
    return fetched;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const [path = '', rawQuery = ''] = (req.url ?? '').split(/\?(.*)/s);
    const call = /^\/bigbluebutton\/api\/([A-Za-z]*)$/.exec(path)?.[1];
    if (call === undefined) return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = new URLSearchParams(rawQuery);
    const given = params.get('checksum') ?? '';
    // bbb-web's ParamsProcessorUtil: the checksum parameter is cut out of the raw query string.
    const signed = rawQuery
      .replace(`&checksum=${given}`, '')
      .replace(`checksum=${given}&`, '')
      .replace(`checksum=${given}`, '');
    const algorithm = ({ 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' } as const)[given.length];
    const record = (returncode: string, messageKey: string | null) =>
      calls.push({ call, query: rawQuery, returncode, messageKey });
    if (
      !algorithm ||
      !algorithms.has(algorithm) ||
      createHash(algorithm).update(`${call}${signed}${secret}`).digest('hex') !== given.toLowerCase()
    ) {
      record('FAILED', 'checksumError');
      return failed(res, 'checksumError', 'Checksums do not match');
    }
    const meetingID = params.get('meetingID') ?? '';
    const meeting = meetings.get(meetingID);
    const ok = (fields: Record<string, string>, messageKey: string | null = null) => {
      record('SUCCESS', messageKey);
      xmlAnswer(res, { returncode: 'SUCCESS', ...fields });
    };
    const refuse = (messageKey: string, message: string) => {
      record('FAILED', messageKey);
      failed(res, messageKey, message);
    };
    switch (call) {
      case 'create': {
        const name = params.get('name') ?? '';
        if (meetingID.length < 2 || meetingID.length > 256 || meetingID.includes(','))
          return refuse('invalidMeetingIdentifier', 'The meeting ID must be 2 to 256 characters, without comma');
        if (name.length < 2 || name.length > 256)
          return refuse('missingParamName', 'The name must be 2 to 256 characters');
        if (meeting) {
          return ok(
            {
              meetingID,
              internalMeetingID: meeting.internalMeetingID,
              createTime: meeting.createTime,
              messageKey: 'duplicateWarning',
            },
            'duplicateWarning',
          );
        }
        if (body !== '' && !/^application\/xml|^text\/xml/.test(req.headers['content-type'] ?? ''))
          return refuse('sendXmlOrTextOnly', 'The body must be XML');
        const created: BbbMeeting = {
          meetingID,
          internalMeetingID: createHash('sha1').update(meetingID).digest('hex'),
          name,
          createTime: String(Date.now()),
          params: Object.fromEntries(params),
          documents: [],
          joins: [],
          running: false,
        };
        meetings.set(meetingID, created);
        // bbb-web downloads the documents before answering (in the code read): a slow URL slows create.
        created.documents.push(...(await fetchDocuments(body)));
        return ok({ meetingID, internalMeetingID: created.internalMeetingID, createTime: created.createTime });
      }
      case 'join': {
        if (!meeting) return refuse('invalidMeetingIdentifier', 'The meeting ID does not exist');
        const role = params.get('role');
        if (role !== 'MODERATOR' && role !== 'VIEWER') return refuse('invalidRole', 'role must be MODERATOR or VIEWER');
        const createTime = params.get('createTime');
        if (createTime !== null && createTime !== meeting.createTime)
          return refuse('mismatchCreateTimeParam', 'The createTime parameter does not match');
        if (!params.get('fullName')) return refuse('missingParamFullName', 'fullName is missing');
        meeting.joins.push({ fullName: params.get('fullName') ?? '', role, userID: params.get('userID') });
        if (role === 'MODERATOR') meeting.running = true;
        record('SUCCESS', null);
        if (params.get('redirect') === 'false') return xmlAnswer(res, { returncode: 'SUCCESS', url: `${base}client` });
        return void res.writeHead(302, { location: `${base}html5client/join?sessionToken=${randomUUID()}` }).end();
      }
      case 'insertDocument': {
        if (!meeting) return refuse('notFound', 'We could not find a meeting with that meeting ID');
        meeting.documents.push(...(await fetchDocuments(body)));
        return ok({});
      }
      case 'isMeetingRunning':
        return ok({ running: String(Boolean(meeting?.running)) });
      case 'end':
        if (!meeting) return refuse('notFound', 'We could not find a meeting with that meeting ID');
        meetings.delete(meetingID);
        return ok({ messageKey: 'sentEndMeetingRequest' });
      case 'getRecordings': {
        const found = [...recordings.values()].filter((r) => !meetingID || r.meetingID === meetingID);
        const xml = found
          .map(
            (r) =>
              `<recording><recordID>${r.recordID}</recordID><meetingID>${r.meetingID}</meetingID><name>${r.name}</name><published>true</published><startTime>${r.startTime}</startTime><endTime>${r.startTime + 60_000}</endTime><playback><format><type>presentation</type><url>${base}playback/presentation/2.3/${r.recordID}</url></format></playback></recording>`,
          )
          .join('');
        return ok({ '<recordings>': `<recordings>${xml}</recordings>` });
      }
      case 'deleteRecordings': {
        const ids = (params.get('recordID') ?? '').split(',');
        if (!ids.some((id) => recordings.delete(id))) return refuse('notFound', 'We could not find recordings');
        return ok({ deleted: 'true' });
      }
      default:
        return refuse('unsupportedRequest', 'This request is not supported');
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}/bigbluebutton/`;

  return {
    url: base,
    secret,
    meetings,
    calls,
    async publishRecording(meetingID) {
      const meeting = meetings.get(meetingID);
      const recordID = `${createHash('sha1').update(meetingID).digest('hex')}-${Date.now()}`;
      recordings.set(recordID, { recordID, meetingID, name: meeting?.name ?? meetingID, startTime: Date.now() });
      const callback = meeting?.params['meta_bbb-recording-ready-url'];
      if (!callback) return { recordID, callbackStatus: null };
      const token = await new SignJWT({ meeting_id: meetingID, record_id: recordID })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(secret));
      // As bbb-web does: a form POST, to an https callback through the same CA as the documents.
      const body = new URLSearchParams({ signed_parameters: token }).toString();
      const callbackStatus = await new Promise<number>((resolve, reject) => {
        const target = new URL(callback);
        const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(
          target,
          {
            method: 'POST',
            ca: options.ca,
            timeout: 10_000,
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      return { recordID, callbackStatus };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Documents served over https by a certificate of the testkit's CA, as the service under test would serve them to
 * BigBlueButton: `/files/<name>` answers the bytes given; `/redirect/<status>/<hops>/<name>` redirects `hops` times
 * with that status before the file. Every read is counted.
 */
export interface DocumentServer {
  readonly url: string;
  /** The CA its certificate chains to: give it to the BigBlueButton double. */
  readonly ca: string;
  readonly reads: Map<string, number>;
  close(): Promise<void>;
}

export async function startDocumentServer(options: {
  files: Readonly<Record<string, Buffer>>;
}): Promise<DocumentServer> {
  const dir = await tempDir('documents-');
  const ca = createTestCertificateAuthority(dir.path);
  const cert = ca.issue(['127.0.0.1'], 'documents');
  const reads = new Map<string, number>();
  const server = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const redirect = /^\/redirect\/(\d{3})\/(\d+)\/(.+)$/.exec(path);
    if (redirect) {
      const [, status = '302', hops = '0', name = ''] = redirect;
      const next = Number(hops) > 1 ? `/redirect/${status}/${Number(hops) - 1}/${name}` : `/files/${name}`;
      return void res.writeHead(Number(status), { location: next }).end();
    }
    const name = /^\/files\/(.+)$/.exec(path)?.[1] ?? '';
    const file = options.files[name];
    if (!file) return void res.writeHead(404).end();
    reads.set(name, (reads.get(name) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.length }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: ca.cert,
    reads,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dir.remove();
    },
  };
}
