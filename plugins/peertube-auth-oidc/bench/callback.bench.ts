/**
 * pnpm bench (peertube-auth-oidc): server time of the OIDC callback (p50/p99 over N logins) in the strict PeerTube
 * host (6.3.3) on PostgreSQL, loading the tarball `pnpm build` ships:
 * - with 10 linked people, then with 100,000 (users, accounts and links as PeerTube and the plugin keep them): the
 *   goal is p50 and p99 at 100,000 within 1.2x of the figures at 10 (the links are found by primary key);
 * - each as a ratio to a bare Express handler of the same host timed the same way (the baseline);
 * - the IdP requests per login after warm-up (goal: 2, token and userinfo; no discovery, no JWKS).
 * The callback time includes the IdP's token and userinfo answers (testkit provider on loopback). Alternating the
 * callback and the baseline spreads machine noise over both. Usage: pnpm bench [-- --logins 500]
 */
import {
  buildArtefacts,
  createTestDatabase,
  createUserAgent,
  signInThroughForm,
  startOidcProvider,
  startPeerTubeHost,
  tempDir,
  unpackPeerTubePlugin,
} from '@apps-education/testkit';
import pg from 'pg';

const arg = process.argv.indexOf('--logins');
const LOGINS = arg > 0 ? Number(process.argv[arg + 1]) : 500;
const NPM_NAME = 'peertube-plugin-apps-auth-oidc';

buildArtefacts();
const dir = await tempDir('pt-oidc-bench-');
const database = await createTestDatabase('pt_oidc_bench');
const idp = await startOidcProvider({ loginHint: false });
const host = await startPeerTubeHost({
  databaseUrl: database.url,
  pluginDir: unpackPeerTubePlugin(NPM_NAME, dir.path),
  dataDir: dir.path,
  version: '6.3.3',
  rateLimits: { login: { windowMs: 300_000, max: 1_000_000 }, plugins: { windowMs: 10_000, max: 1_000_000 } },
});
const db = new pg.Pool({ connectionString: database.url, max: 2 });
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

/** Linked people as PeerTube and the plugin keep them: actor, user, account, link (by generate_series). */
async function linkPeople(upTo: number) {
  const existing = Number((await db.query('SELECT count(*) AS n FROM plugin_apps_auth_oidc_accounts')).rows[0]?.n);
  if (existing >= upTo) return;
  await db.query(
    `INSERT INTO actor (type, "preferredUsername") SELECT 'Person', 'bench' || i FROM generate_series($1::int, $2::int) i;
     INSERT INTO "user" (username, email, "pluginAuth") SELECT 'bench' || i, 'bench' || i || '@ac-test.fr', $3
       FROM generate_series($1::int, $2::int) i;
     INSERT INTO account (name, "userId", "actorId")
       SELECT u.username, u.id, a.id FROM "user" u JOIN actor a ON a."preferredUsername" = u.username
       WHERE u.username LIKE 'bench%' AND NOT EXISTS (SELECT 1 FROM account x WHERE x."userId" = u.id);
     INSERT INTO plugin_apps_auth_oidc_accounts (subject, user_id, email)
       SELECT 'bench-sub-' || u.id, u.id, u.email FROM "user" u
       WHERE u.username LIKE 'bench%' AND NOT EXISTS (SELECT 1 FROM plugin_apps_auth_oidc_accounts x WHERE x.user_id = u.id);
     ANALYZE;`
      .replace(/\$1::int/g, String(existing + 1))
      .replace(/\$2::int/g, String(upTo))
      .replace(/\$3/g, `'${NPM_NAME}'`),
  );
}

async function measure(linked: number) {
  await linkPeople(linked);
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
  const links = Number((await db.query('SELECT count(*) AS n FROM plugin_apps_auth_oidc_accounts')).rows[0]?.n);
  return {
    links,
    c50: quantile(callback, 0.5),
    c99: quantile(callback, 0.99),
    b50: quantile(bare, 0.5),
    b99: quantile(bare, 0.99),
    requests: `token ${per('token')}, userinfo ${per('userinfo')}, discovery ${per('discovery')}, jwks ${per('jwks')}`,
  };
}

const small = await measure(10);
const large = await measure(100_000);
for (const run of [small, large]) {
  console.log(
    `callback with ${String(run.links).padStart(6)} links (${LOGINS} logins): p50 ${run.c50.toFixed(2)} ms (${(run.c50 / run.b50).toFixed(1)} vs baseline), p99 ${run.c99.toFixed(2)} ms (${(run.c99 / run.b99).toFixed(1)} vs baseline); baseline bare Express handler p50 ${run.b50.toFixed(2)} ms, p99 ${run.b99.toFixed(2)} ms`,
  );
}
const ratio50 = large.c50 / small.c50;
const ratio99 = large.c99 / small.c99;
console.log(
  `callback at 100,000 links / at 10: p50 ${ratio50.toFixed(2)}, p99 ${ratio99.toFixed(2)} (goal <= 1.2: ${ratio50 <= 1.2 && ratio99 <= 1.2 ? 'met' : 'not met'})`,
);
console.log(`IdP requests per login after warm-up: ${large.requests}`);
console.log(`plugin storage row after the run: ${JSON.stringify(await host.storage())}`);
await db.end();
await host.close();
await idp.close();
await database.drop();
await dir.remove();
