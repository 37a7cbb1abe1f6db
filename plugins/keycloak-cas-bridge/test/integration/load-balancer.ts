import { createServer, request, type Server } from 'node:http';
import { freePort, type OidcProviderHandle } from '@apps-education/testkit';
import { type BridgeUnderTest, startBridgeUnderTest } from './bridge.js';

/** A round-robin HTTP load balancer for tests: request n goes to backend n mod N, headers and body as they are. */
export async function startRoundRobin(
  port: number,
  backends: readonly number[],
): Promise<{ hits: number[]; close(): void }> {
  const hits = backends.map(() => 0);
  let next = 0;
  const server: Server = createServer((req, res) => {
    const index = next++ % backends.length;
    hits[index] = (hits[index] ?? 0) + 1;
    const upstream = request(
      { host: '127.0.0.1', port: backends[index], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    hits,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Two bridge processes on one shared store behind a round-robin balancer: the public URL is the balancer's. */
export interface BridgePair {
  readonly a: BridgeUnderTest;
  readonly b: BridgeUnderTest;
  readonly publicUrl: string;
  readonly hits: number[];
  close(): Promise<void>;
}

export async function startBridgePair(options: {
  registry: string;
  idp: OidcProviderHandle;
  store: Record<string, unknown>;
  /** Where both bridges' JSON logs go. */
  logStream?: NodeJS.WritableStream;
}): Promise<BridgePair> {
  const lbPort = await freePort();
  const publicUrl = `http://127.0.0.1:${lbPort}/cas`;
  const a = await startBridgeUnderTest({ ...options, publicUrl });
  const b = await startBridgeUnderTest({ ...options, publicUrl, registerClient: false });
  const lb = await startRoundRobin(lbPort, [
    Number(new URL(a.bridge.address).port),
    Number(new URL(b.bridge.address).port),
  ]);
  return {
    a,
    b,
    publicUrl,
    hits: lb.hits,
    async close() {
      lb.close();
      await a.close();
      await b.close();
    },
  };
}
