import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

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
  /**
   * Takes a file the caller wrote and checked (an upload): the local store moves it into place when it is on the
   * same file system (no second copy of the bytes), S3 streams it up. The file is gone afterwards either way.
   */
  putFile(path: string, options: { maxBytes: number }): Promise<StoredDocument>;
  /** The document's bytes as a stream, or null when there is none with this id. */
  open(id: string): Promise<{ stream: Readable; size: number } | null>;
  delete(id: string): Promise<void>;
}

/** The local store also gives a document's path, for the checks that read it (type, antivirus) before it moves on. */
export interface LocalDocumentStore extends DocumentStore {
  path(id: string): string;
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A pass-through that counts and hashes, and fails with TooLargeError past `maxBytes`. */
function limited(maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) return callback(new TooLargeError(maxBytes));
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/**
 * Documents in a local directory (one process, or several sharing a file system). Written to `<id>.part` and renamed
 * once whole, so a reader never sees a half-written document; files are named by random ids (no teacher's filename on
 * disk); `open` and `delete` take only ids of that shape (no path traversal).
 */
export async function createLocalDocumentStore(dir: string): Promise<LocalDocumentStore> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const fileOf = (id: string) => {
    if (!ID.test(id)) throw new Error('not a document id');
    return join(dir, id);
  };
  const store: LocalDocumentStore = {
    async put(source, { maxBytes }) {
      const id = randomUUID();
      const partial = join(dir, `${id}.part`);
      const limit = limited(maxBytes);
      try {
        await pipeline(source, limit.stream, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
        await rename(partial, fileOf(id));
      } catch (error) {
        source.destroy();
        await rm(partial, { force: true });
        throw error;
      }
      return { id, ...limit.result() };
    },
    async putFile(path, { maxBytes }) {
      const { size } = await stat(path);
      if (size > maxBytes) {
        await rm(path, { force: true });
        throw new TooLargeError(maxBytes);
      }
      const hash = createHash('sha256');
      await pipeline(createReadStream(path), hash);
      const id = randomUUID();
      try {
        await rename(path, fileOf(id));
      } catch (error) {
        // Another file system: copied like an upload from a stream, then the caller's file removed.
        if ((error as { code?: string }).code !== 'EXDEV') throw error;
        try {
          return await store.put(createReadStream(path), { maxBytes });
        } finally {
          await rm(path, { force: true });
        }
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
  return store;
}

/**
 * Documents in S3-compatible object storage (several processes, several hosts): streamed up with
 * @aws-sdk/lib-storage (multipart past 5 MiB, never whole in memory); over the limit or on any failure the upload is
 * aborted (no object, no multipart upload left to pay for). Keys are `<prefix><random id>`.
 */
export function createS3DocumentStore(options: {
  client: S3ClientConfig;
  bucket: string;
  prefix?: string;
}): DocumentStore {
  const client = new S3Client({ forcePathStyle: true, ...options.client });
  const prefix = options.prefix ?? 'documents/';
  const key = (id: string) => {
    if (!ID.test(id)) throw new Error('not a document id');
    return `${prefix}${id}`;
  };
  const store: DocumentStore = {
    async put(source, { maxBytes }) {
      const id = randomUUID();
      const limit = limited(maxBytes);
      const upload = new Upload({
        client,
        params: { Bucket: options.bucket, Key: key(id), Body: limit.stream, ContentType: 'application/octet-stream' },
        partSize: 5 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      const feeding = pipeline(source, limit.stream).catch((error: unknown) => {
        void upload.abort().catch(() => undefined);
        throw error;
      });
      try {
        await Promise.all([upload.done(), feeding]);
      } catch (error) {
        source.destroy();
        await upload.abort().catch(() => undefined);
        await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key(id) })).catch(() => undefined);
        // The stream's own error says why (too large, the browser went away), not the aborted upload's.
        throw (
          (await feeding.then(
            () => error,
            (reason: unknown) => reason,
          )) ?? error
        );
      }
      return { id, ...limit.result() };
    },
    async putFile(path, { maxBytes }) {
      try {
        return await store.put(createReadStream(path), { maxBytes });
      } finally {
        await rm(path, { force: true });
      }
    },
    async open(id) {
      if (!ID.test(id)) return null;
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key(id) }));
        return { stream: answer.Body as Readable, size: Number(answer.ContentLength ?? 0) };
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return null;
        throw error;
      }
    },
    async delete(id) {
      await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key(id) }));
    },
  };
  return store;
}
