import { describe, expect, it } from 'vitest';
import { createMemoryTicketStore } from '../src/adapters/ticket-store.memory.js';
import { callbackRefused, completeCallback, type LoginDeps, login } from '../src/core/login.js';
import { backchannelLogout, type LogoutDeps, logout, logoutDone } from '../src/core/logout.js';
import type { CasLoginExtra, SsoSession } from '../src/core/records.js';
import { newTicket } from '../src/core/tickets.js';
import { ALICE_CLAIMS, harness } from './harness.js';

/** The /login, callback and logout pipelines of core/, each rule of their tables on its own (no HTTP). */
function setup() {
  const store = createMemoryTicketStore();
  const h = harness(store);
  const deps: LoginDeps = {
    registry: () => h.registry,
    store,
    now: h.clock.now,
    newTicket: (kind) => newTicket(kind),
    ticketTtlMs: 60_000,
    sessionTtlMs: 3_600_000,
  };
  const stopped: SsoSession[] = [];
  const logoutDeps: LogoutDeps = {
    registry: () => h.registry,
    store,
    now: h.clock.now,
    singleLogout: (session) => {
      stopped.push(session);
      return { frontChannel: [], backChannel: Promise.resolve() };
    },
    endSessionUrl: async (_idToken, returnTo) =>
      new URL(`https://sso.ac-test.fr/logout?post_logout_redirect_uri=${encodeURIComponent(returnTo)}`),
    doneUrl: 'https://cas.ac-test.fr/cas/logout/done',
  };
  return { store, h, deps, logoutDeps, stopped };
}

const extra = (over: Partial<CasLoginExtra> = {}): CasLoginExtra => ({
  service: 'https://a.ac-test.fr/',
  gateway: false,
  warn: false,
  method: 'GET',
  previousSessionId: null,
  ...over,
});

describe('/login pipeline', () => {
  it('refuses an unregistered service with a page decision, before anything else', async () => {
    const { deps } = setup();
    expect(await login({ service: 'https://evil.example/' }, null, deps)).toEqual({ kind: 'unknown_service' });
  });

  it('gives a ticket straight from an SSO session (not from a new login), bound to the service', async () => {
    const { deps, h, store } = setup();
    const session = await h.session();
    const decision = await login({ service: 'https://a.ac-test.fr/page?x=1' }, session, deps);
    expect(decision).toMatchObject({ kind: 'ticket', fromNewLogin: false, method: 'GET', warn: null });
    if (decision.kind !== 'ticket') throw new Error(decision.kind);
    expect(decision.destination).toBe(`https://a.ac-test.fr/page?x=1&ticket=${decision.ticket}`);
    expect((await store.getSession(session.id, h.clock.now()))?.services.map((s) => s.ticket)).toEqual([
      decision.ticket,
    ]);
  });

  it('sends to the IdP with renew when asked, or when the service forces it, even with a session', async () => {
    const { deps, h } = setup();
    const session = await h.session();
    expect(await login({ service: 'https://a.ac-test.fr/', renew: 'true' }, session, deps)).toMatchObject({
      kind: 'to_idp',
      renew: true,
      extra: { previousSessionId: session.id },
    });
    expect(await login({ service: 'https://exam.ac-test.fr/' }, session, deps)).toMatchObject({
      kind: 'to_idp',
      renew: true,
    });
  });

  it('lets renew win over gateway (CAS 3.0.3, 2.1.1), and keeps warn and method for the return', async () => {
    const { deps } = setup();
    expect(
      await login(
        { service: 'https://a.ac-test.fr/', renew: 'true', gateway: 'true', warn: 'true', method: 'POST' },
        null,
        deps,
      ),
    ).toMatchObject({
      kind: 'to_idp',
      renew: true,
      gateway: false,
      extra: { warn: true, method: 'POST', gateway: false },
    });
  });

  it('refuses an unknown method', async () => {
    const { deps } = setup();
    expect(await login({ method: 'PUT' }, null, deps)).toEqual({ kind: 'bad_request', what: 'method' });
  });

  it('answers the access gate with a refusal naming the service, never a ticket', async () => {
    const { deps, h } = setup();
    const session = await h.session({ ...ALICE_CLAIMS, groups: ['member_sciences'] });
    expect(await login({ service: 'https://staff.ac-test.fr/' }, session, deps)).toMatchObject({
      kind: 'refused',
      reason: 'access_denied',
      serviceId: 'staff-only',
      groups: 1,
    });
  });
});

