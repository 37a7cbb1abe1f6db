import { statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer } from '../src/adapters/outbox-store.sqlite.js';
import { SAFETY_AUTOCHECKPOINT_PAGES } from '../src/adapters/wal-checkpointer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function walDatabase() {
  const dir = await tempDir('wal-checkpointer-');
  const path = join(dir.path, 'state.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  cleanups.push(async () => {
    if (db.open) db.close();
    await dir.remove();
  });
  return { db, path };
}

/** About 300 pages of 4 KiB in the WAL: under SQLite's own threshold (1,000), so only a checkpointer copies them. */
function write(db: Database.Database) {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  for (let i = 0; i < 300; i++) insert.run('x'.repeat(3_000));
}

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('WAL checkpoints on a thread of their own', () => {
  it('copies the WAL into the database file while the connection only commits', async () => {
    const { db, path } = await walDatabase();
    const checkpointer = startWalCheckpointer(db, { intervalMs: 50 });
    cleanups.push(() => checkpointer.stop());
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(SAFETY_AUTOCHECKPOINT_PAGES);
    const before = statSync(path).size;
    write(db);
    await until(() => statSync(path).size > before + 300 * 3_000, 'the database file to receive the pages');
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 300 });
  });

  it('leaves the WAL alone without it (the control: the file grows only through the thread)', async () => {
    const { db, path } = await walDatabase();
    const before = statSync(path).size;
    write(db);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statSync(path).size).toBe(before);
  });

  it("gives the connection SQLite's own checkpoints back when stopped", async () => {
    const { db } = await walDatabase();
    const checkpointer = startWalCheckpointer(db, { intervalMs: 50 });
    await checkpointer.stop();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    write(db);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 300 });
  });

  it('reports a thread that cannot open the file, and the connection checkpoints by itself again', async () => {
    const { db, path } = await walDatabase();
    unlinkSync(path);
    const reasons: string[] = [];
    const checkpointer = startWalCheckpointer(db, { intervalMs: 50, onError: (reason) => reasons.push(reason) });
    await until(() => reasons.length > 0 && db.pragma('wal_autocheckpoint', { simple: true }) === 1_000, 'the report');
    expect(reasons[0]).toMatch(/^WAL checkpoint thread failed: .*unable to open database file/);
    await checkpointer.stop();
  });

  it('does nothing for a database without a WAL', async () => {
    const db = new Database(':memory:');
    const checkpointer = startWalCheckpointer(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    await checkpointer.stop();
    db.close();
  });
});
