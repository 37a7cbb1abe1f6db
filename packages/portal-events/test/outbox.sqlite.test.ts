import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  createSqliteOutboxStore,
  openSqliteOutboxStore,
  type SqliteOutboxStore,
} from '../src/adapters/outbox-store.sqlite.js';
import { startStatementThread } from '../src/adapters/statement-thread.js';
import { enqueueSync, parseEvent, planDeliveries } from '../src/index.js';
import { shareEvent, T0 } from './fixtures.js';
import { outboxScenarios } from './outbox-scenarios.js';

outboxScenarios('SQLite', async () => {
  const dir = await tempDir('outbox-sqlite-');
  const path = join(dir.path, 'outbox.db');
  const store = openSqliteOutboxStore(path);
  const others: { close(): Promise<void> }[] = [];
  return {
    store,
    childArgs: ['sqlite', path],
    async second() {
      const other = openSqliteOutboxStore(path);
      others.push(other);
      return other;
    },
    async close() {
      await store.close();
      await Promise.all(others.map((o) => o.close()));
      await dir.remove();
    },
  };
});

describe("SQLite outbox in the caller's transaction", () => {
  function setup() {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE shares (id INTEGER PRIMARY KEY, item TEXT NOT NULL)');
    return { db, store: createSqliteOutboxStore(db) };
  }

  it("commits the event with the caller's change", () => {
    const { db, store } = setup();
    db.transaction(() => {
      db.prepare('INSERT INTO shares (item) VALUES (?)').run('a.pdf');
      enqueueSync(store, shareEvent());
    })();
    expect(db.prepare('SELECT count(*) AS n FROM portal_events_outbox').get()).toEqual({ n: 1 });
  });

  it("rolls the event back when the caller's change fails", () => {
    const { db, store } = setup();
    expect(() =>
      db.transaction(() => {
        enqueueSync(store, shareEvent());
        db.prepare('INSERT INTO shares (item) VALUES (?)').run(null);
      })(),
    ).toThrow(/NOT NULL/);
    expect(db.prepare('SELECT count(*) AS n FROM portal_events_outbox').get()).toEqual({ n: 0 });
  });

  it("rolls the caller's change back when the event is malformed", () => {
    const { db, store } = setup();
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO shares (item) VALUES (?)').run('a.pdf');
        enqueueSync(store, { ...shareEvent(), type: 'nope' });
      })(),
    ).toThrow(/UNKNOWN_EVENT_TYPE/);
    expect(db.prepare('SELECT count(*) AS n FROM shares').get()).toEqual({ n: 0 });
  });
});

describe('SQLite outbox opened from its file: the delivery statements on a thread of their own', () => {
  /** Leases `rows` rows at once and counts the event-loop turns that ran while the lease was being taken. */
  async function turnsDuringClaim(store: SqliteOutboxStore, rows: number) {
    const planned = Array.from({ length: rows }, (_, i) =>
      planDeliveries(parseEvent(shareEvent({}, [`u${i}`]))),
    ).flat();
    await store.insert(planned, T0);
    let turns = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const leased = await store.claim(T0, rows, 60_000, 'w1');
    counting = false;
    return { turns, leased: leased.length };
  }

  it('keeps the event loop turning while 20,000 rows are leased', async () => {
    const dir = await tempDir('outbox-thread-');
    const store = openSqliteOutboxStore(join(dir.path, 'outbox.db'));
    try {
      const { turns, leased } = await turnsDuringClaim(store, 20_000);
      expect(leased).toBe(20_000);
      expect(turns).toBeGreaterThan(0);
      // What the thread wrote, the process's own connection reads.
      expect(store.db.prepare("SELECT count(*) AS n FROM portal_events_outbox WHERE leased_by = 'w1'").get()).toEqual({
        n: 20_000,
      });
    } finally {
      await store.close();
      await dir.remove();
    }
  });

  it('the control: on the caller’s own connection, no turn runs during the lease', async () => {
    const db = new Database(':memory:');
    const { turns, leased } = await turnsDuringClaim(createSqliteOutboxStore(db), 2_000);
    expect({ turns, leased }).toEqual({ turns: 0, leased: 2_000 });
    db.close();
  });

  it('rejects every call with the reason when its thread cannot open the file, and the process goes on', async () => {
    const dir = await tempDir('outbox-thread-');
    const thread = startStatementThread(join(dir.path, 'missing.db'), { one: 'SELECT 1 AS one' });
    await expect(thread.all('one', [])).rejects.toThrow(/^outbox statement thread failed: .*unable to open/);
    await expect(thread.runEach('one', [[]])).rejects.toThrow(/outbox statement thread failed/);
    await thread.stop();
    await dir.remove();
  });

  it('answers a statement error as that call’s failure only', async () => {
    const dir = await tempDir('outbox-thread-');
    const path = join(dir.path, 'state.db');
    new Database(path).exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)').close();
    const thread = startStatementThread(path, { add: 'INSERT INTO t (v) VALUES (?)', all: 'SELECT v FROM t' });
    // One transaction per call: the second list fails on its null and leaves nothing of itself.
    expect(await thread.runEach('add', [['a'], ['b']])).toBe(2);
    await expect(thread.runEach('add', [['c'], [null]])).rejects.toThrow(/NOT NULL/);
    expect(await thread.all('all', [])).toEqual([{ v: 'a' }, { v: 'b' }]);
    await thread.stop();
    await dir.remove();
  });
});
