import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalDocumentStore, TooLargeError } from '../src/index.js';
import { generated, sha256Of } from './streams.js';

const root = mkdtempSync(join(tmpdir(), 'document-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('local document store', () => {
  it('streams 30,000,000 bytes in and out, the same bytes, named by a random id', async () => {
    const store = await createLocalDocumentStore(join(root, 'a'));
    const stored = await store.put(generated(30_000_000), { maxBytes: 30_000_000 });
    expect(stored.size).toBe(30_000_000);
    expect(stored.sha256).toBe(await sha256Of(generated(30_000_000)));
    const opened = await store.open(stored.id);
    expect(opened?.size).toBe(30_000_000);
    expect(await sha256Of(opened?.stream ?? Readable.from([]))).toBe(stored.sha256);
    expect(readdirSync(join(root, 'a'))).toEqual([stored.id]);
  });

  it('moves a checked upload into place (the same inode: no second copy) and refuses one over the limit', async () => {
    const store = await createLocalDocumentStore(join(root, 'moved'));
    const incoming = join(root, 'moved.incoming');
    mkdirSync(incoming, { recursive: true });
    const upload = join(incoming, 'upload-1');
    writeFileSync(upload, 'Consignes du devoir.\n');
    const inode = statSync(upload).ino;
    const stored = await store.putFile(upload, { maxBytes: 1_000 });
    expect(stored.size).toBe(21);
    expect(statSync(store.path(stored.id)).ino).toBe(inode);
    expect(existsSync(upload)).toBe(false);
    expect(stored.sha256).toBe(createHash('sha256').update('Consignes du devoir.\n').digest('hex'));
    const big = join(incoming, 'upload-2');
    writeFileSync(big, Buffer.alloc(1_001));
    await expect(store.putFile(big, { maxBytes: 1_000 })).rejects.toBeInstanceOf(TooLargeError);
    expect(existsSync(big)).toBe(false);
    expect(readdirSync(join(root, 'moved'))).toEqual([stored.id]);
  });

  it('aborts an upload over the limit and leaves nothing on disk', async () => {
    const store = await createLocalDocumentStore(join(root, 'b'));
    await expect(store.put(generated(30_000_001), { maxBytes: 30_000_000 })).rejects.toBeInstanceOf(TooLargeError);
    const broken = new Readable({
      read() {
        this.destroy(new Error('the browser went away'));
      },
    });
    await expect(store.put(broken, { maxBytes: 1_000 })).rejects.toThrow('the browser went away');
    expect(readdirSync(join(root, 'b'))).toEqual([]);
  });

  it('takes several uploads at once, each whole', async () => {
    const store = await createLocalDocumentStore(join(root, 'c'));
    const stored = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.put(generated(500_000, 16_384, i), { maxBytes: 1_000_000 })),
    );
    expect(new Set(stored.map((s) => s.id)).size).toBe(20);
    for (const [i, s] of stored.entries()) expect(s.sha256).toBe(await sha256Of(generated(500_000, 16_384, i)));
  });

  it('opens and deletes only ids it made: no path traversal', async () => {
    const store = await createLocalDocumentStore(join(root, 'd'));
    const { id } = await store.put(Readable.from([Buffer.from('cours')]), { maxBytes: 100 });
    expect(await text((await store.open(id))?.stream ?? Readable.from([]))).toBe('cours');
    expect(await store.open('../a/whatever')).toBeNull();
    await expect(store.delete('../../etc/passwd')).rejects.toThrow('not a document id');
    await store.delete(id);
    expect(await store.open(id)).toBeNull();
  });
});
