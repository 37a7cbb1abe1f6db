import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredDocument {
  readonly id: string;
  readonly size: number;
  readonly sha256: string;
}

export class TooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the document is over ${maxBytes} bytes`);
    this.name = 'TooLargeError';
  }
}

export interface DocumentStore {
  /**
   * Streams `source` into the store, never holding it whole: over `maxBytes` the copy stops, the partial file is
   * removed and TooLargeError is thrown; any failure leaves nothing behind.
   */
  put(source: Readable, options: { maxBytes: number }): Promise<StoredDocument>;
  /** The document's bytes as a stream, or null when there is none with this id. */
  open(id: string): Promise<{ stream: Readable; size: number } | null>;
  /** The path of a stored document, for checks that read it (type, antivirus). */
  path(id: string): string;
  delete(id: string): Promise<void>;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Documents in a local directory (one process, or several sharing a file system). Written to `<id>.part` and renamed
 * once whole, so a reader never sees a half-written document; files are named by random ids (no teacher's filename on
 * disk); `open` and `delete` take only ids of that shape (no path traversal).
 */
export async function createLocalDocumentStore(dir: string): Promise<DocumentStore> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fileOf = (id: string) => {
    if (!ID.test(id)) throw new Error('not a document id');
    return join(dir, id);
  };
  return {
    async put(source, { maxBytes }) {
      const id = randomUUID();
      const partial = join(dir, `${id}.part`);
      const hash = createHash('sha256');
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > maxBytes) return callback(new TooLargeError(maxBytes));
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      try {
        await pipeline(source, limit, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
        await rename(partial, fileOf(id));
      } catch (error) {
        source.destroy();
        await rm(partial, { force: true });
        throw error;
      }
      return { id, size, sha256: hash.digest('hex') };
    },
    async open(id) {
      if (!ID.test(id)) return null;
      const file = fileOf(id);
      const found = await stat(file).catch(() => null);
      if (!found?.isFile()) return null;
      return { stream: createReadStream(file), size: found.size };
    },
    path: fileOf,
    async delete(id) {
      await rm(fileOf(id), { force: true });
    },
  };
}
