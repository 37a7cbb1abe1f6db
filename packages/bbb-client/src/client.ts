import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { type ChecksumAlgorithm, checksum } from './checksum.js';
import { type Localized, type MessageKey, t } from './i18n.js';

/** A document BigBlueButton fetches from our URL at create or insertDocument. */
export interface BbbDocument {
  readonly url: string;
  /** Always sent, always with an extension: BigBlueButton drops a document without one, silently. */
  readonly filename: string;
  readonly downloadable: boolean;
  /** The one shown first. */
  readonly current?: boolean;
}

export interface CreateParams {
  readonly meetingID: string;
  readonly name: string;
  readonly welcome?: string;
  readonly record?: boolean;
  readonly maxParticipants?: number;
  readonly muteOnStart?: boolean;
  /** ALWAYS_ACCEPT, ALWAYS_DENY, ASK_MODERATOR (the waiting room). */
  readonly guestPolicy?: 'ALWAYS_ACCEPT' | 'ALWAYS_DENY' | 'ASK_MODERATOR';
  /** BigBlueButton's own upload dialog points here. */
  readonly presentationUploadExternalUrl?: string;
  readonly presentationUploadExternalDescription?: string;
  /** meta_* parameters (meta_bbb-recording-ready-url, meta_endCallbackUrl, ...), given without the prefix. */
  readonly meta?: Readonly<Record<string, string>>;
}

export interface CreatedMeeting {
  readonly meetingID: string;
  readonly internalMeetingID: string;
  /** Keep it: `join` with another createTime fails (mismatchCreateTimeParam). */
  readonly createTime: string;
  /** The meeting existed already (create is idempotent). */
  readonly duplicate: boolean;
}

export interface JoinParams {
  readonly meetingID: string;
  readonly fullName: string;
  readonly role: 'MODERATOR' | 'VIEWER';
  readonly createTime: string;
  readonly userID?: string;
  readonly guest?: boolean;
}

export interface Recording {
  readonly recordID: string;
  readonly meetingID: string;
  readonly name: string;
  readonly published: boolean;
  readonly startTime: number;
  readonly endTime: number;
  /** Playback URLs by format (presentation, video, ...). */
  readonly playback: readonly { readonly type: string; readonly url: string }[];
}

/** What BigBlueButton refused (its messageKey), or why it could not be asked, with a message for people. */
export class BbbError extends Error {
  constructor(
    readonly code: string,
    readonly userMessage: Localized,
    detail: string,
  ) {
    super(`BigBlueButton ${code}: ${detail}`);
    this.name = 'BbbError';
  }
}

const KNOWN: Readonly<Record<string, MessageKey>> = {
  checksumError: 'error.checksum',
  notFound: 'error.notFound',
  idNotUnique: 'error.idNotUnique',
  mismatchCreateTimeParam: 'error.createTime',
  meetingForciblyEnded: 'error.forciblyEnded',
  maxParticipantsReached: 'error.full',
  guestDeny: 'error.guestDeny',
};

export interface BbbClientOptions {
  /** The server's URL as `bbb-conf --secret` prints it (https://bbb.example.fr/bigbluebutton/), or Scalelite's. */
  readonly url: string;
  readonly secret: string;
  readonly algorithm?: ChecksumAlgorithm;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface BbbClient {
  /** The signed URL of an API call: every parameter in the query, the checksum over exactly that query. */
  url(call: string, params: Readonly<Record<string, string | number | boolean | undefined>>): string;
  create(params: CreateParams, documents?: readonly BbbDocument[]): Promise<CreatedMeeting>;
  /** Where the browser goes to enter the meeting (not fetched here). */
  joinUrl(params: JoinParams): string;
  insertDocument(meetingID: string, documents: readonly BbbDocument[]): Promise<void>;
  isMeetingRunning(meetingID: string): Promise<boolean>;
  end(meetingID: string): Promise<void>;
  getRecordings(meetingID: string): Promise<Recording[]>;
  deleteRecordings(recordID: string): Promise<void>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  processEntities: true,
  // A DTD in an answer is never expanded.
  htmlEntities: false,
});

