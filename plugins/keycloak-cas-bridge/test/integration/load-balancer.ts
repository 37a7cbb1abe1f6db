import { createServer, request, type Server } from 'node:http';

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
