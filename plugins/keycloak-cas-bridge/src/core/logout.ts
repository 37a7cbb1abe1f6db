import type { CoreDeps, SsoSession, TicketStore } from './records.js';
import type { Registry } from './registry.js';
import { parseServiceUrl } from './service-url.js';

/**
 * `/logout` (CAS 3.0.3, 2.3), its return from the IdP (`/logout/done`) and OpenID Connect Back-Channel Logout, as
 * step lists like validation.ts. The adapter clears the cookie, starts the single logout it is given and renders.
 *
 * | rule                                                                      | /logout | /logout/done | back-channel |
 * |---------------------------------------------------------------------------|---------|--------------|--------------|
 * | the SSO session ends (store), whatever else fails                         | x       |              | x            |
 * | `url` is ignored (2.3.1); `service` is followed only when registered      | x       | x            |              |
 * | its services get single logout (back-channel now, front-channel in a page)| x       |              | x (back only)|
 * | the IdP session ends too (RP-initiated logout), `service` carried in state| x       |              |              |
 * | logout token verified (packages/oidc-login), its jti used once            |         |              | x            |
 * | the sessions of that IdP session, or of that subject, end                 |         |              | x            |
 */

export interface LogoutDeps extends CoreDeps {
  /** Starts single logout for an ended session: the front-channel URLs for a page, the back-channel as a promise. */
  readonly singleLogout: (session: SsoSession) => { frontChannel: string[]; backChannel: Promise<unknown> };
  /** The IdP's end-session URL for this ID token, returning to `returnTo`; null when the IdP has none. */
  readonly endSessionUrl: (idToken: string | null, returnTo: string) => Promise<URL | null>;
  /** Where the IdP sends the browser back: `<publicUrl>/logout/done`. */
  readonly doneUrl: string;
}

export type LogoutDecision =
  | { readonly kind: 'redirect'; readonly url: string }
  /** A page: the front-channel logout frames, then a link (or an automatic move) to `next`. */
  | { readonly kind: 'page'; readonly frontChannel: readonly string[]; readonly next?: string };

/** A service to go on to after logout: only a registered one, in its canonical form. */
function registeredService(registry: Registry, service: string | undefined): string | null {
  const parsed = service === undefined ? null : parseServiceUrl(service);
  return parsed?.ok && registry.find(parsed.url) ? parsed.url.href : null;
}

export async function logout(
  params: { readonly sessionId?: string; readonly service?: string },
  deps: LogoutDeps,
): Promise<LogoutDecision> {
  const session = params.sessionId ? await deps.store.deleteSession(params.sessionId) : null;
  const next = registeredService(deps.registry(), params.service);
  if (!session) return next ? { kind: 'redirect', url: next } : { kind: 'page', frontChannel: [] };
  const slo = deps.singleLogout(session);
  slo.backChannel.catch(() => undefined);
  const endSession = await deps.endSessionUrl(session.idToken, deps.doneUrl).catch(() => null);
  if (endSession) {
    if (next) endSession.searchParams.set('state', Buffer.from(next).toString('base64url'));
    if (slo.frontChannel.length === 0) return { kind: 'redirect', url: endSession.href };
    return { kind: 'page', frontChannel: slo.frontChannel, next: endSession.href };
  }
  if (next && slo.frontChannel.length === 0) return { kind: 'redirect', url: next };
  return { kind: 'page', frontChannel: slo.frontChannel, ...(next ? { next } : {}) };
}

/** Back from the IdP's logout: the state came through the IdP, so it is checked against the registry again. */
export function logoutDone(state: string | undefined, registry: Registry): string | null {
  return registeredService(
    registry,
    state === undefined ? undefined : Buffer.from(state, 'base64url').toString('utf8'),
  );
}

export interface BackchannelLogoutDeps {
  readonly store: TicketStore;
  readonly now: () => number;
  readonly verify: (token: string) => Promise<{
    subject: string | null;
    sessionId: string | null;
    jti: string;
    replayUntil: number;
  }>;
  readonly singleLogout: LogoutDeps['singleLogout'];
}

export type BackchannelOutcome =
  | { readonly kind: 'ended'; readonly sessions: number }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * OpenID Connect Back-Channel Logout 1.0 once the token is verified (`verify` throws for a bad token, and the caller
 * maps that to 400 or 503): its jti is claimed once across replicas, then every CAS session of that IdP session (or
 * subject) ends and its services get back-channel single logout (a front-channel one needs a browser).
 */
export async function backchannelLogout(token: string, deps: BackchannelLogoutDeps): Promise<BackchannelOutcome> {
  if (token === '' || token.length > 16_384) return { kind: 'refused', reason: 'missing' };
  const verified = await deps.verify(token);
  if (!(await deps.store.claimOnce(`logout:${verified.jti}`, verified.replayUntil)))
    return { kind: 'refused', reason: 'replayed' };
  const ids = await deps.store.sessionsOf({ subject: verified.subject, idpSessionId: verified.sessionId }, deps.now());
  for (const id of ids) {
    const session = await deps.store.deleteSession(id);
    if (session) deps.singleLogout(session).backChannel.catch(() => undefined);
  }
  return { kind: 'ended', sessions: ids.length };
}
