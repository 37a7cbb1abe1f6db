import { PassThrough } from 'node:stream';
import { waitFor } from '@apps-education/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BridgeUnderTest, startBridgeUnderTest } from './bridge.js';

const REGISTRY = `
services:
  - id: app
    name: App
    match: { prefix: "https://app.ac-test.fr/" }
    proxy: { allowed: true, targets: [{ prefix: "https://api.ac-test.fr/" }] }
`;

let t: BridgeUnderTest;
const logLines: { level: number; msg: string }[] = [];
beforeAll(async () => {
  const logs = new PassThrough();
  logs.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      try {
        logLines.push(JSON.parse(line) as { level: number; msg: string });
      } catch {
        // not a log line
      }
    }
  });
  t = await startBridgeUnderTest({ registry: REGISTRY, logStream: logs });
});
afterAll(() => t.close());

/** The routes the bridge registered (onRoute), with their path parameters and wildcards filled in by the fuzzer. */
const routes = () =>
  (t.bridge.app as unknown as { casRoutes: { method: string; url: string }[] }).casRoutes.filter(
    (r) => r.method !== 'HEAD',
  );

const names = [
  'service',
  'ticket',
  'pgtUrl',
  'renew',
  'gateway',
  'warn',
  'method',
  'format',
  'pgt',
  'targetService',
  'state',
  'code',
  'error',
  'url',
  'TARGET',
];
const value = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.webUrl({ withQueryParameters: true }),
  fc.constantFrom('ST-', 'PT-x', 'PGT-', 'true', 'false', 'JSON', 'XML', 'POST', '%00', '%0d%0a', '..', '//evil.fr'),
);
const soap = (artifact: string) =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"><samlp:AssertionArtifact>${artifact}</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
/** Bodies a client may send by mistake: malformed JSON, a cut multipart, XML with entities, too large, empty. */
const body = fc.oneof(
  fc.record({
    type: fc.constant('application/json'),
    payload: fc.constantFrom('{', '{"a":', '[1,', 'null', '"x"', '{}'),
  }),
  fc.record({
    type: fc.constant('multipart/form-data; boundary=XYZ'),
    payload: fc.constantFrom('--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n', 'garbage', ''),
  }),
  fc.record({ type: fc.constant('multipart/form-data'), payload: fc.constant('no boundary') }),
  fc.record({ type: fc.constant('application/x-www-form-urlencoded'), payload: fc.string({ maxLength: 200 }) }),
  fc.record({
    type: fc.constantFrom('text/xml', 'application/soap+xml'),
    payload: fc.constantFrom('<a/>', '<!DOCTYPE x [<!ENTITY e "e">]><a>&e;</a>', soap('ST-x'), soap('<b/>'), '<'),
  }),
  fc.record({ type: fc.constantFrom('text/xml', 'application/json'), payload: fc.constant('x'.repeat(70 * 1024)) }),
  fc.record({ type: fc.constantFrom('application/octet-stream', 'image/png', 'text/plain'), payload: fc.string() }),
);
const fill = (url: string, extra: string) =>
  url.replace(/:[A-Za-z]+/g, extra).replace(/\*$/, extra === '' ? '' : `x/${extra}`);

it('answers every client mistake with a 4xx, never a 5xx, and logs none at error level (12,000 requests over every route)', async () => {
  const all = routes();
  expect(all.map((r) => `${r.method} ${r.url}`)).toEqual(
    expect.arrayContaining(['GET /cas/login', 'POST /cas/samlValidate', 'GET /cas/p3/serviceValidate']),
  );
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...all),
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'route'),
      fc.constantFrom('', '..', '../..', '%2e%2e/%2e%2e', 'a/../../etc/passwd', '%00', 'x'),
      fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 6 }),
      fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
      fc.option(body, { nil: undefined }),
      async (route, methodChoice, extra, pairs, cookie, sent) => {
        const method = methodChoice === 'route' ? route.method : methodChoice;
        const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const response = await t.bridge.app.inject({
          method: method as 'GET',
          url: `${fill(route.url, extra)}?${query}`,
          headers: {
            ...(cookie === undefined ? {} : { cookie: `CASTGC=${encodeURIComponent(cookie)}` }),
            ...(sent && method !== 'GET' ? { 'content-type': sent.type } : {}),
          },
          ...(sent && method !== 'GET' ? { payload: sent.payload } : {}),
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        return response.statusCode < 500;
      },
    ),
    { numRuns: 12_000 },
  );
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  expect(logLines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
  expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
}, 300_000);

it('answers a body over the limit with 413, an unknown content type with 415, malformed JSON with 400', async () => {
  const post = (type: string, payload: string) =>
    t.bridge.app.inject({
      method: 'POST',
      url: '/cas/samlValidate?TARGET=https://app.ac-test.fr/',
      headers: { 'content-type': type },
      payload,
    });
  expect((await post('text/xml', 'x'.repeat(70 * 1024))).statusCode).toBe(413);
  expect((await post('image/png', 'x')).statusCode).toBe(415);
  expect((await post('application/json', '{')).statusCode).toBe(400);
  expect((await t.bridge.app.inject({ method: 'GET', url: '/cas/static/../../etc/passwd' })).statusCode).toBeLessThan(
    500,
  );
});

it('logs a client that disconnects mid-request below error level', async () => {
  const before = logLines.filter((l) => l.level >= 50).length;
  const linesBefore = logLines.length;
  const controller = new AbortController();
  const pending = fetch(`${t.publicUrl}/samlValidate?TARGET=https://app.ac-test.fr/`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('<SOAP-ENV:Envelope'));
        setTimeout(() => controller.abort(), 50);
      },
    }),
    signal: controller.signal,
    duplex: 'half',
  } as RequestInit).catch(() => null);
  await pending;
  // The bridge has handled the disconnection (its info line), not merely not yet.
  await waitFor(() => logLines.slice(linesBefore).some((l) => l.msg === 'client error'), 'the client error logged');
  expect(logLines.slice(linesBefore).filter((l) => l.msg === 'client error')).toHaveLength(1);
  expect(logLines.filter((l) => l.level >= 50).length).toBe(before);
  expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
});
