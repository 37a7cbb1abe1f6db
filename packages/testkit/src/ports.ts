import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a peer started next will take it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('freePort: no TCP address'));
      });
    });
  });
}
