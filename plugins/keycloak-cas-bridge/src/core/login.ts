import { groupsOf, principalFor, serviceTicket } from './issue.js';
import type { CasLoginExtra, CoreDeps, SessionClaims, SsoSession } from './records.js';
import type { RegisteredService, Registry } from './registry.js';
import { parseServiceUrl, type ServiceUrl } from './service-url.js';

/**
 * `/login` and the return from the IdP (CAS 3.0.3, 2.1 and 2.2) as step pipelines, in the table style of
 * validation.ts: each step reads and fills the context, and the first step that decides ends the pipeline. The
 * adapter (adapters/http-server.ts) reads the cookies and parameters, runs the OpenID Connect flow of
 * packages/oidc-login when told to, and renders the decision as a page or a redirect.
 *
 * | step               | /login | callback | rule                                                                        |
 * |--------------------|--------|----------|-----------------------------------------------------------------------------|
 * | readModes          | x      |          | method is GET, POST or HEADER; renew beats gateway (2.1.1); forced renew    |
 * | resolveService     | x      |          | a service must be registered: else a page, never a redirect (2.1.1)         |
 * | resumeService      |        | x        | the service sealed in the login state, checked against today's registry     |
 * | useSsoSession      | x      |          | an SSO session and no renew: straight to the service                        |
 * | goToIdp            | x      |          | else to the IdP, what to do on return sealed in the login state             |
 * | openSession        |        | x        | a new SSO session with only the claims some service receives; a renewed one |
 * |                    |        |          | is replaced, its services carried over (they get single logout)             |
 * | issueServiceTicket | x      | x        | no service: signed-in page; access gate and username (403 page); else an ST |
 * |                    |        |          | bound to the service, remembered in the session for single logout           |
 */

export interface LoginDeps extends CoreDeps {
  readonly newTicket: (kind: 'ST' | 'TGC') => string;
  readonly ticketTtlMs: number;
  readonly sessionTtlMs: number;
}

/** /login's parameters as received (a repeated one has been refused by the route's schema). */
export interface LoginParams {
  readonly service?: string;
  readonly renew?: string;
  readonly gateway?: string;
  readonly warn?: string;
  readonly method?: string;
}

export type LoginDecision =
  | { readonly kind: 'bad_request'; readonly what: string }
  | { readonly kind: 'unknown_service' }
  | { readonly kind: 'signed_in'; readonly user: string }
  | {
      readonly kind: 'refused';
      readonly reason: 'access_denied' | 'no_username';
      readonly serviceId: string;
      readonly serviceName: string;
      /** How many groups the person has (for the log: never which). */
      readonly groups: number;
    }
  | {
      readonly kind: 'ticket';
      readonly ticket: string;
      readonly service: string;
      /** The service URL with the ticket, for a redirect or the warn page's link. */
      readonly destination: string;
      readonly method: 'GET' | 'POST';
      /** With `warn`: the page asking before going on. */
      readonly warn: { readonly serviceName: string; readonly user: string } | null;
      readonly fromNewLogin: boolean;
    }
  | { readonly kind: 'to_idp'; readonly renew: boolean; readonly gateway: boolean; readonly extra: CasLoginExtra };

interface Target {
  readonly url: ServiceUrl;
  readonly registered: RegisteredService;
}

interface LoginContext {
  readonly deps: LoginDeps;
  readonly params: LoginParams;
  target: Target | null;
  renew: boolean;
  gateway: boolean;
  warn: boolean;
  method: 'GET' | 'POST';
  session: SsoSession | null;
  fromNewLogin: boolean;
  /** Callback only: who the IdP authenticated, and what /login sealed for the return. */
  readonly authenticated?: AuthenticatedPerson;
  readonly extra?: CasLoginExtra;
}

export interface AuthenticatedPerson {
  readonly subject: string;
  readonly claims: SessionClaims;
  readonly idToken: string | null;
  readonly idpSessionId: string | null;
}

