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
beforeAll(async () => {
  t = await startBridgeUnderTest({ registry: REGISTRY });
});
afterAll(() => t.close());

const endpoints = [
  'login',
  'logout',
  'logout/done',
  'validate',
  'serviceValidate',
  'proxyValidate',
  'p3/serviceValidate',
  'p3/proxyValidate',
  'proxy',
  'oidc/callback',
];
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
  fc.constantFrom(
    'ST-',
    'PT-x',
    'PGT-',
    'true',
    'false',
    'JSON',
    'XML',
    'POST',
    '%00',
    '%0d%0a',
    '..',
    '//evil.fr',
    'javascript:alert(1)',
  ),
);

const soap = (artifact: string) =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><samlp:Request xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"><samlp:AssertionArtifact>${artifact}</samlp:AssertionArtifact></samlp:Request></SOAP-ENV:Body></SOAP-ENV:Envelope>`;

it('never answers 5xx nor crashes, whatever the parameters, cookie or SAML body (10,000 cases)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...endpoints),
      fc.array(fc.tuple(fc.constantFrom(...names), value), { maxLength: 6 }),
      fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
      fc.oneof(
        fc.string({ maxLength: 400 }),
        fc.constantFrom('<a/>', '<!DOCTYPE x [<!ENTITY e "e">]><a>&e;</a>', soap('ST-x'), soap('<b/>')),
      ),
      async (endpoint, pairs, cookie, body) => {
        const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        const saml = endpoint === 'samlValidate';
        const response = await t.bridge.app.inject({
          method: saml ? 'POST' : 'GET',
          url: `/cas/${endpoint}?${query}`,
          headers: {
            ...(cookie === undefined ? {} : { cookie: `CASTGC=${encodeURIComponent(cookie)}` }),
            ...(saml ? { 'content-type': 'text/xml' } : {}),
          },
          ...(saml ? { payload: body } : {}),
        });
        return response.statusCode < 500 || (endpoint === 'login' && response.statusCode === 503);
      },
    ),
    { numRuns: 10_000 },
  );
  expect((await fetch(`${t.publicUrl}/healthz`)).status).toBe(200);
}, 300_000);
