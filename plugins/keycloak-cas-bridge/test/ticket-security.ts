import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proxy } from '../src/core/proxy.js';
import { MAX_SESSION_SERVICES, type TicketStore } from '../src/core/records.js';
import { validate } from '../src/core/validation.js';
import { ALICE_CLAIMS, harness } from './harness.js';

const A = 'https://a.ac-test.fr/login?next=%2Fcourse';
const B = 'https://b.ac-test.fr/';

/** The ticket rules, each negative case its own test, run against every store. */
export function ticketSecurity(name: string, open: () => Promise<{ store: TicketStore; close(): Promise<void> }>) {
  describe(`ticket rules (${name} store)`, () => {
    let store: TicketStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(() => close());

    it('validates an ST once at /p3/serviceValidate with the released attributes and CAS 3 ones', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const outcome = await validate('p3/serviceValidate', { service: A, ticket }, h.deps);
      expect(outcome.result).toBe('success');
      expect(outcome.body).toContain('<cas:user>alice</cas:user>');
      expect(outcome.body).toContain('<cas:mail>alice@ac-test.fr</cas:mail>');
      expect(outcome.body).toContain(
        '<cas:memberOf>admin_maths-4e-b</cas:memberOf>\n      <cas:memberOf>member_sciences</cas:memberOf>',
      );
      expect(outcome.body).toContain('<cas:isFromNewLogin>true</cas:isFromNewLogin>');
      expect(outcome.body).toContain(
        '<cas:longTermAuthenticationRequestTokenUsed>false</cas:longTermAuthenticationRequestTokenUsed>',
      );
      expect(outcome.body).toMatch(/<cas:authenticationDate>\d{4}-\d\d-\d\dT/);
    });

    it('answers JSON with multi-valued attributes as arrays', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const outcome = await validate('p3/serviceValidate', { service: A, ticket, format: 'JSON' }, h.deps);
      const json = JSON.parse(outcome.body) as {
        serviceResponse: { authenticationSuccess: { user: string; attributes: Record<string, string[]> } };
      };
      expect(json.serviceResponse.authenticationSuccess.user).toBe('alice');
      expect(json.serviceResponse.authenticationSuccess.attributes.memberOf).toEqual([
        'admin_maths-4e-b',
        'member_sciences',
      ]);
      expect(outcome.contentType).toMatch(/^application\/json/);
    });

    it('refuses an unsupported format with INVALID_REQUEST, in XML', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const outcome = await validate('p3/serviceValidate', { service: A, ticket, format: 'YAML' }, h.deps);
      expect(outcome.result).toBe('INVALID_REQUEST');
      expect(outcome.body).toContain('<cas:authenticationFailure code="INVALID_REQUEST">');
    });

    it('releases no attributes at CAS 2 /serviceValidate', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const outcome = await validate('serviceValidate', { service: A, ticket }, h.deps);
      expect(outcome.body).not.toContain('cas:attributes');
    });

    it('answers CAS 1.0 /validate with two lines', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      expect((await validate('validate', { service: A, ticket }, h.deps)).body).toBe('yes\nalice\n');
      expect((await validate('validate', { service: A, ticket }, h.deps)).body).toBe('no\n\n');
    });

    it('ticket replay: a second validation of the same ST fails', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      expect((await validate('p3/serviceValidate', { service: A, ticket }, h.deps)).result).toBe('success');
      expect((await validate('p3/serviceValidate', { service: A, ticket }, h.deps)).result).toBe('INVALID_TICKET');
    });

    it('200 parallel validations of one ticket: exactly one success', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, () => validate('p3/serviceValidate', { service: A, ticket }, h.deps)),
      );
      expect(outcomes.filter((o) => o.result === 'success')).toHaveLength(1);
      expect(outcomes.filter((o) => o.result === 'INVALID_TICKET')).toHaveLength(199);
    });

    it('a ticket for service A validated for service B: INVALID_SERVICE, and the ticket is gone', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      expect((await validate('p3/serviceValidate', { service: B, ticket }, h.deps)).result).toBe('INVALID_SERVICE');
      expect((await validate('p3/serviceValidate', { service: A, ticket }, h.deps)).result).toBe('INVALID_TICKET');
    });

    it('a ticket for A validated with A plus an extra query parameter: INVALID_SERVICE', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      expect((await validate('p3/serviceValidate', { service: `${A}&x=1`, ticket }, h.deps)).result).toBe(
        'INVALID_SERVICE',
      );
    });

    it('a ticket validated with its service encoded differently (phpCAS vs mod_auth_cas) succeeds', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const lowerCaseEncoding = 'https://a.ac-test.fr/login?next=%2fcourse';
      expect((await validate('p3/serviceValidate', { service: lowerCaseEncoding, ticket }, h.deps)).result).toBe(
        'success',
      );
    });

    it('an expired ticket fails', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A, { ttlMs: 10_000 });
      h.clock.advance(10_001);
      expect((await validate('p3/serviceValidate', { service: A, ticket }, h.deps)).result).toBe('INVALID_TICKET');
    });

    it('a PT at /validate fails', async () => {
      const h = harness(store);
      const pt = await proxyTicket(h);
      expect((await validate('validate', { service: 'https://api.ac-test.fr/v1', ticket: pt }, h.deps)).body).toBe(
        'no\n\n',
      );
    });

    it('a PT at /serviceValidate fails', async () => {
      const h = harness(store);
      const pt = await proxyTicket(h);
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://api.ac-test.fr/v1', ticket: pt },
        h.deps,
      );
      expect(outcome.result).toBe('INVALID_TICKET_SPEC');
    });

    it('a PT at /proxyValidate succeeds once and lists the proxy', async () => {
      const h = harness(store);
      const pt = await proxyTicket(h);
      const outcome = await validate('p3/proxyValidate', { service: 'https://api.ac-test.fr/v1', ticket: pt }, h.deps);
      expect(outcome.result).toBe('success');
      expect(outcome.body).toContain('<cas:proxy>https://ent.ac-test.fr/pgtCallback</cas:proxy>');
      expect(outcome.body).toContain('<cas:uid>alice</cas:uid>');
    });

    it('missing ticket or service: INVALID_REQUEST', async () => {
      const h = harness(store);
      expect((await validate('p3/serviceValidate', { service: A }, h.deps)).result).toBe('INVALID_REQUEST');
      expect((await validate('p3/serviceValidate', { ticket: 'ST-x' }, h.deps)).result).toBe('INVALID_REQUEST');
    });

    it('a malformed ticket: INVALID_TICKET, never a crash', async () => {
      const h = harness(store);
      for (const ticket of ['ST_abc', 'TGC-abc', `ST-${'a'.repeat(500)}`, '<x>', 'PGT-abc']) {
        expect((await validate('p3/serviceValidate', { service: A, ticket }, h.deps)).result).toBe('INVALID_TICKET');
      }
    });

    it('renew=true refuses a ticket from an existing SSO session', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A, { fromNewLogin: false });
      expect((await validate('p3/serviceValidate', { service: A, ticket, renew: 'true' }, h.deps)).result).toBe(
        'INVALID_TICKET',
      );
    });

    it('a service registered with forced renew refuses a ticket from an existing session even without renew', async () => {
      const h = harness(store);
      const { ticket } = await h.issue('https://exam.ac-test.fr/', { fromNewLogin: false });
      expect(
        (await validate('p3/serviceValidate', { service: 'https://exam.ac-test.fr/', ticket }, h.deps)).result,
      ).toBe('INVALID_TICKET');
    });

    it('a pgtUrl over http: INVALID_PROXY_CALLBACK', async () => {
      const h = harness(store);
      const { ticket } = await h.issue('https://ent.ac-test.fr/');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://ent.ac-test.fr/', ticket, pgtUrl: 'http://ent.ac-test.fr/cb' },
        h.deps,
      );
      expect(outcome.result).toBe('INVALID_PROXY_CALLBACK');
      expect(h.callbacks).toHaveLength(0);
    });

    it('a pgtUrl whose callback fails (untrusted certificate): success without a PGT IOU', async () => {
      const h = harness(store, { callback: async () => 'failed' });
      const { ticket } = await h.issue('https://ent.ac-test.fr/');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://ent.ac-test.fr/', ticket, pgtUrl: 'https://ent.ac-test.fr/cb' },
        h.deps,
      );
      expect(outcome.result).toBe('success');
      expect(outcome.body).not.toContain('proxyGrantingTicket');
    });

    it('a pgtUrl on another host than the service validated (default policy): INVALID_PROXY_CALLBACK, no call', async () => {
      const h = harness(store);
      const { ticket } = await h.issue('https://ent.ac-test.fr/');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://ent.ac-test.fr/', ticket, pgtUrl: 'https://internal.ac-test.fr/admin' },
        h.deps,
      );
      expect(outcome.result).toBe('INVALID_PROXY_CALLBACK');
      expect(h.callbacks).toHaveLength(0);
    });

    it.each([
      ['an IPv4 address', 'https://169.254.169.254/latest/meta-data'],
      ['an IPv6 address', 'https://[::1]/cb'],
      ['a loopback address', 'https://127.0.0.1:6379/'],
    ])('a pgtUrl with %s as host: INVALID_PROXY_CALLBACK, no call', async (_name, pgtUrl) => {
      const h = harness(store);
      const { ticket } = await h.issue('https://pgt.ac-test.fr/app');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://pgt.ac-test.fr/app', ticket, pgtUrl },
        h.deps,
      );
      expect(outcome.result).toBe('INVALID_PROXY_CALLBACK');
      expect(h.callbacks).toHaveLength(0);
    });

    it("a pgtUrl allowed by the service's callbacks rule on another host is called", async () => {
      const h = harness(store);
      const { ticket } = await h.issue('https://pgt.ac-test.fr/app');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://pgt.ac-test.fr/app', ticket, pgtUrl: 'https://callbacks.ac-test.fr/cas/pgt' },
        h.deps,
      );
      expect(outcome.result).toBe('success');
      expect(h.callbacks.map((c) => new URL(c.url).host)).toEqual(['callbacks.ac-test.fr']);
    });

    it('a pgtUrl whose host resolves to a private address: INVALID_PROXY_CALLBACK', async () => {
      const h = harness(store, { callback: async () => 'refused_address' });
      const { ticket } = await h.issue('https://ent.ac-test.fr/');
      const outcome = await validate(
        'p3/serviceValidate',
        { service: 'https://ent.ac-test.fr/', ticket, pgtUrl: 'https://ent.ac-test.fr/cb' },
        h.deps,
      );
      expect(outcome.result).toBe('INVALID_PROXY_CALLBACK');
      expect(outcome.body).not.toContain('proxyGrantingTicket');
    });

    it('a pgtUrl from a service not allowed to proxy: UNAUTHORIZED_SERVICE_PROXY', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      expect(
        (await validate('p3/serviceValidate', { service: A, ticket, pgtUrl: 'https://a.ac-test.fr/cb' }, h.deps))
          .result,
      ).toBe('UNAUTHORIZED_SERVICE_PROXY');
    });

    it('/proxy refuses a target outside the proxy policy with UNAUTHORIZED_SERVICE', async () => {
      const h = harness(store);
      const pgt = await grantingTicket(h);
      const outcome = await proxy(
        { pgt, targetService: 'https://b.ac-test.fr/' },
        { ...h.deps, newTicket: () => 'PT-unused', ticketTtlMs: 60_000 },
      );
      expect(outcome.result).toBe('UNAUTHORIZED_SERVICE');
    });

    it('/proxy refuses an unknown PGT, and a PGT whose session was logged out', async () => {
      const h = harness(store);
      const proxyDeps = { ...h.deps, newTicket: (k: 'PT') => `${k}-x`, ticketTtlMs: 60_000 };
      expect((await proxy({ pgt: 'PGT-nope', targetService: 'https://api.ac-test.fr/' }, proxyDeps)).result).toBe(
        'INVALID_TICKET',
      );
      const pgt = await grantingTicket(h);
      const sessionId = (await store.getPgt(pgt, h.clock.now()))?.sessionId ?? '';
      await store.deleteSession(sessionId);
      expect((await proxy({ pgt, targetService: 'https://api.ac-test.fr/' }, proxyDeps)).result).toBe('INVALID_TICKET');
    });

    it('a store that fails answers INTERNAL_ERROR, never a stack trace', async () => {
      const h = harness(store);
      const { ticket } = await h.issue(A);
      const broken = { ...store, takeTicket: async () => Promise.reject(new Error('connection lost')) };
      const outcome = await validate('p3/serviceValidate', { service: A, ticket }, { ...h.deps, store: broken });
      expect(outcome.result).toBe('INTERNAL_ERROR');
      expect(outcome.body).toContain('<cas:authenticationFailure code="INTERNAL_ERROR">');
      expect(outcome.body).not.toContain('connection lost');
      expect(outcome.cause).toBeInstanceOf(Error);
    });

    it('/proxy requires both parameters', async () => {
      const h = harness(store);
      const outcome = await proxy(
        { targetService: 'https://api.ac-test.fr/' },
        { ...h.deps, newTicket: () => 'PT-x', ticketTtlMs: 1 },
      );
      expect(outcome.body).toContain('<cas:proxyFailure code="INVALID_REQUEST">');
    });
  });
}

