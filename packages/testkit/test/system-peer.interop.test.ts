import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort, requireCommand, startPeer } from '../src/index.js';

/** The php -S processes listening on a port (the master and the workers it forked). */
const processesOn = (port: number) => {
  try {
    return execFileSync('pgrep', ['-f', `php -S 127.0.0.1:${port}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

describe('a system peer that forks workers', () => {
  it('stops with all its workers (php -S with PHP_CLI_SERVER_WORKERS)', async () => {
    const port = await freePort();
    const peer = await startPeer({
      name: 'php -S with workers',
      command: requireCommand('php', 'php-cli'),
      args: ['-S', `127.0.0.1:${port}`, '-t', '/tmp'],
      env: { PHP_CLI_SERVER_WORKERS: '3' },
      readyPort: port,
      forksWorkers: true,
    });
    expect(processesOn(port).length).toBe(4);
    await peer.stop();
    expect(processesOn(port)).toEqual([]);
  });
});
