import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Scanner } from '@apps-education/antivirus';
import {
  type BbbClient,
  type BbbDocument,
  BbbError,
  groupMeetingId,
  groupRole,
  verifyRecordingReady,
} from '@apps-education/bbb-client';
import type { DocumentStore } from '@apps-education/document-store';
import { createLoginFlow, type IdentityProvider, LoginError } from '@apps-education/oidc-login';
import { localeOf, type MonitoringDeps, registerGuardedMonitoring } from '@apps-education/service-kit';
import type { SignedLinks } from '@apps-education/signed-links';
import { checkDocument } from '@apps-education/upload-check';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import slugify from 'slugify';
import { translate } from '../core/i18n.js';
import {
  checkGuestName,
  checkRoomName,
  checkSettings,
  checkUsername,
  DEFAULT_SETTINGS,
  moveDocument,
  presentationOrder,
  type Room,
  roomMeetingId,
} from '../core/rooms.js';
import type { ServiceMetrics } from './metrics.js';
import { type PageContext, pages } from './pages.js';
import type { Repository, Session } from './repository.js';

export interface HttpServerDeps {
  readonly publicUrl: string;
  readonly repository: Repository;
  readonly bbb: BbbClient;
  /** The shared secret, for the recording-ready callback's JWT. */
  readonly bbbSecret: string;
  readonly documents: DocumentStore;
  readonly scanner: Scanner | null;
  /** Links to one document for BigBlueButton: signed, expiring. */
  readonly links: SignedLinks;
  readonly idp: IdentityProvider;
  readonly groupsClaim: string;
  /** 32-byte keys: seal the sign-in in progress; the first also keys the CSRF tokens. */
  readonly keys: readonly Uint8Array[];
  readonly metrics: ServiceMetrics;
  readonly logger: FastifyBaseLogger;
  readonly now?: () => number;
  readonly sessionMs: number;
  readonly maxBytes: number;
  readonly maxPerRoom: number;
  readonly uploadsPerMinute: number;
  readonly startsPerMinute: number;
  /** Where uploads are written while they are checked. */
  readonly tempDir: string;
  readonly dsfrDir: string;
  readonly staticDir: string;
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly monitoring: { readonly publicToken: string | null; readonly deps: MonitoringDeps };
}

const SESSION_COOKIE = 'bbb_session';
const LOGIN_COOKIE = 'bbb_login';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INVITE = /^[A-Za-z0-9_-]{22}$/;

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');

/** The content type BigBlueButton is served, from the (checked) extension. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  rtf: 'application/rtf',
  txt: 'text/plain; charset=utf-8',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odp: 'application/vnd.oasis.opendocument.presentation',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odg: 'application/vnd.oasis.opendocument.graphics',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  svg: 'image/svg+xml',
};

/** LaBoite's slug of a group name, as its groups get one (lower case, accents and punctuation removed). */
export function laboiteSlug(name: string): string {
  return slugify(name, { lower: true, strict: true, locale: 'fr', trim: true });
}

