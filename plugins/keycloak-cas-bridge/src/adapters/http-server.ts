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
import {
  callbackRefused,
  completeCallback,
  type LoginDecision,
  type LoginDeps,
  type LoginParams,
  login,
} from '../core/login.js';
import { backchannelLogout, type LogoutDecision, type LogoutDeps, logout, logoutDone } from '../core/logout.js';
import { type ProxyParams, proxy } from '../core/proxy.js';
import type { CasLoginExtra, SsoSession, TicketStore } from '../core/records.js';
import type { Registry } from '../core/registry.js';
import { assertionArtifact } from '../core/saml11.js';
import { newTicket } from '../core/tickets.js';
import { type ProxyCallback, type ValidationEndpoint, type ValidationParams, validate } from '../core/validation.js';
import type { BridgeMetrics } from './metrics.js';
import { registerGuardedMonitoring } from './monitoring.js';
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

/** Query strings and bodies the routes accept: CAS parameters are strings, given once; unknown ones are ignored. */
const strings = (...names: string[]) =>
  ({
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
  }) as const;
const LOGIN_QUERY = {
  type: 'object',
  properties: {
    ...strings('service', 'renew', 'gateway', 'warn').properties,
    method: { type: 'string', enum: ['GET', 'POST', 'HEADER'] },
  },
} as const;
/**
 * A parameter the route's schema refused (repeated, say) when the route answers in its protocol's own format
 * (`attachValidation`): treated as absent, so the protocol's rule for a missing parameter applies.
 */
