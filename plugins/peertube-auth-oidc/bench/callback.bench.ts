/**
 * pnpm bench (peertube-auth-oidc): server time of the OIDC callback over N logins (p50/p99), as a ratio to a bare
 * Express handler of the same PeerTube host timed the same way, and the IdP requests per login after warm-up
 * (goal: 2, token and userinfo; no discovery, no JWKS). The IdP is the testkit's, on loopback; the callback time
 * includes its token and userinfo answers. Usage: pnpm bench [-- --logins 500]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin } from '@apps-education/build';
import {
  createTestDatabase,
  createUserAgent,
  signInThroughForm,
  startOidcProvider,
  startPeerTubeHost,
  tempDir,
} from '@apps-education/testkit';

const arg = process.argv.indexOf('--logins');
const LOGINS = arg > 0 ? Number(process.argv[arg + 1]) : 500;
const pluginDir = fileURLToPath(new URL('..', import.meta.url));

const dir = await tempDir('pt-oidc-bench-');
await buildPeerTubePlugin({ pluginDir, copy: ['languages'], outDir: join(dir.path, 'artefacts') });
const database = await createTestDatabase('pt_oidc_bench');
const idp = await startOidcProvider({ loginHint: false });
const host = await startPeerTubeHost({
  databaseUrl: database.url,
  pluginDir: join(pluginDir, 'dist', 'package'),
  dataDir: dir.path,
});
idp.addClient({
  client_id: 'peertube',
  client_secret: 's',
  redirect_uris: [`${host.url}/plugins/apps-auth-oidc/router/callback`],
});
await host.updateSettings({
  issuer: idp.issuer,
  'client-id': 'peertube',
  'client-secret': 's',
  'role-rules': 'admin_* = moderator',
});

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

async function oneLogin(): Promise<number> {
  const agent = createUserAgent();
  const { location } = await signInThroughForm(
    agent,
    host.authUrl('apps-oidc'),
    (u) => u.includes('/router/callback'),
    'alice',
  );
  if (!location) throw new Error('no callback');
  const started = performance.now();
  const answer = await agent.request(location);
  const elapsed = performance.now() - started;
  if (!answer.location?.includes('externalAuthToken=')) throw new Error(`callback failed: ${answer.status}`);
  return elapsed;
}

async function bareHandler(): Promise<number> {
  const started = performance.now();
  await (await fetch(`${host.url}/login?externalAuthToken=x`)).text();
  return performance.now() - started;
}

for (let i = 0; i < 20; i++) {
  await oneLogin();
  await bareHandler();
}
const before = new Map(idp.requests);
const callback: number[] = [];
const bare: number[] = [];
for (let i = 0; i < LOGINS; i++) {
  callback.push(await oneLogin());
  bare.push(await bareHandler());
}
const per = (name: string) => ((idp.requests.get(name) ?? 0) - (before.get(name) ?? 0)) / LOGINS;
const [c50, c99, b50, b99] = [
  quantile(callback, 0.5),
  quantile(callback, 0.99),
  quantile(bare, 0.5),
  quantile(bare, 0.99),
];
console.log(`baseline bare Express handler: p50 ${b50.toFixed(2)} ms, p99 ${b99.toFixed(2)} ms`);
console.log(
  `callback (${LOGINS} logins): p50 ${c50.toFixed(2)} ms (${(c50 / b50).toFixed(1)} vs baseline), p99 ${c99.toFixed(2)} ms (${(c99 / b99).toFixed(1)} vs baseline)`,
);
console.log(
  `IdP requests per login after warm-up: token ${per('token')}, userinfo ${per('userinfo')}, discovery ${per('discovery')}, jwks ${per('jwks')}`,
);
await host.close();
await idp.close();
await database.drop();
await dir.remove();
