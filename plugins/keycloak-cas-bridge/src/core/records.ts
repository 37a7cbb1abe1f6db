import type { Registry } from './registry.js';
/**
 * What the bridge keeps, and for how long. Only what the protocol needs: a ticket carries the user and attributes
 * already chosen for its one service; a session carries the claims services may receive and the list of services
 * to log out. Everything has an expiry and goes at logout.
 */
export interface Principal {
  /** The value of the service's username attribute: `cas:user`. */
  readonly user: string;
  /** Released attributes (CAS 3), each a list of values. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

export interface TicketRecord {
  readonly id: string;
  readonly kind: 'ST' | 'PT';
  /** The canonical service URL it was issued for: validation must present the same. */
  readonly service: string;
  readonly serviceId: string;
  readonly sessionId: string;
  readonly principal: Principal;
  readonly fromNewLogin: boolean;
  /** ISO 8601, when the person signed in at the IdP. */
  readonly authenticationDate: string;
  /** PT only: the proxies it went through, most recent first. */
  readonly proxies: readonly string[];
  readonly expiresAt: number;
}

/** The IdP claims kept for the session's lifetime: the ones a registry may release, nothing else. */
export type SessionClaims = Readonly<Record<string, string | readonly string[]>>;

export interface SessionService {
  readonly service: string;
  readonly serviceId: string;
  /** The ST issued, sent back as SessionIndex in the single-logout request. */
  readonly ticket: string;
}

export interface SsoSession {
  /** The `TGC-...` cookie value. */
  readonly id: string;
  readonly subject: string;
  readonly claims: SessionClaims;
  readonly authenticationDate: string;
  /** For RP-initiated logout at the IdP (`id_token_hint`). */
  readonly idToken: string | null;
  /** The IdP's session (`sid` of its ID token): a back-channel logout token names it. */
  readonly idpSessionId: string | null;
  readonly services: readonly SessionService[];
  readonly expiresAt: number;
}

export interface PgtRecord {
  readonly id: string;
  readonly sessionId: string;
  /** The service (proxy) the PGT was granted to: its callback URL is the proxy named in PTs. */
  readonly proxyCallback: string;
  readonly serviceId: string;
  /** Proxies before this one, most recent first (for a PGT obtained by validating a PT). */
  readonly proxies: readonly string[];
  readonly expiresAt: number;
}

/**
 * What the bridge seals with a login in progress (packages/oidc-login: in the browser's cookie, nothing stored on
 * the server until the callback), to finish the CAS side of it.
 */
export interface CasLoginExtra {
  /** The canonical service URL the person is signing in to, or null for a login without service. */
  readonly service: string | null;
  readonly gateway: boolean;
  readonly warn: boolean;
  readonly method: 'GET' | 'POST';
  /** The SSO session being renewed, if any: its services carry over to the new one. */
  readonly previousSessionId: string | null;
}

/**
 * One interface for every store (memory, SQLite, Redis). `takeTicket` is the single-use rule: it returns the ticket
 * and removes it in one atomic step, so of any number of concurrent validations exactly one gets it.
 */
export interface TicketStore {
  putTicket(ticket: TicketRecord): Promise<void>;
  takeTicket(id: string, now: number): Promise<TicketRecord | null>;
  putSession(session: SsoSession): Promise<void>;
  getSession(id: string, now: number): Promise<SsoSession | null>;
  /**
   * Records that the session signed in to a service, for single logout. A later login to the same service URL
   * replaces the earlier entry (the application's session is replaced too), so the list stays bounded.
   */
  addSessionService(id: string, entry: SessionService, now: number): Promise<void>;
  /** Removes the session and its PGTs; returns it (for single logout) or null. */
  deleteSession(id: string): Promise<SsoSession | null>;
  putPgt(pgt: PgtRecord): Promise<void>;
  getPgt(id: string, now: number): Promise<PgtRecord | null>;
  /**
   * Marks an id as used, atomically, until `expiresAt`: false when it already was. For a completed login's id (a
   * replayed callback) and a back-channel logout token's jti (a replayed logout). Only callbacks whose sealed state
   * opened and logout tokens whose signature checked get here: anonymous requests store nothing.
   */
  claimOnce(id: string, expiresAt: number): Promise<boolean>;
  /**
   * The live SSO sessions a back-channel logout names: those of this IdP session when it gives one (of this subject
   * too when it gives both), else every session of the subject.
   */
  sessionsOf(
    query: { readonly subject: string | null; readonly idpSessionId: string | null },
    now: number,
  ): Promise<string[]>;
  /** The keys that seal logins in progress (the first seals), made once and shared by every bridge process. */
  loginKeys(): Promise<Buffer[]>;
  countSessions(now: number): Promise<number>;
  /** Throws when the store cannot be reached (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** At most this many services are remembered per SSO session (the oldest are forgotten). */
export const MAX_SESSION_SERVICES = 200;

export function withService(services: readonly SessionService[], entry: SessionService): SessionService[] {
  return [...services.filter((s) => s.service !== entry.service), entry].slice(-MAX_SESSION_SERVICES);
}

/** What every core pipeline (login, logout, validation, proxy) reads: the registry in force, the store, the clock. */
export interface CoreDeps {
  readonly registry: () => Registry;
  readonly store: TicketStore;
  readonly now: () => number;
}