describe('callback pipeline', () => {
  it('opens a session with only the claims some service receives, and a ticket from a new login', async () => {
    const { deps, store, h } = setup();
    const { decision, session } = await completeCallback(
      { subject: 's-1', claims: { ...ALICE_CLAIMS, phone: '0600000000' }, idToken: 'id', idpSessionId: 'sid-1' },
      extra({ warn: true }),
      deps,
    );
    expect(decision).toMatchObject({ kind: 'ticket', fromNewLogin: true, warn: { serviceName: 'Application A' } });
    expect(session.claims).not.toHaveProperty('phone');
    expect(session.idpSessionId).toBe('sid-1');
    expect(await store.getSession(session.id, h.clock.now())).not.toBeNull();
  });

  it('replaces the renewed session and carries its services over (they still get single logout)', async () => {
    const { deps, store, h } = setup();
    const old = await h.session();
    await store.addSessionService(
      old.id,
      { service: 'https://b.ac-test.fr/', serviceId: 'app-b', ticket: 'ST-1' },
      h.clock.now(),
    );
    const { session } = await completeCallback(
      { subject: 's-1', claims: ALICE_CLAIMS, idToken: null, idpSessionId: null },
      extra({ previousSessionId: old.id }),
      deps,
    );
    expect(await store.getSession(old.id, h.clock.now())).toBeNull();
    expect((await store.getSession(session.id, h.clock.now()))?.services.map((s) => s.serviceId).sort()).toEqual([
      'app-a',
      'app-b',
    ]);
  });

  it('goes back to a registered service without a ticket only for a gateway login the IdP could not do silently', () => {
    const { h } = setup();
    const refused = (idpError: string, over: Partial<CasLoginExtra>) =>
      callbackRefused({ code: 'idp_refused', idpError, extra: extra(over) }, h.registry);
    expect(refused('login_required', { gateway: true })).toEqual({
      kind: 'back_to_service',
      url: 'https://a.ac-test.fr/',
    });
    expect(refused('access_denied', { gateway: true })).toEqual({ kind: 'page', page: 'idp' });
    expect(refused('login_required', { gateway: false })).toEqual({ kind: 'page', page: 'idp' });
    expect(refused('login_required', { gateway: true, service: 'https://gone.ac-test.fr/' })).toEqual({
      kind: 'page',
      page: 'idp',
    });
    expect(callbackRefused({ code: 'replayed' }, h.registry)).toEqual({ kind: 'page', page: 'expired' });
  });
});

describe('logout pipeline', () => {
  it('ends the session, starts single logout, and goes through the IdP carrying a registered service', async () => {
    const { logoutDeps, h, store, stopped } = setup();
    const session = await h.session();
    const decision = await logout({ sessionId: session.id, service: 'https://a.ac-test.fr/bye' }, logoutDeps);
    expect(await store.getSession(session.id, h.clock.now())).toBeNull();
    expect(stopped.map((s) => s.id)).toEqual([session.id]);
    if (decision.kind !== 'redirect') throw new Error(decision.kind);
    const state = new URL(decision.url).searchParams.get('state') ?? '';
    expect(logoutDone(state, h.registry)).toBe('https://a.ac-test.fr/bye');
  });

  it('follows neither an unregistered service nor one forged in the state coming back from the IdP', async () => {
    const { logoutDeps, h } = setup();
    expect(await logout({ service: 'https://evil.example/' }, logoutDeps)).toEqual({ kind: 'page', frontChannel: [] });
    expect(logoutDone(Buffer.from('https://evil.example/').toString('base64url'), h.registry)).toBeNull();
    expect(logoutDone(undefined, h.registry)).toBeNull();
  });

  it('back-channel: ends the sessions of the IdP session once; a replayed jti ends nothing', async () => {
    const { store, h, stopped } = setup();
    const session = await h.session(ALICE_CLAIMS, { idpSessionId: 'sid-9' });
    const deps = {
      store,
      now: h.clock.now,
      verify: async () => ({ subject: null, sessionId: 'sid-9', jti: 'j-1', replayUntil: h.clock.now() + 60_000 }),
      singleLogout: (s: SsoSession) => {
        stopped.push(s);
        return { frontChannel: [], backChannel: Promise.resolve() };
      },
    };
    expect(await backchannelLogout('token', deps)).toEqual({ kind: 'ended', sessions: 1 });
    expect(stopped.map((s) => s.id)).toEqual([session.id]);
    expect(await backchannelLogout('token', deps)).toEqual({ kind: 'refused', reason: 'replayed' });
    expect(await backchannelLogout('', deps)).toEqual({ kind: 'refused', reason: 'missing' });
  });
});
