import { connect } from 'node:net';
import { MissingPeerError } from './system-peer.js';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Checks that the Redis of TEST_REDIS_URL answers PING (a raw RESP exchange, no client library needed), or fails
 * naming the package. Returns the URL, for the test to give to its own client with a key prefix of its own.
 */
export function requireRedis(url = REDIS_URL, timeoutMs = 2_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const fail = (reason: string) => {
      socket.destroy();
      reject(new MissingPeerError(`Redis at ${url} (${reason}); start it or set TEST_REDIS_URL`, 'redis-server'));
    };
    socket.setTimeout(timeoutMs, () => fail('timeout'));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve(url);
      else fail(`unexpected answer ${JSON.stringify(data.toString().slice(0, 40))}`);
    });
  });
}