type Step = (ctx: LoginContext) => Promise<LoginDecision | undefined> | LoginDecision | undefined;

const isTrue = (value: string | undefined) => value !== undefined && value !== 'false';

const readModes: Step = (ctx) => {
  const { method } = ctx.params;
  if (method !== undefined && !['GET', 'POST', 'HEADER'].includes(method))
    return { kind: 'bad_request', what: 'method' };
  ctx.warn = isTrue(ctx.params.warn);
  ctx.method = method === 'POST' ? 'POST' : 'GET';
  return undefined;
};

const resolveService: Step = (ctx) => {
  if (ctx.params.service !== undefined) {
    const parsed = parseServiceUrl(ctx.params.service);
    const registered = parsed.ok ? ctx.deps.registry().find(parsed.url) : undefined;
    if (!parsed.ok || !registered) return { kind: 'unknown_service' };
    ctx.target = { url: parsed.url, registered };
  }
  ctx.renew = isTrue(ctx.params.renew) || (ctx.target?.registered.forceRenew ?? false);
  ctx.gateway = isTrue(ctx.params.gateway) && !ctx.renew;
  return undefined;
};

const resumeService: Step = (ctx) => {
  const extra = ctx.extra;
  if (!extra) throw new Error('resumeService needs the sealed login state');
  ctx.target = targetOf(ctx.deps.registry(), extra.service);
  ctx.warn = extra.warn;
  ctx.method = extra.method;
  ctx.fromNewLogin = true;
  return undefined;
};

const useSsoSession: Step = (ctx) => {
  if (ctx.session && !ctx.renew) return issueServiceTicket(ctx);
  return undefined;
};

const goToIdp: Step = (ctx) => ({
  kind: 'to_idp',
  renew: ctx.renew,
  gateway: ctx.gateway,
  extra: {
    service: ctx.target?.url.href ?? null,
    gateway: ctx.gateway,
    warn: ctx.warn,
    method: ctx.method,
    previousSessionId: ctx.session?.id ?? null,
  },
});

/** Claims kept in the session: those some service may receive, and no other (GDPR minimisation). */
function keptClaims(registry: Registry, claims: SessionClaims): SessionClaims {
  const wanted = new Set(['sub', 'preferred_username', 'groups']);
  for (const service of registry.services) {
    wanted.add(service.usernameAttribute);
    for (const claim of Object.values(service.attributes)) wanted.add(claim);
  }
  return Object.fromEntries(Object.entries(claims).filter(([name]) => wanted.has(name)));
}

const openSession: Step = async (ctx) => {
  const { authenticated, extra, deps } = ctx;
  if (!authenticated || !extra) throw new Error('openSession needs the IdP authentication');
  const previous = extra.previousSessionId ? await deps.store.deleteSession(extra.previousSessionId) : null;
  const now = deps.now();
  const session: SsoSession = {
    id: deps.newTicket('TGC'),
    subject: authenticated.subject,
    claims: keptClaims(deps.registry(), authenticated.claims),
    authenticationDate: new Date(now).toISOString(),
    idToken: authenticated.idToken,
    idpSessionId: authenticated.idpSessionId,
    services: previous?.services ?? [],
    expiresAt: now + deps.sessionTtlMs,
  };
  await deps.store.putSession(session);
  ctx.session = session;
  return undefined;
};

