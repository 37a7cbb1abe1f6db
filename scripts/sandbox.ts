/**
 * `pnpm start`: the sandbox. Starts, with embedded defaults, the development OpenID provider (a Keycloak-shaped realm
 * with a real login form), the LaBoite double, and the CAS bridge (SQLite store) in front of the provider with a
 * small CAS-protected demo page; delivers a first notification through portal-events, and prints the URLs and test
 * accounts. Stops cleanly on Ctrl-C. Later plugins add their services here.
 *
 * bbb-upload runs too (https with the sandbox's own certificate authority, in .sandbox/bbb-ca: BigBlueButton only
 * downloads documents over https) against the BigBlueButton API double, which downloads every document as bbb-web.
 *
 * nextcloud-laboite's front end (the app tarball `pnpm build` made, built first if missing) runs on the Nextcloud
 * page double: its settings page, the Files action "Share with a portal group" and the dashboard widget, with the
 * LaBoite double as the portal.
 *
 * Ports: SANDBOX_IDP_PORT (8180), SANDBOX_PORTAL_PORT (8190), SANDBOX_CAS_PORT (8200), SANDBOX_CAS_MONITORING_PORT
 * (8201: the bridge's /readyz and /metrics), SANDBOX_DEMO_PORT (8210), SANDBOX_BBB_UPLOAD_PORT (8220),
 * SANDBOX_BBB_UPLOAD_MONITORING_PORT (8221), SANDBOX_NEXTCLOUD_PORT (8230); 0 picks free ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createDeliveryWorker, createLaboiteClient, createOutbox } from '@apps-education/portal-events';
import { openSqliteOutboxStore } from '@apps-education/portal-events/sqlite';
import {
  artefact,
  buildArtefacts,
  createTestCertificateAuthority,
  DEFAULT_GROUPS,
  freePort,
  startBbbDouble,
  startLaboiteDouble,
  startNextcloudPageDouble,
  startOidcProvider,
  TEST_USERS,
  unpackNextcloudApp,
} from '@apps-education/testkit';
import { parseConfig as parseBbbUploadConfig, startService as startBbbUpload } from 'bbb-upload';
import { parseConfig, startBridge } from 'keycloak-cas-bridge';

const port = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number (0-65535), not "${raw}" / ${name} doit être un numéro de port`);
    process.exit(2);
  }
  return value;
};

const apiKey = 'sandbox-api-key';
const stateDir = join(new URL('..', import.meta.url).pathname, '.sandbox');
mkdirSync(stateDir, { recursive: true });

const idp = await startOidcProvider({
  realm: 'apps',
  port: port('SANDBOX_IDP_PORT', 8180),
  loginHint: false,
  clients: [
    {
      client_id: 'sandbox-app',
      client_secret: 'sandbox-secret',
      redirect_uris: ['http://127.0.0.1:9000/callback', 'http://localhost:9000/callback'],
      post_logout_redirect_uris: ['http://127.0.0.1:9000/', 'http://localhost:9000/'],
    },
  ],
});
const portal = await startLaboiteDouble({ apiKeys: [apiKey], port: port('SANDBOX_PORTAL_PORT', 8190) });

// The CAS bridge in front of the provider, and a demo application protected by CAS.
const casPort = port('SANDBOX_CAS_PORT', 8200) || (await freePort());
const casMonitoringPort = port('SANDBOX_CAS_MONITORING_PORT', 8201);
const demoPort = port('SANDBOX_DEMO_PORT', 8210) || (await freePort());
const casUrl = `http://127.0.0.1:${casPort}/cas`;
const demoUrl = `http://127.0.0.1:${demoPort}/`;
idp.addClient({
  client_id: 'cas-bridge',
  client_secret: 'cas-bridge-secret',
  redirect_uris: [`${casUrl}/oidc/callback`],
  post_logout_redirect_uris: [`${casUrl}/logout/done`],
});
const registryPath = join(stateDir, 'services.yml');
writeFileSync(
  registryPath,
  `services:\n  - id: demo\n    name: Application de démonstration\n    match: { prefix: "${demoUrl}" }\n    attributes: { mail: email, displayName: name, memberOf: groups }\n`,
);
const cas = await startBridge(
  parseConfig({
    publicUrl: casUrl,
    listen: { host: '127.0.0.1', port: casPort },
    oidc: { issuer: idp.issuer, clientId: 'cas-bridge', clientSecret: 'cas-bridge-secret' },
    registry: registryPath,
    store: { type: 'sqlite', path: join(stateDir, 'cas-bridge.db') },
    unsafe: { allowHttpIssuer: true },
    monitoring: { listen: { host: '127.0.0.1', port: casMonitoringPort } },
  }),
  { logLevel: 'warn' },
);
const demo = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', demoUrl);
  const ticket = url.searchParams.get('ticket');
  const page = (body: string) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Démo CAS</title></head><body><main><h1>Application de démonstration (CAS)</h1>${body}</main></body></html>`,
    );
  };
  if (!ticket) {
    page(
      `<p>Cette page est protégée par le pont CAS. / This page is protected by the CAS bridge.</p><p><a href="${casUrl}/login?service=${encodeURIComponent(demoUrl)}">Se connecter par CAS / Sign in with CAS</a></p>`,
    );
    return;
  }
  const answer = await fetch(
    `${casUrl}/p3/serviceValidate?service=${encodeURIComponent(demoUrl)}&ticket=${encodeURIComponent(ticket)}&format=JSON`,
  );
  const json = (await answer.json()) as {
    serviceResponse: { authenticationSuccess?: { user: string; attributes?: Record<string, string[]> } };
  };
  const success = json.serviceResponse.authenticationSuccess;
  const esc = (v: string) => v.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  page(
    success
      ? `<p>Connecté en tant que / Signed in as <strong>${esc(success.user)}</strong></p><dl>${Object.entries(
          success.attributes ?? {},
        )
          .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v.join(', '))}</dd>`)
          .join(
            '',
          )}</dl><p><a href="${casUrl}/logout?service=${encodeURIComponent(demoUrl)}">Se déconnecter / Sign out</a></p>`
      : `<p>Ticket refusé / Ticket refused.</p><p><a href="${demoUrl}">Recommencer / Start again</a></p>`,
  );
});
await new Promise<void>((resolve) => demo.listen(demoPort, '127.0.0.1', resolve));

// bbb-upload: rooms prepared with their documents, in front of the BigBlueButton double.
const bbbUploadPort = port('SANDBOX_BBB_UPLOAD_PORT', 8220) || (await freePort());
const bbbUploadMonitoringPort = port('SANDBOX_BBB_UPLOAD_MONITORING_PORT', 8221);
const bbbUploadUrl = `https://127.0.0.1:${bbbUploadPort}`;
const caDir = join(stateDir, 'bbb-ca');
mkdirSync(caDir, { recursive: true });
const ca = createTestCertificateAuthority(caDir);
const certificate = ca.issue(['127.0.0.1', 'localhost'], 'bbb-upload');
const bbb = await startBbbDouble({ ca: ca.cert, allowLoopbackDocuments: true });
idp.addClient({
  client_id: 'bbb-upload',
  client_secret: 'bbb-upload-secret',
  redirect_uris: [`${bbbUploadUrl}/oidc/callback`],
});
const bbbUpload = await startBbbUpload(
  parseBbbUploadConfig(
    {
      publicUrl: bbbUploadUrl,
      listen: { host: '127.0.0.1', port: bbbUploadPort },
      tls: { certFile: certificate.certPath, keyFile: certificate.keyPath },
      oidc: { issuer: idp.issuer, clientId: 'bbb-upload', clientSecret: 'bbb-upload-secret' },
      bbb: { url: bbb.url },
      database: { type: 'sqlite', path: join(stateDir, 'bbb-upload.db') },
      storage: { type: 'local', dir: join(stateDir, 'bbb-upload-documents') },
      laboite: { url: portal.url },
      monitoring: { listen: { host: '127.0.0.1', port: bbbUploadMonitoringPort } },
      unsafe: { allowHttpIssuer: true },
    },
    {
      BBB_UPLOAD_SECRET: 'sandbox-secret-0123456789abcdef0123456789abcdef',
      BBB_UPLOAD_BBB_SECRET: bbb.secret,
      BBB_UPLOAD_LABOITE_API_KEY: apiKey,
    },
  ),
  { logLevel: 'warn' },
);

// nextcloud-laboite: the app's pages on the Nextcloud page double, the LaBoite double as the portal.
const laboiteApp = (() => {
  try {
    artefact('laboite-');
  } catch {
    console.log('Building the artefacts once (pnpm build) / Construction des artefacts (pnpm build)...');
    buildArtefacts();
  }
  return unpackNextcloudApp('laboite', join(stateDir, 'nextcloud'));
})();
portal.signedIn = 'alice';
const nextcloud = await startNextcloudPageDouble({
  appDir: laboiteApp,
  port: port('SANDBOX_NEXTCLOUD_PORT', 8230),
  users: { admin: 'Administrateur', alice: 'Alice Martin', bob: 'Bob Durand', chloe: 'Chloé Petit' },
  portalGroups: DEFAULT_GROUPS.map((g) => ({ id: g._id, name: g.name, slug: g.slug, members: g.members })),
  files: {
    alice: { 'Cours de maths.pdf': 31, 'Sujet du contrôle.odt': 31, 'Reçu en lecture seule.pdf': 1 },
    bob: { 'Notes.txt': 31 },
    chloe: { 'Expérience.odt': 31 },
    admin: { 'Rapport.pdf': 31 },
  },
});
nextcloud.settings = { ...nextcloud.settings, portalUrl: portal.url, apiKeySet: true };

const store = openSqliteOutboxStore(join(stateDir, 'portal-events.db'));
const worker = createDeliveryWorker({
  store,
  client: createLaboiteClient({ baseUrl: portal.url, apiKey }),
  log: (entry) => console.log(JSON.stringify(entry)),
});
worker.start();
await createOutbox({ store }).enqueue({
  specVersion: 1,
  id: crypto.randomUUID(),
  type: 'share.created',
  occurredAt: new Date().toISOString(),
  source: 'sandbox',
  recipients: { users: ['alice'], groups: [] },
  data: {
    sharedBy: { username: 'bob', displayName: 'Bob Durand' },
    itemName: 'Bienvenue dans le bac à sable.pdf',
    itemType: 'file',
    link: `${portal.url}/`,
  },
});

const accounts = TEST_USERS.map(
  (u) => `    ${u.username} / ${u.password}   groups: ${u.groups.join(', ') || '(none)'}`,
).join('\n');
console.log(`
Sandbox ready / Bac à sable prêt

  OpenID provider (Keycloak realm "apps")
    issuer:     ${idp.issuer}
    discovery:  ${idp.discoveryUrl}
    client:     sandbox-app / sandbox-secret (redirect http://127.0.0.1:9000/callback)
  Test accounts / comptes de test (username / password):
${accounts}

  CAS bridge (SQLite store, in front of the provider)
    CAS server: ${casUrl}   (login: ${casUrl}/login; /readyz and /metrics: ${cas.monitoringAddress})
    demo page protected by CAS: ${demoUrl}

  bbb-upload (rooms prepared with their documents; SQLite, local storage)
    rooms:      ${bbbUploadUrl}/rooms   (https from the sandbox's own authority: accept it, or import ${ca.certPath})
    group visio: ${bbbUploadUrl}/groups/grpMathsXXXXXXXXX?name=Maths%204e%20B   (alice: moderator, bob: viewer)
    monitoring: ${bbbUpload.monitoringAddress}   (/readyz, /metrics)
    BigBlueButton double: ${bbb.url}   (it downloads every document it is given; after Start you land on its join address)

  nextcloud-laboite on the Nextcloud page double (its OCS API is a strict double: settings and shares are kept in memory)
    Files action:  ${nextcloud.pageFor('alice', 'files')}   (alice: two portal groups)
    settings:      ${nextcloud.pageFor('admin', 'settings')}
    dashboard:     ${nextcloud.pageFor('alice', 'dashboard')}

  LaBoite double (portal)
    received notifications: ${portal.url}/
    API:        POST ${portal.url}/api/notifications   X-API-KEY: ${apiKey}

Ctrl-C to stop / Ctrl-C pour arrêter
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  await store.close();
  demo.close();
  await cas.stop();
  await bbbUpload.stop();
  await bbb.close();
  await Promise.all([idp.close(), portal.close(), nextcloud.close()]);
  console.log('Sandbox stopped / Bac à sable arrêté');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