/**
 * The documents as BigBlueButton takes them: an XML body built by fast-xml-parser's builder, which escapes every
 * value (`&` always, so a value that looks like an entity keeps its text; xmlbuilder2 leaves those alone).
 */
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
});
export function documentsXml(documents: readonly BbbDocument[]): string {
  const document = documents.map((d) => ({
    '@url': d.url,
    '@filename': d.filename,
    '@downloadable': String(d.downloadable),
    '@removable': 'true',
    ...(d.current ? { '@current': 'true' } : {}),
  }));
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ modules: { module: { '@name': 'presentation', document } } })}`;
}

export function createBbbClient(options: BbbClientOptions): BbbClient {
  let base: URL;
  try {
    base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`);
  } catch {
    throw new BbbError('config', t('error.config', { url: options.url }), 'the URL is not a URL');
  }
  const apiBase = base.pathname.endsWith('/api/') ? base : new URL('api/', base);
  const algorithm = options.algorithm ?? 'sha256';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? fetch;

  function url(call: string, params: Readonly<Record<string, string | number | boolean | undefined>>): string {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query.append(name, String(value));
    const text = query.toString();
    const sum = checksum(call, text, options.secret, algorithm);
    return `${apiBase.href}${call}?${text}${text ? '&' : ''}checksum=${sum}`;
  }

  async function call(
    name: string,
    params: Readonly<Record<string, string | number | boolean | undefined>>,
    body?: string,
  ): Promise<Record<string, unknown>> {
    let text: string;
    try {
      const response = await doFetch(url(name, params), {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/xml' }, body }),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
      if (!response.ok) throw new BbbError('http', t('error.unreachable'), `HTTP ${response.status} on ${name}`);
    } catch (error) {
      if (error instanceof BbbError) throw error;
      const detail =
        error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : String(error);
      throw new BbbError('unreachable', t('error.unreachable'), `${name}: ${detail}`);
    }
    if (/<!DOCTYPE|<!ENTITY/i.test(text))
      throw new BbbError('invalid', t('error.invalid'), `${name}: a DTD in the answer`);
    let response: Record<string, unknown> | undefined;
    try {
      response = (parser.parse(text) as { response?: Record<string, unknown> }).response;
    } catch (error) {
      throw new BbbError('invalid', t('error.invalid'), `${name}: ${String(error)}`);
    }
    if (!response || typeof response !== 'object')
      throw new BbbError('invalid', t('error.invalid'), `${name}: no <response>`);
    if (response.returncode !== 'SUCCESS') {
      const key = String(response.messageKey ?? 'unknown');
      const detail = String(response.message ?? '');
      const known = KNOWN[key];
      throw new BbbError(key, known ? t(known) : t('error.other', { key, message: detail }), `${name}: ${detail}`);
    }
    return response;
  }

  const flag = (value: boolean | undefined) => (value === undefined ? undefined : String(value));

  return {
    url,
    async create(params, documents = []) {
      const answer = await call(
        'create',
        {
          name: params.name,
          meetingID: params.meetingID,
          welcome: params.welcome,
          record: flag(params.record),
          autoStartRecording: params.record === undefined ? undefined : 'false',
          allowStartStopRecording: flag(params.record),
          maxParticipants: params.maxParticipants,
          muteOnStart: flag(params.muteOnStart),
          guestPolicy: params.guestPolicy,
          presentationUploadExternalUrl: params.presentationUploadExternalUrl,
          presentationUploadExternalDescription: params.presentationUploadExternalDescription,
          ...Object.fromEntries(Object.entries(params.meta ?? {}).map(([k, v]) => [`meta_${k}`, v])),
        },
        documents.length > 0 ? documentsXml(documents) : undefined,
      );
      return {
        meetingID: String(answer.meetingID ?? params.meetingID),
        internalMeetingID: String(answer.internalMeetingID ?? ''),
        createTime: String(answer.createTime ?? ''),
        duplicate: answer.messageKey === 'duplicateWarning',
      };
    },
    joinUrl: (params) =>
      url('join', {
        fullName: params.fullName,
        meetingID: params.meetingID,
        role: params.role,
        createTime: params.createTime,
        userID: params.userID,
        guest: flag(params.guest),
        redirect: 'true',
      }),
    async insertDocument(meetingID, documents) {
      await call('insertDocument', { meetingID }, documentsXml(documents));
    },
    async isMeetingRunning(meetingID) {
      return (await call('isMeetingRunning', { meetingID })).running === 'true';
    },
    async end(meetingID) {
      try {
        await call('end', { meetingID });
      } catch (error) {
        // Already ended: what was asked is true.
        if (!(error instanceof BbbError && error.code === 'notFound')) throw error;
      }
    },
    async getRecordings(meetingID) {
      const answer = await call('getRecordings', { meetingID });
      const recordings = (answer.recordings as { recording?: unknown } | undefined)?.recording;
      const list = Array.isArray(recordings) ? recordings : recordings ? [recordings] : [];
      return list.map((raw) => {
        const r = raw as Record<string, unknown>;
        const formats = (r.playback as { format?: unknown } | undefined)?.format;
        const formatList = Array.isArray(formats) ? formats : formats ? [formats] : [];
        return {
          recordID: String(r.recordID ?? ''),
          meetingID: String(r.meetingID ?? ''),
          name: String(r.name ?? ''),
          published: r.published === 'true',
          startTime: Number(r.startTime ?? 0),
          endTime: Number(r.endTime ?? 0),
          playback: formatList.map((f) => ({
            type: String((f as Record<string, unknown>).type ?? ''),
            url: String((f as Record<string, unknown>).url ?? ''),
          })),
        };
      });
    },
    async deleteRecordings(recordID) {
      await call('deleteRecordings', { recordID });
    },
  };
}
