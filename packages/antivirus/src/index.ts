import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { type Localized, t } from './i18n.js';

export type { Localized } from './i18n.js';

export type ScanResult =
  | { readonly clean: true }
  | { readonly clean: false; readonly reason: 'infected'; readonly signature: string; readonly message: Localized }
  | {
      readonly clean: false;
      readonly reason: 'unavailable' | 'too_large';
      readonly detail: string;
      readonly message: Localized;
    };

export interface Scanner {
  /** Streams the file to clamd; anything but clamd's "OK" is not clean (fail closed). */
  scanFile(path: string, displayName: string): Promise<ScanResult>;
}

/**
 * clamd's INSTREAM command (shared/reference/test-peers.md): `zINSTREAM\0`, chunks each prefixed by its 4-byte
 * big-endian length, four zero bytes; the answer `stream: OK`, `stream: <Name> FOUND`, or `INSTREAM size limit
 * exceeded. ERROR` (then clamd closes). Written here rather than with the npm `clamscan` package: that one probes the
 * socket at init (a clamd restarting at our start would fail it), falls back to local binaries, and reports some
 * errors as `isInfected: null`; this is forty lines of a documented protocol that must fail closed.
 */
export function createClamdScanner(options: {
  host?: string;
  port: number;
  timeoutMs?: number;
  /** clamd's StreamMaxLength (32M in the README's clamd.conf): a larger file is refused before it is sent. */
  streamMaxBytes?: number;
}): Scanner {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const streamMaxBytes = options.streamMaxBytes ?? 32 * 1024 * 1024;
  return {
    async scanFile(path, displayName) {
      // clamd answers a stream past its limit and closes, and our writes can reset the connection before its
      // answer is read: known sizes are refused here, the race is left for files that grow.
      const size = await stat(path).then(
        (s) => s.size,
        () => null,
      );
      if (size !== null && size > streamMaxBytes)
        return {
          clean: false,
          reason: 'too_large',
          detail: `${size} bytes`,
          message: t('scan.tooLarge', { name: displayName }),
        };
      return new Promise<ScanResult>((resolve) => {
        let settled = false;
        let answer = '';
        const finish = (result: ScanResult) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          file.destroy();
          resolve(result);
        };
        const unavailable = (detail: string) =>
          finish({
            clean: false,
            reason: 'unavailable',
            detail,
            message: t('scan.unavailable', { name: displayName }),
          });
        const socket: Socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
        const file = createReadStream(path, { highWaterMark: 64 * 1024 });
        socket.setTimeout(timeoutMs, () => unavailable(`no answer in ${timeoutMs} ms`));
        // clamd answers then closes when the size limit is passed, so our writes may fail (EPIPE, ECONNRESET) before
        // its answer is read: the outcome is decided when the socket closes, from what it said.
        let socketError: NodeJS.ErrnoException | null = null;
        socket.on('error', (error: NodeJS.ErrnoException) => {
          socketError = error;
        });
        socket.on('close', () => {
          if (answer.trim() !== '') return done();
          unavailable(socketError ? (socketError.code ?? socketError.message) : 'connection closed without an answer');
        });
        socket.on('data', (chunk: Buffer) => {
          answer += chunk.toString('utf8');
          if (answer.includes('\0') || answer.includes('\n')) done();
        });
        file.on('error', (error) => unavailable(`cannot read the file: ${error.message}`));
        function done() {
          const line = answer.replace(/[\0\n]+$/g, '').trim();
          if (line === 'stream: OK') return finish({ clean: true });
          const found = /^stream: (.+) FOUND$/.exec(line)?.[1];
          if (found)
            return finish({
              clean: false,
              reason: 'infected',
              signature: found,
              message: t('scan.infected', { name: displayName, signature: found }),
            });
          if (/size limit exceeded/i.test(line))
            return finish({
              clean: false,
              reason: 'too_large',
              detail: line,
              message: t('scan.tooLarge', { name: displayName }),
            });
          unavailable(line === '' ? 'connection closed without an answer' : line);
        }
        socket.once('connect', async () => {
          try {
            socket.write('zINSTREAM\0');
            for await (const chunk of file) {
              const data = chunk as Buffer;
              const size = Buffer.alloc(4);
              size.writeUInt32BE(data.length);
              if (!socket.write(Buffer.concat([size, data]))) await new Promise((r) => socket.once('drain', r));
              if (settled) return;
            }
            socket.write(Buffer.alloc(4));
          } catch (error) {
            if (!settled && !/size limit/.test(answer))
              unavailable(error instanceof Error ? error.message : String(error));
          }
        });
      });
    },
  };
}
