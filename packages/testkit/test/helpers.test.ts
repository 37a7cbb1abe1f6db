import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fakeClock,
  freePort,
  MissingPeerError,
  requireCommand,
  seededRandom,
  startPeer,
  tempDir,
} from '../src/index.js';

describe('test helpers', () => {
  it('finds a free port that can be listened on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1023);
  });

  it('fails, naming the Debian package, when a system peer is missing', () => {
    expect(() => requireCommand('no-such-peer-binary', 'no-such-package')).toThrow(MissingPeerError);
    expect(() => requireCommand('no-such-peer-binary', 'no-such-package')).toThrow(
      /Install the Debian package "no-such-package"/,
    );
    expect(requireCommand('node', 'nodejs')).toMatch(/node$/);
  });

  it('starts a peer, waits until its port answers, and stops it by pid', async () => {
    const port = await freePort();
    const peer = await startPeer({
      name: 'tiny http peer',
      command: process.execPath,
      args: ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1');console.log('up')`],
      readyPort: port,
    });
    expect(await (await fetch(`http://127.0.0.1:${port}`)).text()).toBe('ok');
    await peer.stop();
    expect(() => process.kill(peer.pid, 0)).toThrow();
  });

  it("shows the peer's output when it dies before being ready", async () => {
    await expect(
      startPeer({
        name: 'broken peer',
        command: process.execPath,
        args: ['-e', 'console.error("config error: no such directive"); process.exit(3)'],
        readyPort: await freePort(),
      }),
    ).rejects.toThrow(/broken peer exited with code 3[\s\S]*config error: no such directive/);
  });

  it('makes temporary directories that it removes', async () => {
    const dir = await tempDir();
    expect(existsSync(dir.path)).toBe(true);
    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });

  it('has an exact clock and a repeatable random source', () => {
    const clock = fakeClock(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    const a = seededRandom(1);
    const b = seededRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