export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const base = new URL(deps.publicUrl);
  const basePath = base.pathname === '/' ? '' : base.pathname;
  const secure = base.protocol === 'https:';
  const now = deps.now ?? Date.now;
  const repo = deps.repository;
  const app = Fastify({
    loggerInstance: deps.logger,
    // No per-request lines: a document link holds its signature. The service logs what it decides, with ids only.
    logController: new LogController({ disableRequestLogging: true }),
    // Rate limits key on the session, never on a client-supplied X-Forwarded-For.
    trustProxy: false,
    bodyLimit: 64 * 1024,
    forceCloseConnections: true,
    ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
  });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  await app.register(fastifyRateLimit, { global: false });
  // An upload is the raw bytes of one file, streamed here as it arrives (never parsed or held whole).
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  await app.register(fastifyStatic, {
    root: deps.dsfrDir,
    prefix: `${basePath}/static/dsfr/`,
    decorateReply: false,
    index: false,
  });
  await app.register(fastifyStatic, {
    root: deps.staticDir,
    prefix: `${basePath}/static/`,
    decorateReply: false,
    index: false,
    allowedPath: (p) => p === '/upload.js' || p === '/app.css',
  });

  const cookieOptions = { path: basePath || '/', httpOnly: true, secure, sameSite: 'lax' as const };
  const loginFlow = createLoginFlow<{ returnTo: string }>({
    idp: deps.idp,
    keys: () => deps.keys,
    ttlMs: 10 * 60_000,
    now,
    claimOnce: (id, expiresAt) => repo.claimLogin(id, expiresAt),
  });
  const csrfKey = createHmac('sha256', deps.keys[0] ?? new Uint8Array(32))
    .update('bbb-upload csrf')
    .digest();
  const csrfOf = (sessionHash: string) => createHmac('sha256', csrfKey).update(sessionHash).digest('base64url');

  interface Visitor {
    readonly session: Session | null;
    readonly sessionHash: string | null;
    readonly ctx: PageContext;
  }
  const visitor = async (request: FastifyRequest): Promise<Visitor> => {
    const id = request.cookies[SESSION_COOKIE];
    const sessionHash = id && id.length <= 64 ? hashId(id) : null;
    const session = sessionHash ? await repo.session(sessionHash, now()) : null;
    return {
      session,
      sessionHash: session ? sessionHash : null,
      ctx: {
        locale: localeOf(request.headers['accept-language']),
        basePath,
        user: session ? { displayName: session.displayName } : null,
        csrf: session && sessionHash ? csrfOf(sessionHash) : null,
      },
    };
  };
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; form-action 'self' https: http:; frame-ancestors 'none'; base-uri 'none'",
      )
      .send(body);
  const seeOther = (reply: FastifyReply, location: string) =>
    reply.code(303).header('cache-control', 'no-store').redirect(location);

  /**
   * A state-changing request must carry this session's token (form field or X-CSRF-Token header) and must not come
   * from another site (Sec-Fetch-Site, and Origin when the browser sends it).
   */
  const sameSite = (request: FastifyRequest) => {
    // A browser's own word first (Fetch Metadata); then Origin, which is "null" under our no-referrer policy.
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined) return site === 'same-origin' || site === 'none';
    const origin = request.headers.origin;
    return origin === undefined || origin === 'null' || origin === base.origin;
  };
  const csrfOk = (request: FastifyRequest, who: Visitor) => {
    if (!who.sessionHash || !sameSite(request)) return false;
    const body = request.body as Record<string, unknown> | undefined;
    const given =
      (typeof body === 'object' && body !== null && typeof body._csrf === 'string' ? body._csrf : undefined) ??
      (typeof request.headers['x-csrf-token'] === 'string' ? request.headers['x-csrf-token'] : undefined);
    const expected = Buffer.from(csrfOf(who.sessionHash));
    return given !== undefined && given.length === expected.length && timingSafeEqual(Buffer.from(given), expected);
  };

  const notFound = (reply: FastifyReply, ctx: PageContext) =>
    html(reply, 404, pages.message(ctx, 'error', 'page.notFound.title', translate('page.notFound.body')[ctx.locale]));
  const forbidden = (reply: FastifyReply, ctx: PageContext, body: string) =>
    html(reply, 403, pages.message(ctx, 'error', 'page.forbidden.title', body));
  const toLogin = (reply: FastifyReply, returnTo: string) =>
    seeOther(reply, `${basePath}/login?returnTo=${encodeURIComponent(returnTo)}`);

  /** The signed-in owner's room, or the answer already sent (sign in, 404, 403). */
  async function ownRoom(
    request: FastifyRequest<{ Params: { roomId: string } }>,
    reply: FastifyReply,
    options: { write: boolean },
  ): Promise<{ who: Visitor & { session: Session }; room: Room } | null> {
    const who = await visitor(request);
    if (!who.session) {
      if (options.write) await forbidden(reply, who.ctx, translate('page.forbidden.csrf')[who.ctx.locale]);
      else await toLogin(reply, request.url);
      return null;
    }
    if (options.write && !csrfOk(request, who)) {
      await forbidden(reply, who.ctx, translate('page.forbidden.csrf')[who.ctx.locale]);
      return null;
    }
    const room = UUID.test(request.params.roomId)
      ? await repo.roomFor(who.session.username, request.params.roomId)
      : null;
    if (!room) {
      await notFound(reply, who.ctx);
      return null;
    }
    return { who: who as Visitor & { session: Session }, room };
  }

  const timed = async <T>(call: string, work: () => Promise<T>): Promise<T> => {
    const stop = deps.metrics.bbbCalls.startTimer({ call });
    try {
      const result = await work();
      stop({ outcome: 'ok' });
      return result;
    } catch (error) {
      stop({ outcome: 'error' });
      throw error;
    }
  };
  const bbbFailed = (request: FastifyRequest, reply: FastifyReply, ctx: PageContext, error: unknown) => {
    if (!(error instanceof BbbError)) throw error;
    request.log.warn({ code: error.code }, 'BigBlueButton refused a call');
    return html(
      reply,
      502,
      pages.message(
        ctx,
        'error',
        'page.error.title',
        translate('page.error.bbb', { details: error.userMessage[ctx.locale] })[ctx.locale],
      ),
    );
  };

  /** BigBlueButton's view of a room's documents: the chosen one first, each behind a link of its own. */
  const bbbDocuments = (room: Room, documents: Awaited<ReturnType<Repository['documents']>>): BbbDocument[] =>
    presentationOrder(documents, room.firstDocumentId).map((doc, index) => ({
      url: deps.links.sign(doc.id, now()),
      filename: doc.filename,
      downloadable: doc.downloadable,
      current: index === 0,
    }));

  app.setNotFoundHandler(async (request, reply) => notFound(reply, (await visitor(request)).ctx));
  app.setErrorHandler(async (error, request, reply) => {
    const ctx = (await visitor(request).catch(() => null))?.ctx ?? {
      locale: 'fr' as const,
      basePath,
      user: null,
      csrf: null,
    };
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      request.log.info({ err: { message: (error as Error).message }, status }, 'client error');
      const body = status === 429 ? translate('page.error.rate')[ctx.locale] : (error as Error).message;
      return html(reply, status, pages.message(ctx, 'error', 'page.badRequest.title', body));
    }
    request.log.error({ err: { message: error instanceof Error ? error.message : 'error' } }, 'request failed');
    return html(
      reply,
      500,
      pages.message(ctx, 'error', 'page.error.title', translate('page.error.internal')[ctx.locale]),
    );
  });

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  if (deps.monitoring.publicToken)
    registerGuardedMonitoring(app, basePath, deps.monitoring.publicToken, deps.monitoring.deps);

  app.get(`${basePath}/`, async (request, reply) => {
    const who = await visitor(request);
    return who.session ? seeOther(reply, `${basePath}/rooms`) : html(reply, 200, pages.home(who.ctx));
  });

  // Sign-in through Keycloak (packages/oidc-login: the login in progress is sealed in a cookie, used once).
  app.get<{ Querystring: { returnTo?: string } }>(`${basePath}/login`, async (request, reply) => {
    const wanted = typeof request.query.returnTo === 'string' ? request.query.returnTo : '';
    // Only a path of this service: never another site (open redirect).
    const returnTo =
      wanted.startsWith(`${basePath}/`) && !wanted.startsWith('//') && !/[\\\s]/.test(wanted)
        ? wanted
        : `${basePath}/rooms`;
    let begun: { url: URL; cookie: string };
    try {
      begun = await loginFlow.begin({ extra: { returnTo } });
    } catch (error) {
      request.log.error({ err: { message: error instanceof Error ? error.message : 'error' } }, 'IdP unreachable');
      const ctx = (await visitor(request)).ctx;
      return html(
        reply,
        503,
        pages.message(ctx, 'error', 'page.error.title', translate('page.error.idpDown')[ctx.locale]),
      );
    }
    reply.setCookie(LOGIN_COOKIE, begun.cookie, { ...cookieOptions, maxAge: 600 });
    return reply.code(302).header('cache-control', 'no-store').redirect(begun.url.href);
  });

  app.get(`${basePath}/oidc/callback`, async (request, reply) => {
    const cookie = request.cookies[LOGIN_COOKIE];
    reply.clearCookie(LOGIN_COOKIE, cookieOptions);
    const callbackUrl = new URL(`${deps.publicUrl}/oidc/callback`);
    callbackUrl.search = new URL(request.url, 'http://x').search;
    let finished: Awaited<ReturnType<typeof loginFlow.finish>>;
    try {
      finished = await loginFlow.finish(callbackUrl, cookie);
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      request.log.info({ reason: error.code }, 'sign-in refused');
      const ctx = (await visitor(request)).ctx;
      return html(reply, 400, pages.message(ctx, 'error', 'page.error.title', translate('page.error.idp')[ctx.locale]));
    }
    const claims = finished.authenticated.claims;
    const username = typeof claims.preferred_username === 'string' ? claims.preferred_username.toLowerCase() : '';
    const checked = checkUsername(username);
    const ctx = (await visitor(request)).ctx;
    if (!checked.ok) {
      request.log.warn({ subject: finished.authenticated.subject }, 'ID token without a usable preferred_username');
      return html(
        reply,
        403,
        pages.message(ctx, 'error', 'page.forbidden.title', translate('problem.username')[ctx.locale]),
      );
    }
    const rawGroups = claims[deps.groupsClaim];
    const groups = (Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? [rawGroups] : [])
      .filter((g): g is string => typeof g === 'string' && g.length <= 300)
      .slice(0, 2_000);
    const name =
      typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 100) : checked.value;
    const id = randomBytes(24).toString('base64url');
    await repo.createSession(hashId(id), {
      username: checked.value,
      displayName: name,
      groups,
      expiresAt: now() + deps.sessionMs,
    });
    reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: Math.floor(deps.sessionMs / 1000) });
    return seeOther(reply, finished.extra.returnTo);
  });

  app.post(`${basePath}/logout`, async (request, reply) => {
    const who = await visitor(request);
    if (who.sessionHash && csrfOk(request, who)) await repo.deleteSession(who.sessionHash);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return seeOther(reply, `${basePath}/`);
  });

  app.get(`${basePath}/rooms`, async (request, reply) => {
    const who = await visitor(request);
    if (!who.session) return toLogin(reply, `${basePath}/rooms`);
    return html(reply, 200, pages.rooms(who.ctx, await repo.roomsOf(who.session.username)));
  });

  app.post<{ Body: Record<string, unknown> }>(`${basePath}/rooms`, async (request, reply) => {
    const who = await visitor(request);
    if (!who.session || !csrfOk(request, who))
      return forbidden(reply, who.ctx, translate('page.forbidden.csrf')[who.ctx.locale]);
    const name = checkRoomName(request.body?.name);
    if (!name.ok)
      return html(
        reply,
        400,
        pages.rooms(who.ctx, await repo.roomsOf(who.session.username), translate(name.problem)[who.ctx.locale]),
      );
    const room = await repo.createRoom(who.session.username, name.value, DEFAULT_SETTINGS, now());
    request.log.info({ roomId: room.id }, 'room created');
    return seeOther(reply, `${basePath}/rooms/${room.id}`);
  });

  async function renderRoom(
    request: FastifyRequest,
    reply: FastifyReply,
    who: Visitor,
    room: Room,
    status = 200,
    notice?: { kind: 'error' | 'success'; text: string },
  ) {
    const meetingId = roomMeetingId(room.id);
    const [documents, owners, running, recordings] = await Promise.all([
      repo.documents(room.id),
      repo.owners(room.id),
      timed('isMeetingRunning', () => deps.bbb.isMeetingRunning(meetingId)).catch(() => false),
      timed('getRecordings', () => deps.bbb.getRecordings(meetingId)).catch((error: unknown) => {
        request.log.warn(
          { err: { message: error instanceof Error ? error.message : 'error' } },
          'recordings unavailable',
        );
        return [];
      }),
    ]);
    return html(
      reply,
      status,
      pages.room(who.ctx, {
        room,
        documents,
        owners,
        running,
        inviteUrl: `${deps.publicUrl}/join/${room.inviteCode}`,
        recordings: recordings.map((r) => ({
          recordId: r.recordID,
          playbackUrl: r.playback[0]?.url ?? null,
          startedAt: r.startTime,
        })),
        maxBytes: deps.maxBytes,
        notice,
      }),
    );
  }

  app.get<{ Params: { roomId: string } }>(`${basePath}/rooms/:roomId`, async (request, reply) => {
    const found = await ownRoom(request, reply, { write: false });
    if (!found) return reply;
    return renderRoom(request, reply, found.who, found.room);
  });

  app.post<{ Params: { roomId: string }; Body: Record<string, unknown> }>(
    `${basePath}/rooms/:roomId/settings`,
    async (request, reply) => {
      const found = await ownRoom(request, reply, { write: true });
      if (!found) return reply;
      const name = checkRoomName(request.body?.name);
      const settings = checkSettings(request.body ?? {});
      const problem = !name.ok ? name.problem : !settings.ok ? settings.problem : null;
      if (problem || !name.ok || !settings.ok)
        return renderRoom(request, reply, found.who, found.room, 400, {
          kind: 'error',
          text: translate(problem ?? 'problem.name')[found.who.ctx.locale],
        });
      await repo.updateRoom(found.room.id, name.value, settings.value);
      return seeOther(reply, `${basePath}/rooms/${found.room.id}`);
    },
  );

  app.post<{ Params: { roomId: string } }>(`${basePath}/rooms/:roomId/delete`, async (request, reply) => {
    const found = await ownRoom(request, reply, { write: true });
    if (!found) return reply;
    const { storageIds, recordIds } = await repo.deleteRoom(found.room.id);
    // The rows are gone first: a document whose removal fails is an orphan file, never a link that still opens.
    for (const id of storageIds)
      await deps.documents
        .delete(id)
        .catch((error: unknown) =>
          request.log.error(
            { storageId: id, err: { message: error instanceof Error ? error.message : 'error' } },
            'stored document not removed',
          ),
        );
    for (const recordId of recordIds)
      await timed('deleteRecordings', () => deps.bbb.deleteRecordings(recordId)).catch(() =>
        request.log.warn({ recordId }, 'recording not deleted at BigBlueButton'),
      );
    request.log.info({ roomId: found.room.id, documents: storageIds.length }, 'room deleted');
    return seeOther(reply, `${basePath}/rooms`);
  });

  app.post<{ Params: { roomId: string }; Body: Record<string, unknown> }>(
    `${basePath}/rooms/:roomId/owners`,
    async (request, reply) => {
      const found = await ownRoom(request, reply, { write: true });
      if (!found) return reply;
      const locale = found.who.ctx.locale;
      const username = checkUsername(request.body?.username);
      if (!username.ok)
        return renderRoom(request, reply, found.who, found.room, 400, {
          kind: 'error',
          text: translate(username.problem)[locale],
        });
      const added = await repo.addOwner(found.room.id, username.value, now());
      return renderRoom(request, reply, found.who, found.room, added ? 200 : 409, {
        kind: added ? 'success' : 'error',
        text: translate(added ? 'page.owners.added' : 'page.owners.notAdded')[locale],
      });
    },
  );

  app.post<{ Params: { roomId: string }; Body: Record<string, unknown> }>(
    `${basePath}/rooms/:roomId/owners/remove`,
    async (request, reply) => {
      const found = await ownRoom(request, reply, { write: true });
      if (!found) return reply;
      const username = checkUsername(request.body?.username);
      const outcome = username.ok ? await repo.removeOwner(found.room.id, username.value) : 'absent';
      if (outcome === 'last')
        return renderRoom(request, reply, found.who, found.room, 409, {
          kind: 'error',
          text: translate('page.owners.last')[found.who.ctx.locale],
        });
      // Removing oneself: the room is no longer theirs to see.
      return seeOther(
        reply,
        username.ok && username.value === found.who.session.username
          ? `${basePath}/rooms`
          : `${basePath}/rooms/${found.room.id}`,
      );
    },
  );

  // One document: its raw bytes (XMLHttpRequest with a progress bar), streamed to a temporary file with a byte
  // limit, checked (type from content and extension, office archives, name), scanned, then stored.
  app.put<{ Params: { roomId: string }; Querystring: { filename?: string } }>(
    `${basePath}/rooms/:roomId/documents`,
    {
      config: {
        rateLimit: {
          max: deps.uploadsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (request: FastifyRequest) => request.cookies[SESSION_COOKIE] ?? request.ip,
        },
      },
    },
    async (request, reply) => {
      const refuse = (status: number, reason: string, message: string) => {
        deps.metrics.uploads.inc({ outcome: 'refused' });
        deps.metrics.rejections.inc({ reason });
        request.log.info({ roomId: request.params.roomId, reason }, 'upload refused');
        return reply.code(status).send({ error: reason, message });
      };
      const body = request.body as NodeJS.ReadableStream | undefined;
      const drain = () => (body && 'resume' in body ? (body as { resume(): void }).resume() : undefined);
      const who = await visitor(request);
      const locale = who.ctx.locale;
      if (!who.session || !csrfOk(request, who)) {
        drain();
        return reply.code(403).send({ error: 'csrf', message: translate('page.forbidden.csrf')[locale] });
      }
      const room = UUID.test(request.params.roomId)
        ? await repo.roomFor(who.session.username, request.params.roomId)
        : null;
      if (!room) {
        drain();
        return reply.code(404).send({ error: 'not_found', message: translate('page.notFound.body')[locale] });
      }
      const filename = typeof request.query.filename === 'string' ? request.query.filename : '';
      if (!filename || !body) {
        drain();
        return refuse(400, 'no_filename', translate('problem.noFilename')[locale]);
      }
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > deps.maxBytes) {
        drain();
        return refuse(413, 'too_large', translate('problem.tooLarge', { max: deps.maxBytes })[locale]);
      }
      if ((await repo.documents(room.id)).length >= deps.maxPerRoom) {
        drain();
        return refuse(409, 'too_many', translate('problem.tooManyDocuments', { max: deps.maxPerRoom })[locale]);
      }
      const temp = join(deps.tempDir, randomBytes(16).toString('hex'));
      try {
        let received = 0;
        try {
          await pipeline(
            body,
            new Transform({
              transform(chunk: Buffer, _encoding, callback) {
                received += chunk.length;
                if (received > deps.maxBytes) callback(new Error('too large'));
                else callback(null, chunk);
              },
            }),
            createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
          );
        } catch (error) {
          if (received > deps.maxBytes) {
            reply.header('connection', 'close');
            return refuse(413, 'too_large', translate('problem.tooLarge', { max: deps.maxBytes })[locale]);
          }
          request.log.info(
            { roomId: room.id, err: { message: error instanceof Error ? error.message : 'error' } },
            'upload interrupted',
          );
          return reply.code(400).send({ error: 'interrupted', message: translate('page.upload.failed')[locale] });
        }
        const checked = await checkDocument(temp, filename, { maxBytes: deps.maxBytes });
        if (!checked.ok) return refuse(422, checked.reason, checked.message[locale]);
        if (deps.scanner) {
          const scan = await deps.scanner.scanFile(temp, checked.filename);
          if (!scan.clean) {
            if (scan.reason === 'infected') {
              request.log.warn({ roomId: room.id, signature: scan.signature }, 'infected document refused');
              return refuse(422, 'infected', scan.message[locale]);
            }
            request.log.error({ roomId: room.id, reason: scan.reason, detail: scan.detail }, 'antivirus unavailable');
            return refuse(503, `antivirus_${scan.reason}`, scan.message[locale]);
          }
        }
        // The checked file itself goes into the store (moved beside a local store, streamed up to S3).
        const stored = await deps.documents.putFile(temp, { maxBytes: deps.maxBytes });
        const document = await repo.addDocument(
          room.id,
          { storageId: stored.id, filename: checked.filename, size: stored.size, sha256: stored.sha256 },
          deps.maxPerRoom,
          now(),
        );
        if (!document) {
          await deps.documents.delete(stored.id);
          return refuse(409, 'too_many', translate('problem.tooManyDocuments', { max: deps.maxPerRoom })[locale]);
        }
        deps.metrics.uploads.inc({ outcome: 'accepted' });
        deps.metrics.uploadBytes.inc(stored.size);
        request.log.info({ roomId: room.id, documentId: document.id, size: stored.size }, 'document added');
        // A meeting in progress gets it now (insertDocument); otherwise at the next start.
        const meetingId = roomMeetingId(room.id);
        const running = await timed('isMeetingRunning', () => deps.bbb.isMeetingRunning(meetingId)).catch(() => false);
        if (running)
          await timed('insertDocument', () =>
            deps.bbb.insertDocument(meetingId, [
              {
                url: deps.links.sign(document.id, now()),
                filename: document.filename,
                downloadable: document.downloadable,
              },
            ]),
          ).catch((error: unknown) =>
            request.log.warn(
              { roomId: room.id, err: { message: error instanceof Error ? error.message : 'error' } },
              'insertDocument failed',
            ),
          );
        return reply
          .code(201)
          .send({ id: document.id, filename: document.filename, size: document.size, insertedLive: running });
      } finally {
        await rm(temp, { force: true });
      }
    },
  );

  app.post<{ Params: { roomId: string; documentId: string; action: string }; Body: Record<string, unknown> }>(
    `${basePath}/rooms/:roomId/documents/:documentId/:action`,
    async (request, reply) => {
      const found = await ownRoom(request, reply, { write: true });
      if (!found) return reply;
      const { room } = found;
      const documents = await repo.documents(room.id);
      const document = documents.find((d) => d.id === request.params.documentId);
      if (!document) return notFound(reply, found.who.ctx);
      const action = request.params.action;
      if (action === 'move') {
        const direction = request.body?.direction === 'up' ? 'up' : request.body?.direction === 'down' ? 'down' : null;
        const order = direction ? moveDocument(documents, document.id, direction) : null;
        if (!order)
          return html(reply, 400, pages.message(found.who.ctx, 'error', 'page.badRequest.title', 'direction'));
        await repo.reorder(room.id, order);
      } else if (action === 'first') await repo.setFirst(room.id, document.id);
      else if (action === 'downloadable')
        await repo.setDownloadable(room.id, document.id, request.body?.downloadable === 'on');
      else if (action === 'delete') {
        const storageId = await repo.deleteDocument(room.id, document.id);
        if (storageId)
          await deps.documents
            .delete(storageId)
            .catch((error: unknown) =>
              request.log.error(
                { storageId, err: { message: error instanceof Error ? error.message : 'error' } },
                'stored document not removed',
              ),
            );
      } else return notFound(reply, found.who.ctx);
      return seeOther(reply, `${basePath}/rooms/${room.id}`);
    },
  );

  const startLimit = {
    config: {
      rateLimit: {
        max: deps.startsPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => request.cookies[SESSION_COOKIE] ?? request.ip,
      },
    },
  };

  // Start: create with every document (idempotent: a running meeting answers duplicateWarning with its
  // createTime), then join as moderator with that createTime.
  app.post<{ Params: { roomId: string } }>(`${basePath}/rooms/:roomId/start`, startLimit, async (request, reply) => {
    const found = await ownRoom(request, reply, { write: true });
    if (!found) return reply;
    const { room, who } = found;
    const documents = await repo.documents(room.id);
    const s = room.settings;
    try {
      const meeting = await timed('create', () =>
        deps.bbb.create(
          {
            meetingID: roomMeetingId(room.id),
            name: room.name,
            ...(s.welcome ? { welcome: s.welcome } : {}),
            record: s.recordingAllowed,
            muteOnStart: s.muteOnStart,
            ...(s.maxParticipants > 0 ? { maxParticipants: s.maxParticipants } : {}),
            guestPolicy: s.waitingRoom ? 'ASK_MODERATOR' : 'ALWAYS_ACCEPT',
            presentationUploadExternalUrl: `${deps.publicUrl}/rooms/${room.id}`,
            presentationUploadExternalDescription: translate('page.documents.intro', { max: deps.maxBytes })[
              who.ctx.locale
            ],
            meta: { 'bbb-recording-ready-url': `${deps.publicUrl}/callbacks/recording-ready` },
          },
          bbbDocuments(room, documents),
        ),
      );
      deps.metrics.meetingsStarted.inc({ kind: 'room', created: meeting.duplicate ? 'false' : 'true' });
      request.log.info(
        { roomId: room.id, documents: documents.length, duplicate: meeting.duplicate },
        'meeting started',
      );
      return seeOther(
        reply,
        deps.bbb.joinUrl({
          meetingID: roomMeetingId(room.id),
          fullName: who.session.displayName,
          role: 'MODERATOR',
          createTime: meeting.createTime,
          userID: who.session.username,
        }),
      );
    } catch (error) {
      return bbbFailed(request, reply, who.ctx, error);
    }
  });

  app.post<{ Params: { roomId: string } }>(`${basePath}/rooms/:roomId/end`, async (request, reply) => {
    const found = await ownRoom(request, reply, { write: true });
    if (!found) return reply;
    try {
      await timed('end', () => deps.bbb.end(roomMeetingId(found.room.id)));
    } catch (error) {
      if (!(error instanceof BbbError && error.code === 'notFound'))
        return bbbFailed(request, reply, found.who.ctx, error);
    }
    return seeOther(reply, `${basePath}/rooms/${found.room.id}`);
  });

  app.post<{ Params: { roomId: string }; Body: Record<string, unknown> }>(
    `${basePath}/rooms/:roomId/recordings/delete`,
    async (request, reply) => {
      const found = await ownRoom(request, reply, { write: true });
      if (!found) return reply;
      const recordId = typeof request.body?.recordId === 'string' ? request.body.recordId : '';
      // Only a recording of this room's meeting: the list comes from BigBlueButton, never from the form.
      const recordings = await timed('getRecordings', () => deps.bbb.getRecordings(roomMeetingId(found.room.id))).catch(
        () => [],
      );
      if (!recordings.some((r) => r.recordID === recordId)) return notFound(reply, found.who.ctx);
      try {
        await timed('deleteRecordings', () => deps.bbb.deleteRecordings(recordId));
        await repo.forgetRecording(recordId);
      } catch (error) {
        return bbbFailed(request, reply, found.who.ctx, error);
      }
      return seeOther(reply, `${basePath}/rooms/${found.room.id}`);
    },
  );

  // Guests: the invitation link, a name, and the meeting once it runs (as viewers; guests wait when enabled).
  app.get<{ Params: { code: string } }>(`${basePath}/join/:code`, async (request, reply) => {
    const who = await visitor(request);
    const room = INVITE.test(request.params.code) ? await repo.roomByInvite(request.params.code) : null;
    if (!room) return notFound(reply, who.ctx);
    return html(reply, 200, pages.guest(who.ctx, room, request.params.code));
  });

  // Guests of one room share a limit: a class behind one school address must all get in, a flood must not reach
  // BigBlueButton.
  const guestLimit = {
    config: {
      rateLimit: {
        max: deps.startsPerMinute * 30,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => `join:${(request.params as { code?: string }).code ?? ''}`,
      },
    },
  };
  app.post<{ Params: { code: string }; Body: Record<string, unknown> }>(
    `${basePath}/join/:code`,
    guestLimit,
    async (request, reply) => {
      const who = await visitor(request);
      if (!sameSite(request)) return forbidden(reply, who.ctx, translate('page.forbidden.csrf')[who.ctx.locale]);
      const room = INVITE.test(request.params.code) ? await repo.roomByInvite(request.params.code) : null;
      if (!room) return notFound(reply, who.ctx);
      const name = checkGuestName(request.body?.name);
      if (!name.ok)
        return html(
          reply,
          400,
          pages.guest(who.ctx, room, request.params.code, translate(name.problem)[who.ctx.locale]),
        );
      const meetingId = roomMeetingId(room.id);
      const running = await timed('isMeetingRunning', () => deps.bbb.isMeetingRunning(meetingId)).catch(() => false);
      if (!running)
        return html(
          reply,
          200,
          pages.guest(who.ctx, room, request.params.code, translate('page.guest.notStarted')[who.ctx.locale]),
        );
      try {
        // create on a running meeting changes nothing and gives its createTime (duplicateWarning).
        const meeting = await timed('create', () => deps.bbb.create({ meetingID: meetingId, name: room.name }));
        return seeOther(
          reply,
          deps.bbb.joinUrl({
            meetingID: meetingId,
            fullName: name.value,
            role: 'VIEWER',
            createTime: meeting.createTime,
            ...(room.settings.waitingRoom ? { guest: true } : {}),
          }),
        );
      } catch (error) {
        return bbbFailed(request, reply, who.ctx, error);
      }
    },
  );

  // The link LaBoite shows for a group: one click starts or joins the group's visio, with the role the groups claim
  // gives (admin and animator: moderator; member: viewer; anyone else: refused).
  app.get<{ Params: { groupId: string }; Querystring: { name?: string; slug?: string } }>(
    `${basePath}/groups/:groupId`,
    startLimit,
    async (request, reply) => {
      const who = await visitor(request);
      if (!who.session) return toLogin(reply, request.url);
      const groupName = typeof request.query.name === 'string' ? request.query.name.trim().slice(0, 90) : '';
      const slug =
        typeof request.query.slug === 'string' && request.query.slug ? request.query.slug : laboiteSlug(groupName);
      const meetingId = groupName || request.query.slug ? groupMeetingId(request.params.groupId, slug) : null;
      if (!meetingId)
        return html(
          reply,
          400,
          pages.message(who.ctx, 'error', 'page.badRequest.title', translate('page.group.badLink')[who.ctx.locale]),
        );
      const role = groupRole(who.session.groups, slug);
      if (!role) {
        request.log.info({ groupId: request.params.groupId }, 'group visio refused');
        return forbidden(reply, who.ctx, translate('page.group.refused', { name: groupName || slug })[who.ctx.locale]);
      }
      try {
        const meeting = await timed('create', () =>
          deps.bbb.create({
            meetingID: meetingId,
            name: groupName || slug,
            guestPolicy: 'ASK_MODERATOR',
            meta: { 'bbb-recording-ready-url': `${deps.publicUrl}/callbacks/recording-ready` },
          }),
        );
        const started = meeting.duplicate
          ? false
          : await repo.groupMeetingStarted(
              { meetingId, groupId: request.params.groupId, name: groupName || slug, createTime: meeting.createTime },
              now(),
              (tx) =>
                tx.enqueue({
                  specVersion: 1,
                  id: randomUUID(),
                  type: 'meeting.started',
                  occurredAt: new Date(now()).toISOString(),
                  source: 'bbb-upload',
                  recipients: { users: [], groups: [request.params.groupId] },
                  data: {
                    roomName: groupName || slug,
                    groupName: groupName || slug,
                    joinUrl: `${deps.publicUrl}${request.url}`,
                  },
                }),
            );
        deps.metrics.meetingsStarted.inc({ kind: 'group', created: started ? 'true' : 'false' });
        return seeOther(
          reply,
          deps.bbb.joinUrl({
            meetingID: meetingId,
            fullName: who.session.displayName,
            role,
            createTime: meeting.createTime,
            userID: who.session.username,
          }),
        );
      } catch (error) {
        return bbbFailed(request, reply, who.ctx, error);
      }
    },
  );

  // What BigBlueButton fetches: one document, through a link signed for it alone and expiring; each fetch logged
  // with ids (never the file's name).
  app.get<{ Params: { documentId: string }; Querystring: Record<string, string> }>(
    `${basePath}/documents/:documentId`,
    async (request, reply) => {
      const refusal = UUID.test(request.params.documentId)
        ? deps.links.check(request.params.documentId, request.query, now())
        : 'malformed';
      if (refusal) {
        deps.metrics.documentFetches.inc({ outcome: 'refused' });
        request.log.info(
          { documentId: request.params.documentId.slice(0, 40), reason: refusal },
          'document link refused',
        );
        return reply.code(403).type('text/plain').send(`forbidden: ${refusal}\n`);
      }
      const document = await repo.document(request.params.documentId);
      const opened = document ? await deps.documents.open(document.storageId) : null;
      if (!document || !opened) {
        deps.metrics.documentFetches.inc({ outcome: 'refused' });
        return reply.code(404).type('text/plain').send('not found\n');
      }
      deps.metrics.documentFetches.inc({ outcome: 'served' });
      request.log.info({ documentId: document.id, roomId: document.roomId }, 'document fetched');
      const extension = document.filename.split('.').pop()?.toLowerCase() ?? '';
      return reply
        .header('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream')
        .header('content-length', String(opened.size))
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(document.filename)}`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(opened.stream);
    },
  );

  // meta_bbb-recording-ready-url: BigBlueButton POSTs signed_parameters, a JWT (HS256, the shared secret).
  app.post<{ Body: Record<string, unknown> }>(`${basePath}/callbacks/recording-ready`, async (request, reply) => {
    let ready: { meetingID: string; recordID: string };
    try {
      ready = await verifyRecordingReady(request.body?.signed_parameters, deps.bbbSecret);
    } catch (error) {
      request.log.warn(
        { reason: error instanceof Error ? error.message : 'error' },
        'recording-ready callback refused',
      );
      return reply.code(401).type('text/plain').send('invalid signed_parameters\n');
    }
    const roomId = /^room-([0-9a-f-]{36})$/.exec(ready.meetingID)?.[1] ?? null;
    const room = roomId ? await repo.roomById(roomId) : null;
    const groupId = room ? null : await repo.groupOfMeeting(ready.meetingID);
    if (!room && !groupId) {
      request.log.info({ meetingId: ready.meetingID.slice(0, 80) }, 'recording of an unknown meeting');
      return reply.code(200).type('text/plain').send('ignored\n');
    }
    // The playback link, from BigBlueButton itself (before the transaction: no network call inside it).
    const playbackUrl = groupId
      ? ((await timed('getRecordings', () => deps.bbb.getRecordings(ready.meetingID)).catch(() => [])).find(
          (r) => r.recordID === ready.recordID,
        )?.playback[0]?.url ?? null)
      : null;
    const groupName = groupId ? await repo.groupMeetingName(ready.meetingID) : null;
    await repo.recordingReady(
      { recordId: ready.recordID, meetingId: ready.meetingID, roomId: room?.id ?? null, groupId },
      now(),
      groupId && playbackUrl
        ? (tx) =>
            tx.enqueue({
              specVersion: 1,
              id: randomUUID(),
              type: 'recording.ready',
              occurredAt: new Date(now()).toISOString(),
              source: 'bbb-upload',
              recipients: { users: [], groups: [groupId] },
              data: { roomName: groupName ?? ready.meetingID, playbackUrl },
            })
        : null,
    );
    request.log.info({ recordId: ready.recordID, roomId: room?.id, groupId }, 'recording ready');
    return reply.code(200).type('text/plain').send('ok\n');
  });

  return app;
}
