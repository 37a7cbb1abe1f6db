import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressNotPublicError, createOutbound, isPublicAddress } from '../src/adapters/outbound-http.js';

/** The bridge's outgoing calls: public addresses only for pgtUrl, and a total deadline whatever the server does. */
describe('outbound calls', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/trickle')) {
        // Headers at once, then a byte every 100 ms for 10 s: never idle, never done.
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 100);
        setTimeout(() => {
          clearInterval(timer);
          res.end();
        }, 10_000);
        req.on('close', () => clearInterval(timer));
        return;
      }
      res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const resolvingTo =
    (address: string) => (_host: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) =>
      callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);

  it.each([
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['127.0.0.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:192.168.0.1', false],
    ['8.8.8.8', true],
    ['2001:4860:4860::8888', true],
    ['193.49.0.1', true],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('refuses a host that resolves to a private address when only public ones are allowed, before connecting', async () => {
    const call = createOutbound({ timeoutMs: 2_000, lookup: resolvingTo('10.0.0.5') as never });
    await expect(call({ url: `http://internal.ac-test.fr:${port}/`, method: 'GET', publicOnly: true })).rejects.toThrow(
      AddressNotPublicError,
    );
  });

  it('refuses an IP literal in a private range when only public ones are allowed', async () => {
    const call = createOutbound({ timeoutMs: 2_000 });
    await expect(call({ url: `http://127.0.0.1:${port}/`, method: 'GET', publicOnly: true })).rejects.toThrow(
      AddressNotPublicError,
    );
  });

  it('reaches a private address when the service allows it', async () => {
    const call = createOutbound({ timeoutMs: 2_000, lookup: resolvingTo('127.0.0.1') as never });
    expect(await call({ url: `http://service.ac-test.fr:${port}/`, method: 'GET' })).toBe(200);
  });

  it('gives up at the total deadline on a server that keeps trickling bytes (an idle timeout would wait 10 s)', async () => {
    const call = createOutbound({ timeoutMs: 500 });
    await expect(call({ url: `http://127.0.0.1:${port}/trickle`, method: 'GET' })).rejects.toThrow(
      /no complete answer within 500 ms/,
    );
  });
});
