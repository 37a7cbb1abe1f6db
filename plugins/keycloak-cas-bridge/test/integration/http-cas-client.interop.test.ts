import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { freePort } from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

/**
 * http-cas-client 0.4.3 (npm), a CAS 3 client no one here wrote, through the whole proxy chain:
 * app1 gets a PGT (pgtUrl callback), asks /proxy for a PT to app2; app2 validates it at /p3/proxyValidate, gets its
 * own PGT and proxies on to app3. Its pgtUrl is plain http, so the bridge runs with the unsafe test switch, and on
 * loopback, which each service's proxy policy allows (allowPrivateNetworks).
 * (It counts as interop: it starts several servers and is slower than unit tests, though it needs no Debian package.)
 */
type Handler = (req: unknown, res: unknown) => Promise<boolean>;
const httpCasClient = createRequire(import.meta.url)('http-cas-client') as (options: object) => Handler;

describe('interoperability with http-cas-client (CAS 3 proxy chain)', () => {
  let t: BridgeUnderTest;
  const servers: Server[] = [];
  const ports: number[] = [];

  async function app(
    port: number,
    proxy: object,
    respond: (req: {
      ticket?: { request(url: string): Promise<{ get(p: string): Promise<{ data: string }> }> };
      principal?: { user: string };
    }) => Promise<string>,
  ) {
    const handler = httpCasClient({
      casServerUrlPrefix: t.publicUrl,
      serverName: `http://127.0.0.1:${port}`,
      cas: 3,
      client: { proxy },
    });
    const server = createServer(async (req, res) => {
      try {
        if (!(await handler(req, res))) {
          res.end();
          return;
        }
        res.end(await respond(req as never));
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
  }

  beforeAll(async () => {
    ports.push(await freePort(), await freePort(), await freePort());
    const [p1, p2, p3] = ports;
    t = await startBridgeUnderTest({
      config: { unsafe: { allowHttpIssuer: true, allowHttpPgtUrl: true } },
      registry: `
services:
  - id: app1
    name: App 1 (proxy)
    match: { prefix: "http://127.0.0.1:${p1}/" }
    proxy: { allowed: true, targets: [{ prefix: "http://127.0.0.1:${p2}/" }], allowPrivateNetworks: true }
  - id: app2
    name: App 2 (proxied, proxies on)
    match: { prefix: "http://127.0.0.1:${p2}/" }
    attributes: { mail: email }
    proxy: { allowed: true, targets: [{ prefix: "http://127.0.0.1:${p3}/" }], allowPrivateNetworks: true }
  - id: app3
    name: App 3 (end of the chain)
    match: { prefix: "http://127.0.0.1:${p3}/" }
    attributes: { memberOf: groups }
`,
    });
    await app(p3 ?? 0, { acceptAny: true }, async (req) => `app3 sees ${req.principal?.user}`);
    await app(
      p2 ?? 0,
      { acceptAny: true, callbackUrl: `http://127.0.0.1:${p2}/proxyCallback`, receptorUrl: '/proxyCallback' },
      async (req) => {
        const app3 = await req.ticket?.request(`http://127.0.0.1:${p3}/`);
        return `app2 sees ${req.principal?.user}; ${(await app3?.get('/'))?.data}`;
      },
    );
    await app(p1 ?? 0, { callbackUrl: `http://127.0.0.1:${p1}/callback`, receptorUrl: '/callback' }, async (req) => {
      const app2 = await req.ticket?.request(`http://127.0.0.1:${p2}/`);
      return `app1 sees ${req.principal?.user}; ${(await app2?.get('/'))?.data}`;
    });
  });
  afterAll(async () => {
    for (const server of servers) server.close();
    await t?.close();
  });

  it('a person signs in at app1, and the PT chain reaches app2 and app3 as the same person', async () => {
    const agent = createUserAgent();
    const { hops } = await signIn(agent, `http://127.0.0.1:${ports[0]}/`, () => false, 'alice');
    const last = hops.at(-1);
    expect(
      last?.status,
      hops.map((h) => `${h.status} ${h.url} -> ${h.location}\n${h.body.slice(0, 300)}`).join('\n'),
    ).toBe(200);
    expect(last?.body).toBe('app1 sees alice; app2 sees alice; app3 sees alice');
  });
});
