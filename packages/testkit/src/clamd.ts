import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { requireCommand, startPeer } from './system-peer.js';
import { tempDir } from './tmp.js';

/** The EICAR test file: every antivirus detects it, here through a custom signature (no signature download). */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export interface Clamd {
  readonly port: number;
  output(): string;
  close(): Promise<void>;
}

/**
 * Debian's clamd with only custom signatures (shared/reference/test-peers.md: freshclam cannot reach its servers
 * here): EICAR by its body (`Eicar-Test.UNOFFICIAL` once found), on 127.0.0.1, StreamMaxLength as given (32 MB by
 * default, above BigBlueButton's 30,000,000 bytes).
 */
export async function startClamd(options: { streamMaxLength?: string } = {}): Promise<Clamd> {
  const clamd = requireCommand('clamd', 'clamav-daemon');
  const dir = await tempDir('clamd-');
  const port = await freePort();
  const path = (name: string) => join(dir.path, name);
  writeFileSync(
    path('custom.ndb'),
    `Eicar-Test:0:*:${Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE').toString('hex')}\n`,
  );
  writeFileSync(
    path('clamd.conf'),
    [
      `DatabaseDirectory ${dir.path}`,
      'TCPAddr 127.0.0.1',
      `TCPSocket ${port}`,
      'Foreground yes',
      `PidFile ${path('clamd.pid')}`,
      `LogFile ${path('clamd.log')}`,
      `TemporaryDirectory ${dir.path}`,
      `StreamMaxLength ${options.streamMaxLength ?? '32M'}`,
      '',
    ].join('\n'),
  );
  const ping = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      let answer = '';
      socket.on('connect', () => socket.write('zPING\0'));
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('close', () => resolve(answer.startsWith('PONG')));
      socket.on('error', () => resolve(false));
    });
  const peer = await startPeer({
    name: 'clamd',
    command: clamd,
    args: [`--config-file=${path('clamd.conf')}`],
    logFile: path('clamd.log'),
    readyCheck: ping,
    readyTimeoutMs: 30_000,
  }).catch(async (error: unknown) => {
    await dir.remove();
    throw error;
  });
  return {
    port,
    output: () => peer.output(),
    async close() {
      await peer.stop();
      await dir.remove();
    },
  };
}
