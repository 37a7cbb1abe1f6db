/**
 * pnpm bench (peertube-auth-saml2):
 * 1. Assertion validations per second on one core and their p99: the plugin's service provider (node-saml plus its
 *    own checks: Destination, Recipient, issuer, request id, single use) on a realistic response (RSA-2048, SHA-256,
 *    signed assertion encrypted to the SP, a dozen attribute values), as a ratio to a bare xml-crypto signature check
 *    of the same signed assertion in the same run. The IdP's side (signing, encrypting) is made before timing.
 * 2. The whole ACS callback's server time, p50/p99 over N logins through the local SimpleSAMLphp, in the strict
 *    PeerTube host (6.3.3) on PostgreSQL loading the tarball `pnpm build` ships, as a ratio to a bare Express
 *    handler of the same host timed the same way (alternated, so machine noise falls on both).
 * Usage: pnpm bench [-- --validations 400 --logins 500]
 */
import { randomBytes } from 'node:crypto';
import { generateSpCredentials, parseIdpMetadata } from '@apps-education/saml-login';
import {
  buildArtefacts,
  createSamlForger,
  createUserAgent,
  startPluginInHost,
  startSimpleSamlIdp,
  xmlText,
} from '@apps-education/testkit';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { createServiceProvider } from '../src/adapters/saml.js';
import { issueRequestId } from '../src/core/request-ids.js';
import { parseSettings } from '../src/core/settings.js';
import { NPM_NAME, PEOPLE, signIn, spFromMetadata } from '../test/integration/saml-idp.js';

const number = (flag: string, fallback: number) => {
  const at = process.argv.indexOf(flag);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const VALIDATIONS = number('--validations', 400);
const LOGINS = number('--logins', 500);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

// 1. Validations on one core.
const forger = await createSamlForger();
const metadata = parseIdpMetadata(forger.metadataXml());
if (!metadata.ok) throw new Error(metadata.error.en);
const settings = parseSettings({ 'idp-metadata-xml': forger.metadataXml() });
if (!settings.ok) throw new Error(settings.errors[0]?.en);
const spKey = await generateSpCredentials({ commonName: 'peertube.ac-test.fr' });
const endpoints = {
  entityId: 'https://peertube.ac-test.fr/plugins/apps-auth-saml2/router/metadata.xml',
  acsUrl: 'https://peertube.ac-test.fr/plugins/apps-auth-saml2/router/assertion-consumer',
  sloUrl: 'https://peertube.ac-test.fr/plugins/apps-auth-saml2/router/logout',
};
const sealing = randomBytes(32);
const used = new Set<string>();
const sp = createServiceProvider({
  metadata: metadata.value,
  settings: settings.settings,
  sp: endpoints,
  key: spKey,
  keys: async () => [sealing],
  singleUse: {
    claim: async (key) => {
      if (used.has(key)) return false;
      used.add(key);
      return true;
    },
  },
});
const attributes = {
  'urn:oid:0.9.2342.19200300.100.1.1': ['amartin'],
  'urn:oid:0.9.2342.19200300.100.1.3': ['alice.martin@ac-test.fr'],
  'urn:oid:2.16.840.1.113730.3.1.241': [xmlText('Alice Martin')],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['member', 'staff', 'employee'],
  'urn:oid:1.3.6.1.4.1.5923.1.5.1.1': [
    'admin_sciences',
    'member_lycee-victor-hugo',
    'member_maths',
    'animator_numerique',
  ],
};
const documents = await Promise.all(
  Array.from({ length: VALIDATIONS }, async () => {
    const { id } = issueRequestId(sealing, Date.now(), 3_600_000);
    const xml = forger.response({
      destination: endpoints.acsUrl,
      recipient: endpoints.acsUrl,
      audience: endpoints.entityId,
      inResponseTo: id,
      nameIdXml: randomBytes(16).toString('hex'),
      attributes,
    });
    const signed = forger.sign(xml, /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)?.[1] ?? '');
    const encrypted = await forger.encryptAssertion(signed, spKey.certificatePem);
    return { id, signed, response: Buffer.from(encrypted).toString('base64') };
  }),
);
const bareCheck = (signed: string) => {
  const doc = new DOMParser().parseFromString(signed, 'text/xml');
  const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
  const verifier = new SignedXml({ publicCert: forger.signing.cert });
  if (!signature) throw new Error('no signature');
  verifier.loadSignature(signature);
  if (!verifier.checkSignature(signed)) throw new Error('bare check failed');
};
// Warm-up, then alternate the two in rounds so both see the same machine.
for (const doc of documents.slice(0, 20)) bareCheck(doc.signed);
const ours: number[] = [];
const bare: number[] = [];
let oursTotal = 0;
let bareTotal = 0;
for (const doc of documents) {
  let started = performance.now();
  bareCheck(doc.signed);
  const b = performance.now() - started;
  bare.push(b);
  bareTotal += b;
  started = performance.now();
  await sp.finishLogin({ SAMLResponse: doc.response, RelayState: doc.id }, doc.id);
  const o = performance.now() - started;
  ours.push(o);
  oursTotal += o;
}
const oursRate = (VALIDATIONS / oursTotal) * 1000;
const bareRate = (VALIDATIONS / bareTotal) * 1000;
console.log(
  `validations (signed and encrypted response, RSA-2048/SHA-256, ${VALIDATIONS}): ${oursRate.toFixed(0)}/s, p99 ${quantile(ours, 0.99).toFixed(2)} ms (${(oursRate / bareRate).toFixed(2)} vs baseline); baseline bare xml-crypto signature check of the same assertion ${bareRate.toFixed(0)}/s, p99 ${quantile(bare, 0.99).toFixed(2)} ms`,
);
await forger.close();

