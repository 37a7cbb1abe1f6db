import { createHash, timingSafeEqual } from 'node:crypto';
import { createLoginFlow, type IdentityProvider, LoginError, LogoutTokenError } from '@apps-education/oidc-login';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { VALIDATION_ENDPOINTS } from '../core/checks/context.js';
import { groupsOf, principalFor, serviceTicket } from '../core/issue.js';
import { proxy } from '../core/proxy.js';
import type { CasLoginExtra, SessionClaims, SsoSession, TicketStore } from '../core/records.js';
import type { RegisteredService, Registry } from '../core/registry.js';
import { assertionArtifact } from '../core/saml11.js';
import { parseServiceUrl, type ServiceUrl } from '../core/service-url.js';
import { newTicket } from '../core/tickets.js';
import { type ProxyCallback, type ValidationEndpoint, type ValidationParams, validate } from '../core/validation.js';
import type { BridgeMetrics } from './metrics.js';
import { localeOf, type PageContext, pages } from './pages.js';
import type { SingleLogout } from './single-logout.js';

export interface HttpServerDeps {
  readonly publicUrl: string;
  readonly registry: () => Registry;
  readonly store: TicketStore;
  readonly idp: IdentityProvider;
  readonly singleLogout: SingleLogout;
  readonly proxyCallback: ProxyCallback;
  readonly metrics: BridgeMetrics;
  readonly logger: FastifyBaseLogger;
  readonly now?: () => number;
  readonly ticketTtlMs: number;
  readonly sessionTtlMs: number;
  readonly loginTtlMs: number;
  readonly unsafeAllowHttpPgtUrl: boolean;
  /** Where DSFR's dist/ is (its CSS, fonts, icons). */
  readonly dsfrDir: string;
  readonly staticDir: string;
  /** PEM certificate and key to serve https directly. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * Where /readyz and /metrics are served: on their own listener (`separate`: the caller starts it with
   * buildMonitoringServer), or on this server to a bearer token.
   */
  readonly monitoring: { readonly publicToken: string | null };
  /** With private_key_jwt, the bridge's public key for the IdP (Keycloak's "Use JWKS URL"), served at /oidc/jwks. */
  readonly clientJwks?: { readonly keys: readonly Record<string, unknown>[] } | null;
}

export const SSO_COOKIE = 'CASTGC';
const LOGIN_COOKIE = 'cas_login';

/** A CAS parameter: a string once, or absent. A repeated or non-string parameter is `null` (refused by callers). */
function param(query: unknown, name: string): string | undefined | null {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}
const isTrue = (value: string | undefined | null) => value !== undefined && value !== null && value !== 'false';

/** Claims kept in the session: those some service may receive, and no other (GDPR minimisation). */
function keptClaims(registry: Registry, claims: SessionClaims): SessionClaims {
  const wanted = new Set(['sub', 'preferred_username', 'groups']);
  for (const service of registry.services) {
    wanted.add(service.usernameAttribute);
    for (const claim of Object.values(service.attributes)) wanted.add(claim);
  }
  return Object.fromEntries(Object.entries(claims).filter(([name]) => wanted.has(name)));
}

function withTicket(service: ServiceUrl, ticket: string): string {
  return `${service.href}${service.href.includes('?') ? '&' : '?'}ticket=${ticket}`;
}

