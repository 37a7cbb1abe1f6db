import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

/** `total` bytes in `chunk`-sized pieces, made as they are read (a test never holds them all); `seed` varies them. */
export function generated(total: number, chunk = 64 * 1024, seed = 7): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const size = Math.min(chunk, total - sent);
      sent += size;
      this.push(Buffer.alloc(size, (sent / chunk + seed) % 256));
    },
  });
}

export async function sha256Of(source: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