// 2. The ACS callback in the strict host, through SimpleSAMLphp.
buildArtefacts();
const idp = await startSimpleSamlIdp({ users: PEOPLE });
const running = await startPluginInHost(NPM_NAME, { version: '6.3.3' });
const { host } = running;
idp.setServiceProviders([await spFromMetadata(host)]);
await host.updateSettings({ 'idp-metadata-url': idp.metadataUrl, 'allowed-groups': 'member, staff' });
const acs: number[] = [];
const express: number[] = [];
const timedLogin = async () => {
  const agent = createUserAgent();
  const form = await idp.signIn(agent, host.authUrl('apps-saml2'), 'alice', 'alicepass');
  const started = performance.now();
  const answer = await agent.request(form.action, {
    form: { SAMLResponse: form.SAMLResponse ?? '', RelayState: form.RelayState ?? '' },
  });
  const elapsed = performance.now() - started;
  if (!answer.location?.includes('externalAuthToken=')) throw new Error(`ACS refused: ${answer.status}`);
  return elapsed;
};
const bareHandler = async () => {
  const started = performance.now();
  await (await fetch(`${host.url}/login?externalAuthToken=x`)).text();
  return performance.now() - started;
};
await signIn(host, idp, 'alice');
for (let i = 0; i < 20; i++) {
  await timedLogin();
  await bareHandler();
}
for (let i = 0; i < LOGINS; i++) {
  acs.push(await timedLogin());
  express.push(await bareHandler());
}
const [a50, a99, e50, e99] = [quantile(acs, 0.5), quantile(acs, 0.99), quantile(express, 0.5), quantile(express, 0.99)];
console.log(
  `ACS callback (${LOGINS} logins through SimpleSAMLphp): p50 ${a50.toFixed(2)} ms (${(a50 / e50).toFixed(1)} vs baseline), p99 ${a99.toFixed(2)} ms (${(a99 / e99).toFixed(1)} vs baseline); baseline bare Express handler p50 ${e50.toFixed(2)} ms, p99 ${e99.toFixed(2)} ms`,
);
console.log(`plugin storage row after the run: ${JSON.stringify(await host.storage())}`);
await running.close();
await idp.close();
