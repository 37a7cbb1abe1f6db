import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { type S3Peer, startS3 } from '@apps-education/testkit';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3DocumentStore, type DocumentStore, TooLargeError } from '../src/index.js';
import { generated, sha256Of } from './streams.js';

/** The S3 store against s3rver (S3's API, multipart uploads included). */
describe('S3 document store', () => {
  let s3: S3Peer;
  let store: DocumentStore;
  const objects = async () => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      credentials: s3.credentials,
      forcePathStyle: true,
    });
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (listed.Contents ?? []).map((o) => o.Key);
  };

  beforeAll(async () => {
    s3 = await startS3();
    store = createS3DocumentStore({
      client: { endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials },
      bucket: s3.bucket,
    });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('streams 30,000,000 bytes up in parts and back, the same bytes', async () => {
    const stored = await store.put(generated(30_000_000), { maxBytes: 30_000_000 });
    expect(stored.size).toBe(30_000_000);
    expect(stored.sha256).toBe(await sha256Of(generated(30_000_000)));
    const opened = await store.open(stored.id);
    expect(opened?.size).toBe(30_000_000);
    expect(await sha256Of(opened?.stream ?? Readable.from([]))).toBe(stored.sha256);
    expect(await objects()).toEqual([`documents/${stored.id}`]);
    await store.delete(stored.id);
    expect(await store.open(stored.id)).toBeNull();
  });

  it('aborts an upload over the limit, or broken, and leaves no object in the bucket', async () => {
    await expect(store.put(generated(12_000_000), { maxBytes: 11_000_000 })).rejects.toBeInstanceOf(TooLargeError);
    await expect(store.put(generated(100_001), { maxBytes: 100_000 })).rejects.toBeInstanceOf(TooLargeError);
    let sent = 0;
    const broken = new Readable({
      read() {
        sent++;
        if (sent > 100) return this.destroy(new Error('the browser went away'));
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    await expect(store.put(broken, { maxBytes: 30_000_000 })).rejects.toThrow('the browser went away');
    expect(await objects()).toEqual([]);
  });

  it('streams a checked upload up and removes the local file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's3-putfile-'));
    try {
      const upload = join(dir, 'upload');
      writeFileSync(upload, 'Fiche de révision.\n');
      const stored = await store.putFile(upload, { maxBytes: 1_000 });
      expect(existsSync(upload)).toBe(false);
      expect(await objects()).toContain(`documents/${stored.id}`);
      const opened = await store.open(stored.id);
      expect(await text(opened?.stream ?? Readable.from([]))).toBe('Fiche de révision.\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens and deletes only ids it made', async () => {
    expect(await store.open('../other-bucket/x')).toBeNull();
    await expect(store.delete('x')).rejects.toThrow('not a document id');
  });
});
