/**
 * pnpm bench (keycloak-cas-bridge): /p3/serviceValidate on fresh tickets for the memory, SQLite and Redis stores,
 * /login with an existing SSO session (302 with a ticket), and the full login an application sees (SSO session ->
 * /login 302 -> validation of the ticket it gave), with autocannon on loopback. Each is a ratio to a
 * bare node:http server answering a fixed 300-byte XML body, measured in the same run, the same way (autocannon,
 * 20 connections, in a child process). Then p50/p99 at half each one's maximum rate.
 * Rates come from fixed-duration runs (autocannon ends amount-based runs on whole-second ticks, too coarse here).
 * Usage: pnpm bench [-- --seconds 5]
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { requireRedis, tempDir } from '@apps-education/testkit';
import { serviceTicket } from '../src/core/issue.js';
import type { SsoSession, TicketStore } from '../src/core/records.js';
import { parseServiceUrl } from '../src/core/service-url.js';
import { newTicket } from '../src/core/tickets.js';
import { startBridgeUnderTest } from '../test/integration/bridge.js';

const arg = process.argv.indexOf('--seconds');
const SECONDS = arg > 0 ? Number(process.argv[arg + 1]) : 5;
// Enough fresh tickets for the fastest store at full speed, plus the half-rate run.
const TICKETS = SECONDS * 30_000;
const CONNECTIONS = 20;
const SERVICE = 'https://app.ac-test.fr/';
const REGISTRY = `services:\n  - { id: app, name: App, match: { prefix: "${SERVICE}" }, attributes: { mail: email, memberOf: groups } }\n`;

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

/**
 * autocannon in a child process: the load generator gets its own event loop and heap, as a real client population
 * is other machines (not a worker thread: autocannon there acts as one of its own workers and returns no summary). (In this process it shared the bridge's event loop and garbage collector: the rates then
 * measured the pair, and the client's GC pauses landed in the bridge's p99.) `paths` is a list consumed from its end
 * (fresh tickets), or one fixed path.
 */
const CANNON = `
const autocannon = require('autocannon');
const { url, paths, fallback, seconds, rate, headers, connections, fullLogin } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const list = Array.isArray(paths) ? paths : null;
let refused = 0;
const started = performance.now();
autocannon(
  {
    url,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    headers,
    requests: fullLogin
      ? [
          {
            path: fullLogin.login,
            headers: fullLogin.headers,
            // The ticket in the 302's Location, for the next request of this connection.
            onResponse: (status, _body, context, responseHeaders) => {
              const flat = Array.isArray(responseHeaders) ? responseHeaders : Object.entries(responseHeaders ?? {}).flat();
              const at = flat.findIndex((h, i) => i % 2 === 0 && String(h).toLowerCase() === 'location');
              const location = at >= 0 ? String(flat[at + 1]) : '';
              context.ticket = status === 302 ? (/[?&]ticket=([^&]+)/.exec(location)?.[1] ?? 'ST-none') : 'ST-none';
            },
          },
          {
            setupRequest: (req, context) => ({ ...req, headers: {}, path: fullLogin.validate + context.ticket }),
            onResponse: (_status, body) => {
              if (!String(body).includes('authenticationSuccess')) refused++;
            },
          },
        ]
      : [{ setupRequest: (req) => ({ ...req, path: list ? (list.pop() ?? fallback) : paths }) }],
  },
  (error, result) => {
    if (error) throw error;
    process.stdout.write(JSON.stringify({
      seconds: (performance.now() - started) / 1000,
      total: result.requests.total,
      non2xx: result.non2xx,
      statusCodes: result.statusCodeStats,
      p50: result.latency.p50,
      p99: result.latency.p99,
      remaining: list ? list.length : 0,
      refused,
    }));
  },
);
`;

async function cannon(
  url: string,
  paths: readonly string[] | string,
  options: {
    seconds: number;
    rate?: number;
    headers?: Record<string, string>;
    fallback?: string;
    fullLogin?: { login: string; headers: Record<string, string>; validate: string };
  },
): Promise<
  Run & { remaining: number; total: number; statusCodes: Record<string, { count: number }>; refused: number }
> {
  const result = await new Promise<{
    seconds: number;
    total: number;
    non2xx: number;
    p50: number;
    p99: number;
    remaining: number;
    statusCodes: Record<string, { count: number }>;
    refused: number;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CANNON], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(output));
      else reject(new Error(`autocannon exited with ${code}`));
    });
    child.stdin.end(JSON.stringify({ url, paths, connections: CONNECTIONS, ...options }));
  });
  if (result.non2xx > 0 && !options.headers && !options.fullLogin)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers`);
  // autocannon's own duration is rounded to whole seconds: the run is timed in the child for the rate.
  return {
    rps: result.total / result.seconds,
    p50: result.p50,
    p99: result.p99,
    remaining: result.remaining,
    total: result.total,
    statusCodes: result.statusCodes,
    refused: result.refused,
  };
}

const body =
  `<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess><cas:user>alice</cas:user>${'<cas:attributes/>'.repeat(9)}</cas:authenticationSuccess></cas:serviceResponse>`.padEnd(
    300,
    ' ',
  );
const bare = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(body);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareAddress = bare.address();
const bareUrl = `http://127.0.0.1:${typeof bareAddress === 'object' && bareAddress ? bareAddress.port : 0}`;
await cannon(bareUrl, '/', { seconds: 1 }); // warm-up
const baseline = await cannon(bareUrl, '/', { seconds: SECONDS });
const baselineHalf = await cannon(bareUrl, '/', { seconds: SECONDS, rate: Math.floor(baseline.rps / 2) });
console.log(
  `baseline bare node:http (300-byte XML): ${baseline.rps.toFixed(0)} req/s, p50 ${baselineHalf.p50} ms, p99 ${baselineHalf.p99} ms at half rate`,
);

