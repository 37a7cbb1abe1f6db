import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { type RunningPeer, requireCommand, startPeer } from './system-peer.js';
import { tempDir } from './tmp.js';

/**
 * A real Redis Sentinel deployment on loopback, as the platform would run it: one master, two replicas and three
 * sentinels (quorum 2), from Debian's `redis-server` and `redis-sentinel`. Failure detection is shortened (1 s
 * instead of 30 s) so that a failover takes a few seconds.
 */
export interface RedisSentinelHandle {
  readonly masterName: string;
  readonly sentinels: readonly { host: string; port: number }[];
  /** The port of the master the sentinels name now. */
  masterPort(): number;
  /** Kills the master with SIGKILL (a crash: no shutdown, no save) and gives its port. */
  killMaster(): number;
  /**
   * Waits until every sentinel names one master other than `oldPort`, it answers as a master and every surviving
   * replica replicates from it; gives its port.
   */
  waitForFailover(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Runs a redis-cli command against a port (a Redis or a sentinel), for checks. */
  cli(port: number, ...args: string[]): string;
  /** Logs of every process so far, for a failing test. */
  output(): string;
  close(): Promise<void>;
}

const MASTER_NAME = 'casmaster';
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedisSentinel(): Promise<RedisSentinelHandle> {
  const redisServer = requireCommand('redis-server', 'redis-server');
  const redisSentinel = requireCommand('redis-sentinel', 'redis-sentinel');
  const redisCli = requireCommand('redis-cli', 'redis-tools');
  const dir = await tempDir('redis-sentinel-');
  const peers = new Map<number, RunningPeer>();
  const cli = (port: number, ...args: string[]) => {
    const result = spawnSync(redisCli, ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
    return (result.stdout ?? '').trim();
  };
  const close = async () => {
    await Promise.all([...peers.values()].map((peer) => peer.stop()));
    await dir.remove();
  };
  try {
    const redisPorts = [await freePort(), await freePort(), await freePort()];
    const [masterPort] = redisPorts as [number, number, number];
    for (const port of redisPorts) {
      const settings: Record<string, string> = {
        port: String(port),
        bind: '127.0.0.1',
        'protected-mode': 'no',
        save: '',
        appendonly: 'no',
        dir: dir.path,
        dbfilename: `dump-${port}.rdb`,
        'repl-diskless-sync': 'yes',
        'repl-diskless-sync-delay': '0',
      };
      const args = Object.entries(settings).flatMap(([key, value]) => [`--${key}`, value]);
      if (port !== masterPort) args.push('--replicaof', '127.0.0.1', String(masterPort));
      peers.set(port, await startPeer({ name: `redis ${port}`, command: redisServer, args, readyPort: port }));
    }
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      const config = join(dir.path, `sentinel-${port}.conf`);
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir.path}`,
          `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
          `sentinel failover-timeout ${MASTER_NAME} 10000`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      peers.set(
        port,
        await startPeer({ name: `sentinel ${port}`, command: redisSentinel, args: [config], readyPort: port }),
      );
    }
    // Ready when every sentinel sees both replicas and the two other sentinels (else no failover could happen).
    const deadline = Date.now() + 30_000;
    for (const port of sentinelPorts) {
      for (;;) {
        const fields = cli(port, 'SENTINEL', 'MASTER', MASTER_NAME).split('\n');
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        if (field('num-slaves') === '2' && field('num-other-sentinels') === '2') break;
        if (Date.now() > deadline) throw new Error(`Redis Sentinel never got ready:\n${fields.join(' ')}`);
        await wait(200);
      }
    }
    const masterSeenBy = (sentinelPort: number) =>
      Number(cli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME).split('\n')[1]);
    const currentMaster = () => masterSeenBy(sentinelPorts[0] ?? 0);
    const output = () => [...peers.values()].map((peer) => `--- ${peer.name}\n${peer.output()}`).join('\n');
    return {
      masterName: MASTER_NAME,
      sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      masterPort: currentMaster,
      killMaster() {
        const port = currentMaster();
        const peer = peers.get(port);
        if (!peer) throw new Error(`no Redis on port ${port}`);
        process.kill(peer.pid, 'SIGKILL');
        peers.delete(port);
        return port;
      },
      async waitForFailover(oldPort, timeoutMs = 30_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          // Over when every sentinel names the same new master and it is one: a sentinel that learns of the
          // switch late announces it late, and clients that follow the announcements reconnect then.
          // And every surviving replica replicates from it again (until then a write that waits for a replica,
          // store.waitReplicas, cannot succeed).
          const named = new Set(sentinelPorts.map(masterSeenBy));
          const [port = oldPort] = named;
          const replicas = redisPorts.filter((p) => peers.has(p) && p !== port).length;
          const online = (cli(port, 'INFO', 'replication').match(/state=online/g) ?? []).length;
          if (named.size === 1 && port !== oldPort && cli(port, 'ROLE').startsWith('master') && online >= replicas)
            return port;
          if (Date.now() > until) throw new Error(`no failover within ${timeoutMs} ms:\n${output()}`);
          await wait(200);
        }
      },
      cli,
      output,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
