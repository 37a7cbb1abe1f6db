/**
 * `pnpm start`: the sandbox. Starts, with embedded defaults, the development OpenID provider (a Keycloak-shaped realm
 * with a real login form) and the LaBoite double, delivers a first notification through portal-events, and prints
 * the URLs and test accounts. Stops cleanly on Ctrl-C. Later plugins add their services here.
 *
 * Ports: SANDBOX_IDP_PORT (default 8180) and SANDBOX_PORTAL_PORT (default 8190); 0 picks free ones.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDeliveryWorker, createLaboiteClient, createOutbox } from '@apps-education/portal-events';
import { openSqliteOutboxStore } from '@apps-education/portal-events/sqlite';
import { startLaboiteDouble, startOidcProvider, TEST_USERS } from '@apps-education/testkit';

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
  await Promise.all([idp.close(), portal.close()]);
  console.log('Sandbox stopped / Bac à sable arrêté');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