const issueServiceTicket: Step = async (ctx) => {
  const { session, target, deps } = ctx;
  if (!session) throw new Error('issueServiceTicket needs a session');
  const user = String(session.claims.preferred_username ?? session.subject);
  if (target === null) return { kind: 'signed_in', user };
  const principal = principalFor(target.registered, session.claims);
  if (!principal.ok) {
    return {
      kind: 'refused',
      reason: principal.reason,
      serviceId: target.registered.id,
      serviceName: target.registered.name,
      groups: groupsOf(session.claims).length,
    };
  }
  const now = deps.now();
  const ticket = serviceTicket({
    id: deps.newTicket('ST'),
    service: target.url,
    registered: target.registered,
    session,
    principal: principal.principal,
    fromNewLogin: ctx.fromNewLogin,
    now,
    ttlMs: deps.ticketTtlMs,
  });
  await deps.store.putTicket(ticket);
  await deps.store.addSessionService(
    session.id,
    { service: target.url.href, serviceId: target.registered.id, ticket: ticket.id },
    now,
  );
  const href = target.url.href;
  return {
    kind: 'ticket',
    ticket: ticket.id,
    service: href,
    destination: `${href}${href.includes('?') ? '&' : '?'}ticket=${ticket.id}`,
    method: ctx.method,
    warn: ctx.warn ? { serviceName: target.registered.name, user } : null,
    fromNewLogin: ctx.fromNewLogin,
  };
};

const LOGIN: readonly Step[] = [readModes, resolveService, useSsoSession, goToIdp];
const CALLBACK: readonly Step[] = [resumeService, openSession, issueServiceTicket];

async function run(steps: readonly Step[], ctx: LoginContext): Promise<LoginDecision> {
  for (const step of steps) {
    const decision = await step(ctx);
    if (decision) return decision;
  }
  throw new Error('login pipeline ended without a decision');
}

function blankContext(deps: LoginDeps, params: LoginParams, session: SsoSession | null): LoginContext {
  return {
    deps,
    params,
    target: null,
    renew: false,
    gateway: false,
    warn: false,
    method: 'GET',
    session,
    fromNewLogin: false,
  };
}

/** `/login`: with the SSO session the browser's cookie names (null when none or expired). */
export function login(params: LoginParams, session: SsoSession | null, deps: LoginDeps): Promise<LoginDecision> {
  return run(LOGIN, blankContext(deps, params, session));
}

/**
 * The return from the IdP, once packages/oidc-login has checked it (bound to this browser, state, single use, the
 * IdP's answer): opens the SSO session and goes on to the service. Gives the session for the adapter's cookie.
 */
export async function completeCallback(
  authenticated: AuthenticatedPerson,
  extra: CasLoginExtra,
  deps: LoginDeps,
): Promise<{ decision: LoginDecision; session: SsoSession }> {
  const ctx: LoginContext = { ...blankContext(deps, {}, null), authenticated, extra };
  const decision = await run(CALLBACK, ctx);
  if (!ctx.session) throw new Error('callback pipeline ended without a session');
  return { decision, session: ctx.session };
}

/** IdP errors that mean "no session here", which a gateway login answers by going back without a ticket. */
const NO_SESSION_ERRORS = ['login_required', 'interaction_required', 'consent_required', 'account_selection_required'];

/**
 * A return from the IdP that packages/oidc-login refused: a gateway login the IdP could not satisfy silently goes
 * back to its (still registered) service without a ticket (CAS 3.0.3, 2.1.1); anything else is an error page.
 */
export function callbackRefused(
  refusal: { readonly code: string; readonly idpError?: string; readonly extra?: CasLoginExtra },
  registry: Registry,
):
  | { readonly kind: 'back_to_service'; readonly url: string }
  | { readonly kind: 'page'; readonly page: 'idp' | 'expired' } {
  const { code, extra } = refusal;
  if (code === 'idp_refused' && extra) {
    const target = targetOf(registry, extra.service);
    if (extra.gateway && target && NO_SESSION_ERRORS.includes(refusal.idpError ?? ''))
      return { kind: 'back_to_service', url: target.url.href };
    return { kind: 'page', page: 'idp' };
  }
  return { kind: 'page', page: code === 'idp_error' ? 'idp' : 'expired' };
}

function targetOf(registry: Registry, service: string | null): Target | null {
  const parsed = service === null ? null : parseServiceUrl(service);
  const registered = parsed?.ok ? registry.find(parsed.url) : undefined;
  return parsed?.ok && registered ? { url: parsed.url, registered } : null;
}
