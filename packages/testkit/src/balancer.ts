import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * A round-robin load balancer for tests: request n goes to backend n mod N (HTTP on 127.0.0.1), headers and body as
 * they are. With `tls`, it terminates https as a reverse proxy in front of replicas does.
 */
export async function startRoundRobin(
  port: number,
  backends: readonly number[],
  options: { tls?: { cert: string; key: string } } = {},
): Promise<{ hits: number[]; close(): void }> {
  const hits = backends.map(() => 0);
  let next = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
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
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    hits,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