export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const base = new URL(deps.publicUrl);
  const basePath = base.pathname === '/' ? '' : base.pathname;
  const secure = base.protocol === 'https:';
  const now = deps.now ?? Date.now;
  const app = Fastify({
    loggerInstance: deps.logger,
    // No per-request lines: a request URL can hold a ticket. The bridge logs what it decides, with ids only.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: 64 * 1024,
    forceCloseConnections: true,
    ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
  });
  // Every route the bridge serves, for the fuzz test (which derives its endpoints from here, not from a copy).
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.decorate('casRoutes', routes);
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  app.addContentTypeParser(
    ['text/xml', 'application/xml', 'application/soap+xml'],
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => done(null, body),
  );
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
    allowedPath: (p) => p === '/autosubmit.js',
  });

  const pageCtx = (request: FastifyRequest): PageContext => ({
    locale: localeOf(request.headers['accept-language']),
    basePath,
  });
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
        "default-src 'self'; img-src 'self' data:; frame-src https: http:; form-action https: http:; frame-ancestors 'none'; base-uri 'none'",
      )
      .send(body);
  const cookieOptions = { path: basePath || '/', httpOnly: true, secure, sameSite: 'lax' as const };
  const loginFlow = createLoginFlow<CasLoginExtra>({
    idp: deps.idp,
    keys: () => deps.store.loginKeys(),
    ttlMs: deps.loginTtlMs,
    now,
    claimOnce: (id, expiresAt) => deps.store.claimOnce(id, expiresAt),
  });

  app.setNotFoundHandler((request, reply) =>
    html(reply, 404, pages.badRequest(pageCtx(request), request.url.split('?')[0] ?? '')),
  );
  // A client's mistake (malformed JSON or multipart, a body over the limit, an unsupported content type, a path
  // outside /static, a client gone mid-request) keeps its 4xx status and is logged at info: only the bridge's own
  // failures are 500 and error lines. The page names what was wrong in words, never the internal message.
  const clientErrors: Record<number, string> = {
    400: 'malformed body',
    403: 'path',
    404: 'path',
    405: 'method',
    413: 'body too large (64 KiB at most)',
    415: 'content type',
  };
  app.setErrorHandler((error, request, reply) => {
    const message = error instanceof Error ? error.message : 'error';
    const code = (error as { code?: string }).code;
    const status = (error as { statusCode?: unknown }).statusCode;
    const aborted = request.raw.destroyed || code === 'ECONNRESET' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH';
    if (aborted || (typeof status === 'number' && status >= 400 && status < 500)) {
      const answer = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
      request.log.info({ err: { message, code }, status: answer }, 'client error');
      return html(reply, answer, pages.badRequest(pageCtx(request), clientErrors[answer] ?? 'request'));
    }
    request.log.error({ err: { message, code } }, 'request failed');
    return html(reply, 500, pages.error(pageCtx(request), 'page.error.internal'));
  });

  /** Issues a service ticket from the session and sends the browser to the service. */
  async function completeLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    session: SsoSession,
    target: { url: ServiceUrl; registered: RegisteredService } | null,
    options: { fromNewLogin: boolean; warn: boolean; method: 'GET' | 'POST' },
  ) {
    const ctx = pageCtx(request);
    const displayUser = String(session.claims.preferred_username ?? session.subject);
    if (target === null) return html(reply, 200, pages.signedIn(ctx, displayUser));
    const principal = principalFor(target.registered, session.claims);
    if (!principal.ok) {
      deps.metrics.logins.inc({ outcome: 'refused' });
      request.log.info(
        { serviceId: target.registered.id, reason: principal.reason, groups: groupsOf(session.claims).length },
        'login refused',
      );
      return html(
        reply,
        403,
        principal.reason === 'access_denied'
          ? pages.denied(ctx, target.registered.name)
          : pages.noUsername(ctx, target.registered.name),
      );
    }
    const ticket = serviceTicket({
      id: newTicket('ST'),
      service: target.url,
      registered: target.registered,
      session,
      principal: principal.principal,
      fromNewLogin: options.fromNewLogin,
      now: now(),
      ttlMs: deps.ticketTtlMs,
    });
    await deps.store.putTicket(ticket);
    await deps.store.addSessionService(
      session.id,
      { service: target.url.href, serviceId: target.registered.id, ticket: ticket.id },
      now(),
    );
    deps.metrics.logins.inc({ outcome: options.fromNewLogin ? 'idp' : 'sso' });
    if (options.method === 'POST') return html(reply, 200, pages.post(ctx, target.url.href, ticket.id));
    const destination = withTicket(target.url, ticket.id);
    if (options.warn) return html(reply, 200, pages.warn(ctx, target.registered.name, displayUser, destination));
    return reply.code(302).header('cache-control', 'no-store').redirect(destination);
  }

  app.get(`${basePath}/login`, async (request, reply) => {
    const ctx = pageCtx(request);
    const q = Object.fromEntries(
      ['service', 'renew', 'gateway', 'warn', 'method'].map((n) => [n, param(request.query, n)]),
    );
    const bad = Object.entries(q).find(([, v]) => v === null);
    if (bad) return html(reply, 400, pages.badRequest(ctx, `${bad[0]} (repeated)`));
    if (q.method !== undefined && !['GET', 'POST', 'HEADER'].includes(q.method ?? ''))
      return html(reply, 400, pages.badRequest(ctx, 'method'));
    let target: { url: ServiceUrl; registered: RegisteredService } | null = null;
    if (q.service !== undefined) {
      const parsed = parseServiceUrl(q.service ?? '');
      const registered = parsed.ok ? deps.registry().find(parsed.url) : undefined;
      // An unknown service gets a page and never a redirect (CAS 3.0.3, 2.1.1; open-redirect protection).
      if (!parsed.ok || !registered) {
        deps.metrics.logins.inc({ outcome: 'refused' });
        return html(reply, 400, pages.unknownService(ctx));
      }
      target = { url: parsed.url, registered };
    }
    const renew = isTrue(q.renew) || (target?.registered.forceRenew ?? false);
    // renew takes precedence over gateway (CAS 3.0.3, 2.1.1).
    const gateway = isTrue(q.gateway) && !renew;
    const warn = isTrue(q.warn);
    const method = q.method === 'POST' ? 'POST' : 'GET';
    const sessionId = request.cookies[SSO_COOKIE];
    const session = sessionId ? await deps.store.getSession(sessionId, now()) : null;
    if (session && !renew) return completeLogin(request, reply, session, target, { fromNewLogin: false, warn, method });

    let login: { url: URL; cookie: string };
    try {
      login = await loginFlow.begin({
        renew,
        gateway,
        extra: {
          service: target?.url.href ?? null,
          gateway,
          warn,
          method,
          previousSessionId: session?.id ?? null,
        },
      });
    } catch (error) {
      request.log.error({ err: { message: error instanceof Error ? error.message : 'error' } }, 'IdP unreachable');
      deps.metrics.logins.inc({ outcome: 'error' });
      return html(reply, 503, pages.error(ctx, 'page.error.idpDown'));
    }
    // The login in progress lives sealed in this cookie: nothing is stored for a visitor who never comes back.
    reply.setCookie(LOGIN_COOKIE, login.cookie, { ...cookieOptions, maxAge: Math.floor(deps.loginTtlMs / 1000) });
    return reply.code(302).header('cache-control', 'no-store').redirect(login.url.href);
  });

  app.get(`${basePath}/oidc/callback`, async (request, reply) => {
    const ctx = pageCtx(request);
    const cookie = request.cookies[LOGIN_COOKIE];
    reply.clearCookie(LOGIN_COOKIE, cookieOptions);
    const registry = deps.registry();
    const targetOf = (extra: CasLoginExtra) => {
      const serviceUrl = extra.service === null ? null : parseServiceUrl(extra.service);
      const registered = serviceUrl?.ok ? registry.find(serviceUrl.url) : undefined;
      return serviceUrl?.ok && registered ? { url: serviceUrl.url, registered } : null;
    };
    const callbackUrl = new URL(`${deps.publicUrl}/oidc/callback`);
    callbackUrl.search = new URL(request.url, 'http://x').search;
    let finished: Awaited<ReturnType<typeof loginFlow.finish>>;
    try {
      // The packages/oidc-login rules: bound to this browser, state matches, not expired, single use, IdP accepts.
      finished = await loginFlow.finish(callbackUrl, cookie);
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      deps.metrics.logins.inc({ outcome: 'error' });
      const extra = error.extra as CasLoginExtra | undefined;
      if (error.code === 'idp_refused' && extra) {
        // gateway: no session at the IdP either; back to the service without a ticket (CAS 3.0.3, 2.1.1).
        const target = targetOf(extra);
        if (
          extra.gateway &&
          target &&
          ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'].includes(
            error.idpError ?? '',
          )
        ) {
          return reply.code(302).redirect(target.url.href);
        }
        request.log.warn({ idpError: (error.idpError ?? '').slice(0, 64) }, 'IdP returned an error');
        return html(reply, 400, pages.error(ctx, 'page.error.idp'));
      }
      if (error.code === 'idp_error') {
        request.log.warn({ err: { message: error.message } }, 'OIDC callback refused');
        return html(reply, 400, pages.error(ctx, 'page.error.idp'));
      }
      request.log.info({ reason: error.code }, 'login state refused');
      return html(reply, 400, pages.error(ctx, 'page.error.expired'));
    }
    const { authenticated, extra } = finished;
    const target = targetOf(extra);
    const previous = extra.previousSessionId ? await deps.store.deleteSession(extra.previousSessionId) : null;
    const session: SsoSession = {
      id: newTicket('TGC'),
      subject: authenticated.subject,
      claims: keptClaims(registry, authenticated.claims),
      authenticationDate: new Date(now()).toISOString(),
      idToken: authenticated.idToken,
      idpSessionId: authenticated.idpSessionId,
      services: previous?.services ?? [],
      expiresAt: now() + deps.sessionTtlMs,
    };
    await deps.store.putSession(session);
    reply.setCookie(SSO_COOKIE, session.id, cookieOptions);
    return completeLogin(request, reply, session, target, {
      fromNewLogin: true,
      warn: extra.warn,
      method: extra.method,
    });
  });

  /**
   * OpenID Connect Back-Channel Logout 1.0: the IdP (Keycloak: the client's "Backchannel logout URL") POSTs a logout
   * token when the person's session there ends (logout from LaBoite or Keycloak). The token is checked
   * (packages/oidc-login, logout-token.ts), its jti claimed once in the store (a replay ends nothing twice, on any
   * replica), then every CAS session of that IdP session (or subject) ends and its services get CAS single logout.
   * 200 on success, also when no session was left; 400 with an OAuth error for a token that fails a check (2.8);
   * 503 when the IdP's keys cannot be read.
   */
  app.post(`${basePath}/oidc/backchannel-logout`, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.logout_token === 'string' ? body.logout_token : null;
    const refuse = (reason: string) => {
      deps.metrics.backchannelLogouts.inc({ result: `refused_${reason}` });
      request.log.info({ reason }, 'back-channel logout refused');
      return reply
        .code(400)
        .header('cache-control', 'no-store')
        .send({ error: 'invalid_request', error_description: `logout token refused: ${reason}` });
    };
    if (token === null || token.length > 16_384) return refuse('missing');
    let logout: Awaited<ReturnType<IdentityProvider['verifyLogoutToken']>>;
    try {
      logout = await deps.idp.verifyLogoutToken(token);
    } catch (error) {
      if (error instanceof LogoutTokenError && error.code !== 'unavailable') return refuse(error.code);
      // The IdP's discovery or keys could not be read: its trouble, not the token's (nothing ended).
      deps.metrics.backchannelLogouts.inc({ result: 'unavailable' });
      request.log.warn({ err: error }, 'back-channel logout: the identity provider keys are unreachable');
      return reply.code(503).header('cache-control', 'no-store').header('retry-after', '5').send({
        error: 'temporarily_unavailable',
        error_description: 'the identity provider keys could not be read',
      });
    }
    if (!(await deps.store.claimOnce(`logout:${logout.jti}`, logout.replayUntil))) return refuse('replayed');
    const ids = await deps.store.sessionsOf({ subject: logout.subject, idpSessionId: logout.sessionId }, now());
    for (const id of ids) {
      const session = await deps.store.deleteSession(id);
      // Back-channel single logout to its services; front-channel ones need a browser, which is not here.
      if (session) deps.singleLogout.start(session).backChannel.catch(() => undefined);
    }
    deps.metrics.backchannelLogouts.inc({ result: ids.length > 0 ? 'ended' : 'none' });
    request.log.info({ sessions: ids.length }, 'back-channel logout');
    return reply.code(200).header('cache-control', 'no-store').send();
  });

  app.get(`${basePath}/logout`, async (request, reply) => {
    const ctx = pageCtx(request);
    const sessionId = request.cookies[SSO_COOKIE];
    reply.clearCookie(SSO_COOKIE, cookieOptions);
    const session = sessionId ? await deps.store.deleteSession(sessionId) : null;
    const service = param(request.query, 'service');
    // `url` is ignored (CAS 3.0.3, 2.3.1); `service` is followed only when registered.
    const parsed = typeof service === 'string' ? parseServiceUrl(service) : null;
    const next = parsed?.ok && deps.registry().find(parsed.url) ? parsed.url.href : null;
    let frontChannel: string[] = [];
    if (session) {
      const slo = deps.singleLogout.start(session);
      frontChannel = slo.frontChannel;
      slo.backChannel.catch(() => undefined);
      const done = new URL(`${deps.publicUrl}/logout/done`);
      const endSession = await deps.idp.endSessionUrl(session.idToken, done.href).catch(() => null);
      if (endSession && next) endSession.searchParams.set('state', Buffer.from(next).toString('base64url'));
      if (endSession && frontChannel.length === 0) return reply.code(302).redirect(endSession.href);
      if (endSession) return html(reply, 200, pages.signedOut(ctx, frontChannel, endSession.href));
    }
    if (next && frontChannel.length === 0) return reply.code(302).redirect(next);
    return html(reply, 200, pages.signedOut(ctx, frontChannel, next ?? undefined));
  });

  app.get(`${basePath}/logout/done`, async (request, reply) => {
    const state = param(request.query, 'state');
    const decoded = typeof state === 'string' ? Buffer.from(state, 'base64url').toString('utf8') : '';
    const parsed = parseServiceUrl(decoded);
    // The state came back through the IdP: checked against the registry again before any redirect.
    if (parsed.ok && deps.registry().find(parsed.url)) return reply.code(302).redirect(parsed.url.href);
    return html(reply, 200, pages.signedOut(pageCtx(request)));
  });

  const validationDeps = {
    registry: deps.registry,
    store: deps.store,
    now,
    newTicket: (kind: 'PGT' | 'PGTIOU') => newTicket(kind),
    proxyCallback: deps.proxyCallback,
    unsafeAllowHttpPgtUrl: deps.unsafeAllowHttpPgtUrl,
    issuer: base.host,
  };
  async function answerValidation(
    request: FastifyRequest,
    reply: FastifyReply,
    endpoint: ValidationEndpoint,
    params: ValidationParams,
  ) {
    const started = performance.now();
    const outcome = await validate(endpoint, params, validationDeps);
    deps.metrics.validationDuration.observe((performance.now() - started) / 1000);
    deps.metrics.validations.inc({ endpoint, result: outcome.result });
    if (outcome.cause)
      request.log.error(
        { err: { message: outcome.cause instanceof Error ? outcome.cause.message : 'error' }, endpoint },
        'validation failed internally',
      );
    return reply
      .code(outcome.status)
      .header('content-type', outcome.contentType)
      .header('cache-control', 'no-store')
      .send(outcome.body);
  }

  for (const endpoint of VALIDATION_ENDPOINTS.filter((e) => e !== 'samlValidate')) {
    app.get(`${basePath}/${endpoint}`, async (request, reply) => {
      const read = (name: string) => param(request.query, name) ?? undefined;
      return answerValidation(request, reply, endpoint, {
        service: read('service'),
        ticket: read('ticket'),
        pgtUrl: read('pgtUrl'),
        renew: read('renew'),
        format: read('format'),
      });
    });
  }

  // SAML 1.1 (CAS 3.0.3, section 4): POST with TARGET in the query and the ticket in a SOAP body.
  app.post(`${basePath}/samlValidate`, async (request, reply) => {
    const target = param(request.query, 'TARGET') ?? undefined;
    const artifact = typeof request.body === 'string' ? assertionArtifact(request.body) : null;
    return answerValidation(request, reply, 'samlValidate', { service: target, ticket: artifact ?? undefined });
  });

  app.get(`${basePath}/proxy`, async (request, reply) => {
    const read = (name: string) => param(request.query, name) ?? undefined;
    const outcome = await proxy(
      { pgt: read('pgt'), targetService: read('targetService'), format: read('format') },
      {
        registry: deps.registry,
        store: deps.store,
        now,
        newTicket: (kind) => newTicket(kind),
        ticketTtlMs: deps.ticketTtlMs,
      },
    );
    deps.metrics.validations.inc({ endpoint: 'proxy', result: outcome.result });
    if (outcome.cause)
      request.log.error(
        { err: { message: outcome.cause instanceof Error ? outcome.cause.message : 'error' } },
        'proxy failed internally',
      );
    return reply.header('content-type', outcome.contentType).header('cache-control', 'no-store').send(outcome.body);
  });

  app.get(`${basePath}/healthz`, async (_request, reply) => reply.type('text/plain').send('ok\n'));
  if (deps.clientJwks) {
    const jwks = deps.clientJwks;
    app.get(`${basePath}/oidc/jwks`, async (_request, reply) =>
      reply.header('content-type', 'application/jwk-set+json').header('cache-control', 'max-age=300').send(jwks),
    );
  }
  if (deps.monitoring.publicToken !== null) {
    const expected = createHash('sha256').update(deps.monitoring.publicToken).digest();
    // Constant-time: both sides hashed to the same length first.
    const allowed = (request: FastifyRequest) => {
      const given = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      return given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
    };
    const guarded =
      (handler: (reply: FastifyReply) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
        if (!allowed(request))
          return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('token required\n');
        return handler(reply);
      };
    app.get(
      `${basePath}/readyz`,
      guarded((reply) => readiness(deps, reply)),
    );
    app.get(
      `${basePath}/metrics`,
      guarded((reply) => exposition(deps, reply)),
    );
  }

  return app;
}

type MonitoringDeps = Pick<HttpServerDeps, 'store' | 'idp' | 'metrics' | 'logger'>;

async function readiness(deps: MonitoringDeps, reply: FastifyReply) {
  const timeout = <T>(p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000))]);
  const checks = await Promise.allSettled([timeout(deps.store.ping()), timeout(deps.idp.ready())]);
  const [store, idp] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unavailable'));
  const ready = store === 'ok' && idp === 'ok';
  return reply.code(ready ? 200 : 503).send({ ready, store, idp });
}

async function exposition(deps: MonitoringDeps, reply: FastifyReply) {
  return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
}

/** The monitoring listener: /readyz and /metrics (and /healthz), at the root of an address of their own. */
export async function buildMonitoringServer(deps: MonitoringDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', (_request, reply) => readiness(deps, reply));
  app.get('/metrics', (_request, reply) => exposition(deps, reply));
  return app;
}