type H = ReturnType<typeof harness>;

async function grantingTicket(h: H): Promise<string> {
  const { ticket } = await h.issue('https://ent.ac-test.fr/');
  const outcome = await validate(
    'p3/serviceValidate',
    { service: 'https://ent.ac-test.fr/', ticket, pgtUrl: 'https://ent.ac-test.fr/pgtCallback' },
    h.deps,
  );
  const iou = /<cas:proxyGrantingTicket>([^<]+)</.exec(outcome.body)?.[1];
  const callback = h.callbacks.find((c) => c.pgtIou === iou);
  if (!callback) throw new Error(`no PGT: ${outcome.body}`);
  return callback.pgtId;
}

async function proxyTicket(h: H): Promise<string> {
  const pgt = await grantingTicket(h);
  const { newTicket } = await import('../src/core/tickets.js');
  const outcome = await proxy(
    { pgt, targetService: 'https://api.ac-test.fr/v1' },
    { ...h.deps, newTicket: (k) => newTicket(k), ticketTtlMs: 60_000 },
  );
  const pt = /<cas:proxyTicket>([^<]+)</.exec(outcome.body)?.[1];
  if (!pt) throw new Error(outcome.body);
  return pt;
}

/**
 * Logins: the state is sealed in the browser's cookie (packages/oidc-login); each store keeps only the ids of
 * completed logins until they expire (single use across processes) and one shared sealing key.
 */