function valid<T extends object>(request: FastifyRequest, source: unknown): Partial<Record<keyof T, string>> {
  const values = (source ?? {}) as Record<string, unknown>;
  const refused = new Set(
    (request.validationError?.validation ?? []).map(
      (v: { instancePath: string }) => v.instancePath.replace(/^\//, '').split('/')[0],
    ),
  );
  return Object.fromEntries(
    Object.entries(values).filter(([name, value]) => typeof value === 'string' && !refused.has(name)),
  ) as Partial<Record<keyof T, string>>;
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
      // A parameter the route's schema refused is named: "service (given twice, or not text)".
      const refused = (error as { validation?: { instancePath: string; params?: { missingProperty?: string } }[] })
        .validation?.[0];
      const what = refused
        ? `${refused.instancePath.replace(/^\//, '').split('/')[0] || refused.params?.missingProperty || 'parameter'} (given twice, or not one of the values allowed)`
        : (clientErrors[answer] ?? 'request');
      return html(reply, answer, pages.badRequest(pageCtx(request), what));
    }
    request.log.error({ err: { message, code } }, 'request failed');
    return html(reply, 500, pages.error(pageCtx(request), 'page.error.internal'));
  });

  const loginDeps: LoginDeps = {
    registry: deps.registry,
    store: deps.store,
    now,
    newTicket: (kind) => newTicket(kind),
    ticketTtlMs: deps.ticketTtlMs,
    sessionTtlMs: deps.sessionTtlMs,
  };
  const singleLogout = (session: SsoSession) => deps.singleLogout.start(session);

  /** Renders what core/login.ts decided. */
  function renderLogin(request: FastifyRequest, reply: FastifyReply, decision: LoginDecision) {
    const ctx = pageCtx(request);
    switch (decision.kind) {
      case 'bad_request':
        return html(reply, 400, pages.badRequest(ctx, decision.what));
      case 'unknown_service':
        // An unknown service gets a page and never a redirect (CAS 3.0.3, 2.1.1; open-redirect protection).
        deps.metrics.logins.inc({ outcome: 'refused' });
        return html(reply, 400, pages.unknownService(ctx));
      case 'signed_in':
        return html(reply, 200, pages.signedIn(ctx, decision.user));
      case 'refused':
        deps.metrics.logins.inc({ outcome: 'refused' });
        request.log.info(
          { serviceId: decision.serviceId, reason: decision.reason, groups: decision.groups },
          'login refused',
        );
        return html(
          reply,
          403,
          decision.reason === 'access_denied'
            ? pages.denied(ctx, decision.serviceName)
            : pages.noUsername(ctx, decision.serviceName),
        );
      case 'ticket':
        deps.metrics.logins.inc({ outcome: decision.fromNewLogin ? 'idp' : 'sso' });
        if (decision.method === 'POST') return html(reply, 200, pages.post(ctx, decision.service, decision.ticket));
        if (decision.warn)
          return html(reply, 200, pages.warn(ctx, decision.warn.serviceName, decision.warn.user, decision.destination));
        return reply.code(302).header('cache-control', 'no-store').redirect(decision.destination);
      case 'to_idp':
        throw new Error('to_idp is handled by the /login route');
    }
  }

  // A repeated or non-string parameter is refused with a 400 page naming it (the error handler).
  app.get(`${basePath}/login`, { schema: { querystring: LOGIN_QUERY } }, async (request, reply) => {
    const sessionId = request.cookies[SSO_COOKIE];
    const session = sessionId ? await deps.store.getSession(sessionId, now()) : null;
    const decision = await login(request.query as LoginParams, session, loginDeps);
    if (decision.kind !== 'to_idp') return renderLogin(request, reply, decision);
    let begun: { url: URL; cookie: string };
    try {
      begun = await loginFlow.begin({ renew: decision.renew, gateway: decision.gateway, extra: decision.extra });
    } catch (error) {
      request.log.error({ err: { message: error instanceof Error ? error.message : 'error' } }, 'IdP unreachable');
      deps.metrics.logins.inc({ outcome: 'error' });
      return html(reply, 503, pages.error(pageCtx(request), 'page.error.idpDown'));
    }
    // The login in progress lives sealed in this cookie: nothing is stored for a visitor who never comes back.
    reply.setCookie(LOGIN_COOKIE, begun.cookie, { ...cookieOptions, maxAge: Math.floor(deps.loginTtlMs / 1000) });
    return reply.code(302).header('cache-control', 'no-store').redirect(begun.url.href);
  });

  // The query string is read whole by packages/oidc-login (state, code, iss, error), which checks it.
  app.get(`${basePath}/oidc/callback`, async (request, reply) => {
    const cookie = request.cookies[LOGIN_COOKIE];
    reply.clearCookie(LOGIN_COOKIE, cookieOptions);
    const callbackUrl = new URL(`${deps.publicUrl}/oidc/callback`);
    callbackUrl.search = new URL(request.url, 'http://x').search;
    let finished: Awaited<ReturnType<typeof loginFlow.finish>>;
    try {
      // The packages/oidc-login rules: bound to this browser, state matches, not expired, single use, IdP accepts.
      finished = await loginFlow.finish(callbackUrl, cookie);
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      deps.metrics.logins.inc({ outcome: 'error' });
      const refusal = callbackRefused(
        { code: error.code, idpError: error.idpError ?? undefined, extra: error.extra as CasLoginExtra | undefined },
        deps.registry(),
      );
      if (refusal.kind === 'back_to_service') return reply.code(302).redirect(refusal.url);
      if (refusal.page === 'idp')
        request.log.warn(
          { reason: error.code, idpError: (error.idpError ?? '').slice(0, 64) },
          'OIDC callback refused',
        );
      else request.log.info({ reason: error.code }, 'login state refused');
      return html(
        reply,
        400,
        pages.error(pageCtx(request), refusal.page === 'idp' ? 'page.error.idp' : 'page.error.expired'),
      );
    }
    const { decision, session } = await completeCallback(finished.authenticated, finished.extra, loginDeps);
    reply.setCookie(SSO_COOKIE, session.id, cookieOptions);
    return renderLogin(request, reply, decision);
  });

  /**
   * OpenID Connect Back-Channel Logout 1.0 (core/logout.ts): the IdP (Keycloak: the client's "Backchannel logout
   * URL") POSTs a logout token when the person's session there ends. 200 on success, also when no session was left;
   * 400 with an OAuth error for a token that fails a check (2.8); 503 when the IdP's keys cannot be read.
   */
  app.post(
    `${basePath}/oidc/backchannel-logout`,
    {
      schema: { body: { type: 'object', properties: { logout_token: { type: 'string', maxLength: 16_384 } } } },
      attachValidation: true,
    },
    async (request, reply) => {
      const refuse = (reason: string) => {
        deps.metrics.backchannelLogouts.inc({ result: `refused_${reason}` });
        request.log.info({ reason }, 'back-channel logout refused');
        return reply
          .code(400)
          .header('cache-control', 'no-store')
          .send({ error: 'invalid_request', error_description: `logout token refused: ${reason}` });
      };
      const token = valid<{ logout_token: string }>(request, request.body).logout_token ?? '';
      let outcome: Awaited<ReturnType<typeof backchannelLogout>>;
      try {
        outcome = await backchannelLogout(token, {
          store: deps.store,
          now,
          verify: (t) => deps.idp.verifyLogoutToken(t),
          singleLogout,
        });
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
      if (outcome.kind === 'refused') return refuse(outcome.reason);
      deps.metrics.backchannelLogouts.inc({ result: outcome.sessions > 0 ? 'ended' : 'none' });
      request.log.info({ sessions: outcome.sessions }, 'back-channel logout');
      return reply.code(200).header('cache-control', 'no-store').send();
    },
  );

  const logoutDeps: LogoutDeps = {
    registry: deps.registry,
    store: deps.store,
    now,
    singleLogout,
    endSessionUrl: (idToken, returnTo) => deps.idp.endSessionUrl(idToken, returnTo),
    doneUrl: `${deps.publicUrl}/logout/done`,
  };
  const renderLogout = (request: FastifyRequest, reply: FastifyReply, decision: LogoutDecision) =>
    decision.kind === 'redirect'
      ? reply.code(302).header('cache-control', 'no-store').redirect(decision.url)
      : html(reply, 200, pages.signedOut(pageCtx(request), [...decision.frontChannel], decision.next));

  // A logout always logs out: a refused `service` (repeated, say) is only not followed.
  app.get(
    `${basePath}/logout`,
    { schema: { querystring: strings('service', 'url') }, attachValidation: true },
    async (request, reply) => {
      const sessionId = request.cookies[SSO_COOKIE];
      reply.clearCookie(SSO_COOKIE, cookieOptions);
      const { service } = valid<{ service: string }>(request, request.query);
      return renderLogout(request, reply, await logout({ sessionId, service }, logoutDeps));
    },
  );

  app.get(
    `${basePath}/logout/done`,
    { schema: { querystring: strings('state') }, attachValidation: true },
    async (request, reply) => {
      const next = logoutDone(valid<{ state: string }>(request, request.query).state, deps.registry());
      return renderLogout(request, reply, next ? { kind: 'redirect', url: next } : { kind: 'page', frontChannel: [] });
    },
  );

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

  // A refused parameter (repeated, say) counts as absent: the client gets the CAS error for it, in CAS' format.
  for (const endpoint of VALIDATION_ENDPOINTS.filter((e) => e !== 'samlValidate')) {
    app.get(
      `${basePath}/${endpoint}`,
      { schema: { querystring: strings('service', 'ticket', 'pgtUrl', 'renew', 'format') }, attachValidation: true },
      async (request, reply) =>
        answerValidation(request, reply, endpoint, valid<ValidationParams>(request, request.query)),
    );
  }

  // SAML 1.1 (CAS 3.0.3, section 4): POST with TARGET in the query and the ticket in a SOAP body.
  app.post(
    `${basePath}/samlValidate`,
    { schema: { querystring: strings('TARGET') }, attachValidation: true },
    async (request, reply) => {
      const target = valid<{ TARGET: string }>(request, request.query).TARGET;
      const artifact = typeof request.body === 'string' ? assertionArtifact(request.body) : null;
      return answerValidation(request, reply, 'samlValidate', { service: target, ticket: artifact ?? undefined });
    },
  );

  const proxyDeps = {
    registry: deps.registry,
    store: deps.store,
    now,
    newTicket: (kind: 'PT') => newTicket(kind),
    ticketTtlMs: deps.ticketTtlMs,
  };
  app.get(
    `${basePath}/proxy`,
    { schema: { querystring: strings('pgt', 'targetService', 'format') }, attachValidation: true },
    async (request, reply) => {
      const outcome = await proxy(valid<ProxyParams>(request, request.query), proxyDeps);
      deps.metrics.validations.inc({ endpoint: 'proxy', result: outcome.result });
      if (outcome.cause)
        request.log.error(
          { err: { message: outcome.cause instanceof Error ? outcome.cause.message : 'error' } },
          'proxy failed internally',
        );
      return reply.header('content-type', outcome.contentType).header('cache-control', 'no-store').send(outcome.body);
    },
  );

  app.get(`${basePath}/healthz`, async (_request, reply) => reply.type('text/plain').send('ok\n'));
  if (deps.clientJwks) {
    const jwks = deps.clientJwks;
    app.get(`${basePath}/oidc/jwks`, async (_request, reply) =>
      reply.header('content-type', 'application/jwk-set+json').header('cache-control', 'max-age=300').send(jwks),
    );
  }
  if (deps.monitoring.publicToken !== null) registerGuardedMonitoring(app, basePath, deps.monitoring.publicToken, deps);
  return app;
}