const session = (): SsoSession => ({
  id: newTicket('TGC'),
  subject: 'bench',
  claims: { preferred_username: 'alice', email: 'alice@ac-test.fr', groups: ['admin_maths-4e-b', 'member_sciences'] },
  authenticationDate: new Date().toISOString(),
  idToken: null,
  idpSessionId: null,
  services: [],
  expiresAt: Date.now() + 3_600_000,
});

async function issue(store: TicketStore, s: SsoSession, count: number): Promise<string[]> {
  const parsed = parseServiceUrl(SERVICE);
  if (!parsed.ok) throw new Error('service');
  const registered = {
    id: 'app',
    name: 'App',
    match: { kind: 'prefix' as const, url: parsed.url },
    attributes: {},
    usernameAttribute: 'preferred_username',
    proxy: { allowed: false, targets: [], callbacks: [], allowPrivateNetworks: false },
    logout: { type: 'none' as const, url: null },
    accessGroups: [],
    forceRenew: false,
  };
  const ids: string[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const ticket = serviceTicket({
      id: newTicket('ST'),
      service: parsed.url,
      registered,
      session: s,
      principal: {
        user: 'alice',
        attributes: { mail: ['alice@ac-test.fr'], memberOf: ['admin_maths-4e-b', 'member_sciences'] },
      },
      fromNewLogin: false,
      now: Date.now(),
      ttlMs: 300_000,
    });
    pending.push(store.putTicket(ticket));
    ids.push(ticket.id);
    if (pending.length === 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return ids;
}

const line = (name: string, run: Run, half: Run) =>
  console.log(
    `${name}: ${run.rps.toFixed(0)} req/s (${(run.rps / baseline.rps).toFixed(2)} vs baseline), p50 ${half.p50} ms, p99 ${half.p99} ms at half rate`,
  );

const dir = await tempDir('cas-bench-');
const stores: [string, Record<string, unknown>][] = [
  ['memory', { type: 'memory' }],
  ['sqlite', { type: 'sqlite', path: join(dir.path, 'bench.db') }],
];
try {
  stores.push([
    'redis',
    { type: 'redis', url: await requireRedis(), prefix: `bench-${randomBytes(4).toString('hex')}:` },
  ]);
} catch (error) {
  console.log(`redis: not measured (${error instanceof Error ? error.message.split('.')[0] : error})`);
}

for (const [name, store] of stores) {
  const t = await startBridgeUnderTest({ registry: REGISTRY, store });
  const s = session();
  await t.bridge.store.putSession(s);
  const validateUrl = (id: string) => `/cas/p3/serviceValidate?service=${encodeURIComponent(SERVICE)}&ticket=${id}`;
  const warm = (await issue(t.bridge.store, s, 5_000)).map(validateUrl);
  await cannon(t.bridge.address, warm, { seconds: 1, fallback: validateUrl('ST-exhausted') });
  const tickets = (await issue(t.bridge.store, s, TICKETS)).map(validateUrl);
  const run = await cannon(t.bridge.address, tickets, { seconds: SECONDS });
  if (run.remaining === 0) throw new Error(`${name}: ran out of fresh tickets; raise TICKETS`);
  // The child used the end of the list: the half-rate run takes what it left.
  const half = await cannon(t.bridge.address, tickets.slice(0, run.remaining), {
    seconds: SECONDS,
    rate: Math.floor(run.rps / 2),
  });
  if (half.remaining === 0) throw new Error(`${name}: ran out of fresh tickets; raise TICKETS`);
  line(`${name} /p3/serviceValidate (fresh tickets)`, run, half);

  const loginPath = `/cas/login?service=${encodeURIComponent(SERVICE)}`;
  const headers = { cookie: `CASTGC=${s.id}` };
  const login = await cannon(t.bridge.address, loginPath, { seconds: SECONDS, headers });
  const loginHalf = await cannon(t.bridge.address, loginPath, {
    seconds: SECONDS,
    headers,
    rate: Math.floor(login.rps / 2),
  });
  line(`${name} /login with an SSO session (302 + ticket)`, login, loginHalf);

  // What an application sees: /login gives a 302 with a ticket, the application validates it (2 requests).
  const fullLogin = {
    login: loginPath,
    headers,
    validate: `/cas/p3/serviceValidate?service=${encodeURIComponent(SERVICE)}&ticket=`,
  };
  const full = await cannon(t.bridge.address, '/', { seconds: SECONDS, fullLogin });
  const fullHalf = await cannon(t.bridge.address, '/', { seconds: SECONDS, fullLogin, rate: Math.floor(full.rps / 2) });
  const codes = Object.entries(full.statusCodes)
    .map(([code, stat]) => `${code}: ${stat.count}`)
    .join(', ');
  if (Object.keys(full.statusCodes).some((code) => code !== '200' && code !== '302') || full.refused > 0)
    throw new Error(`${name} full login: unexpected answers (${codes}; ${full.refused} validations refused)`);
  console.log(
    `${name} full login (SSO /login 302 -> validate): ${(full.rps / 2).toFixed(0)} logins/s = ${full.rps.toFixed(0)} req/s (${(full.rps / baseline.rps).toFixed(2)} vs baseline), p50 ${fullHalf.p50} ms, p99 ${fullHalf.p99} ms per request at half rate [${codes}]`,
  );
  await t.close();
}
bare.close();
await dir.remove();
