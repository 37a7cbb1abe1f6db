import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqliteOutboxStore, openSqliteOutboxStore } from '../src/adapters/outbox-store.sqlite.js';
import { enqueueSync } from '../src/index.js';
import { shareEvent } from './fixtures.js';
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