export function loginStateRules(name: string, open: () => Promise<{ store: TicketStore; close(): Promise<void> }>) {
  describe(`login single use (${name} store)`, () => {
    it('claims a login id once', async () => {
      const { store, close } = await open();
      const id = `login-${Math.random()}`;
      expect(await store.claimOnce(id, Date.now() + 600_000)).toBe(true);
      expect(await store.claimOnce(id, Date.now() + 600_000)).toBe(false);
      await close();
    });
    it('lets one of 50 concurrent claims of the same id win', async () => {
      const { store, close } = await open();
      const id = `race-${Math.random()}`;
      const results = await Promise.all(Array.from({ length: 50 }, () => store.claimOnce(id, Date.now() + 600_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
      await close();
    });
    it('gives the same 32-byte sealing key every time', async () => {
      const { store, close } = await open();
      const [first] = await store.loginKeys();
      const [again] = await store.loginKeys();
      expect(first?.length).toBe(32);
      expect(again?.equals(first as Buffer)).toBe(true);
      await close();
    });
  });
}

/** SAML 1.1 /samlValidate, through the same pipeline. */
export function samlRules(name: string, open: () => Promise<{ store: TicketStore; close(): Promise<void> }>) {
  const soap = (ticket: string) =>
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1" RequestID="_192.168.16.51.1024506224022" IssueInstant="2002-06-19T17:03:44.022Z"><samlp:AssertionArtifact>${ticket}</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  describe(`samlValidate (${name} store)`, () => {
    it('answers a SAML 1.1 assertion with the released attributes, accepting a 2002 IssueInstant', async () => {
      const { store, close } = await open();
      const h = harness(store);
      const { ticket } = await h.issue('https://a.ac-test.fr/');
      const { assertionArtifact } = await import('../src/core/saml11.js');
      const outcome = await validate(
        'samlValidate',
        { service: 'https://a.ac-test.fr/', ticket: assertionArtifact(soap(ticket)) ?? '' },
        h.deps,
      );
      expect(outcome.result).toBe('success');
      expect(outcome.body).toContain('<StatusCode Value="samlp:Success">');
      expect(outcome.body).toContain('<NameIdentifier>alice</NameIdentifier>');
      expect(outcome.body).toContain(
        '<Attribute AttributeName="mail" AttributeNamespace="http://www.ja-sig.org/products/cas/"><AttributeValue>alice@ac-test.fr</AttributeValue></Attribute>',
      );
      await close();
    });

    it('refuses a ticket for another TARGET, and the ticket is gone', async () => {
      const { store, close } = await open();
      const h = harness(store);
      const { ticket } = await h.issue('https://a.ac-test.fr/');
      const wrong = await validate('samlValidate', { service: 'https://b.ac-test.fr/', ticket }, h.deps);
      expect(wrong.result).toBe('INVALID_SERVICE');
      expect(wrong.body).toContain('samlp:Responder');
      expect((await validate('samlValidate', { service: 'https://a.ac-test.fr/', ticket }, h.deps)).result).toBe(
        'INVALID_TICKET',
      );
      await close();
    });

    it('reads the artifact of a request without RequestID nor IssueInstant (mod_auth_cas) and refuses entities', async () => {
      const { assertionArtifact } = await import('../src/core/saml11.js');
      const bare =
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol" MajorVersion="1" MinorVersion="1"><samlp:AssertionArtifact>ST-abc</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>';
      expect(assertionArtifact(bare)).toBe('ST-abc');
      expect(
        assertionArtifact(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${bare.replace('ST-abc', '&e;')}`),
      ).toBeNull();
      expect(assertionArtifact('not xml <<<')).toBeNull();
    });
  });
}

/** The services of a session, for single logout: one entry per service URL, the latest ticket. */
export function sessionServiceRules(name: string, open: () => Promise<{ store: TicketStore; close(): Promise<void> }>) {
  it(`keeps one entry per service URL, the latest ticket (${name} store)`, async () => {
    const { store, close } = await open();
    const h = harness(store);
    const s = await h.session();
    for (const ticket of ['ST-1', 'ST-2', 'ST-3']) {
      await store.addSessionService(
        s.id,
        { service: 'https://a.ac-test.fr/', serviceId: 'app-a', ticket },
        h.clock.now(),
      );
    }
    await store.addSessionService(
      s.id,
      { service: 'https://b.ac-test.fr/', serviceId: 'app-b', ticket: 'ST-4' },
      h.clock.now(),
    );
    const services = (await store.getSession(s.id, h.clock.now()))?.services ?? [];
    expect(services.map((x) => x.ticket).sort()).toEqual(['ST-3', 'ST-4']);
    await close();
  });

  it(`remembers at most ${MAX_SESSION_SERVICES} services per session, the latest ones (${name} store)`, async () => {
    const { store, close } = await open();
    const h = harness(store);
    const s = await h.session();
    for (let i = 0; i < MAX_SESSION_SERVICES + 50; i++) {
      await store.addSessionService(
        s.id,
        { service: `https://a.ac-test.fr/${i}`, serviceId: 'app-a', ticket: `ST-${i}` },
        h.clock.now(),
      );
    }
    const services = (await store.getSession(s.id, h.clock.now()))?.services ?? [];
    expect(services).toHaveLength(MAX_SESSION_SERVICES);
    expect(services.map((x) => x.ticket)).toContain(`ST-${MAX_SESSION_SERVICES + 49}`);
    expect(services.map((x) => x.ticket)).not.toContain('ST-0');
    await close();
  });
}

/** Which sessions a back-channel logout ends: by IdP session (`sid`), else every session of the subject. */
export function sessionLookupRules(name: string, open: () => Promise<{ store: TicketStore; close(): Promise<void> }>) {
  it(`finds the sessions of an IdP session, or of a subject, never another person's (${name} store)`, async () => {
    const { store, close } = await open();
    const h = harness(store);
    const tag = Math.random().toString(36).slice(2);
    const alice = { ...ALICE_CLAIMS, sub: `alice-${tag}` };
    const bob = { ...ALICE_CLAIMS, sub: `bob-${tag}` };
    const a1 = await h.session(alice, { idpSessionId: `sid-1-${tag}` });
    const a2 = await h.session(alice, { idpSessionId: `sid-2-${tag}` });
    const a3 = await h.session(alice);
    const b1 = await h.session(bob, { idpSessionId: `sid-3-${tag}` });
    const now = h.clock.now();
    const of = (subject: string | null, idpSessionId: string | null) =>
      store.sessionsOf({ subject, idpSessionId }, now).then((ids) => ids.sort());
    expect(await of(null, `sid-1-${tag}`)).toEqual([a1.id]);
    expect(await of(alice.sub, `sid-2-${tag}`)).toEqual([a2.id]);
    // sid and sub must agree: a token naming Bob's IdP session with Alice's subject ends nothing.
    expect(await of(alice.sub, `sid-3-${tag}`)).toEqual([]);
    expect(await of(alice.sub, null)).toEqual([a1.id, a2.id, a3.id].sort());
    expect(await of(bob.sub, null)).toEqual([b1.id]);
    expect(await of(`nobody-${tag}`, null)).toEqual([]);
    expect(await of(null, `sid-unknown-${tag}`)).toEqual([]);
    // A deleted session is no longer found; the others stay.
    await store.deleteSession(a1.id);
    expect(await of(alice.sub, null)).toEqual([a2.id, a3.id].sort());
    expect(await of(null, `sid-1-${tag}`)).toEqual([]);
    await close();
  });

  it(`does not return an expired session (${name} store)`, async () => {
    const { store, close } = await open();
    const h = harness(store);
    const sub = `carol-${Math.random().toString(36).slice(2)}`;
    const s = await h.session({ ...ALICE_CLAIMS, sub }, { idpSessionId: `sid-${sub}`, ttlMs: 60_000 });
    expect(await store.sessionsOf({ subject: sub, idpSessionId: null }, h.clock.now())).toEqual([s.id]);
    const later = h.clock.now() + 61_000;
    expect(await store.sessionsOf({ subject: sub, idpSessionId: null }, later)).toEqual([]);
    expect(await store.sessionsOf({ subject: null, idpSessionId: `sid-${sub}` }, later)).toEqual([]);
    await close();
  });
}

type OpenStore = () => Promise<{ store: TicketStore; close(): Promise<void> }>;

/** Every store rule, for one store: what each store's test file runs. */
export function storeRules(name: string, open: OpenStore) {
  ticketSecurity(name, open);
  loginStateRules(name, open);
  samlRules(name, open);
  sessionServiceRules(name, open);
  sessionLookupRules(name, open);
}
