import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { openSqliteTicketStore } from '../src/adapters/ticket-store.sqlite.js';
import { BridgeError } from '../src/core/errors.js';
import { harness } from './harness.js';
import { storeRules } from './ticket-security.js';

storeRules('SQLite', async () => {
  const dir = await tempDir('cas-sqlite-');
  const store = openSqliteTicketStore(join(dir.path, 'cas.db'));
  return {
    store,
    async close() {
      await store.close();
      await dir.remove();
    },
  };
});

it('keeps tickets and sessions across a restart (SQLite file reopened)', async () => {
  await using dir = await tempDir('cas-sqlite-');
  const path = join(dir.path, 'cas.db');
  const first = openSqliteTicketStore(path);
  const h = harness(first);
  const { ticket, session } = await h.issue('https://a.ac-test.fr/');
  await first.close();
  const second = openSqliteTicketStore(path);
  expect((await second.getSession(session.id, h.clock.now()))?.subject).toBe(session.subject);
  expect((await second.takeTicket(ticket, h.clock.now()))?.service).toBe('https://a.ac-test.fr/');
  await second.close();
});

it('counts sessions and sweeps every table through an index on its expiry column, not a full scan', async () => {
  await using dir = await tempDir('cas-sqlite-');
  const path = join(dir.path, 'cas.db');
  const store = openSqliteTicketStore(path);
  await store.close();
  const db = new Database(path, { readonly: true });
  try {
    for (const table of ['cas_tickets', 'cas_sessions', 'cas_pgts', 'cas_used_logins']) {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM ${table} WHERE expires_at > ?`)
        .all(0)
        .map((row) => (row as { detail: string }).detail)
        .join(' ');
      expect(plan, table).toMatch(new RegExp(`USING (COVERING )?INDEX ${table}_expires_at`));
    }
  } finally {
    db.close();
  }
});

it('upgrades a database of version 0.1: its sessions are found by subject for back-channel logout', async () => {
  await using dir = await tempDir('cas-sqlite-');
  const path = join(dir.path, 'cas.db');
  const old = new Database(path);
  old.exec('CREATE TABLE cas_sessions (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL)');
  const expiresAt = Date.now() + 3_600_000;
  old
    .prepare('INSERT INTO cas_sessions VALUES (?, ?, ?)')
    .run('TGC-old', JSON.stringify({ id: 'TGC-old', subject: 'erin', claims: {}, services: [], expiresAt }), expiresAt);
  old.close();
  const store = openSqliteTicketStore(path);
  try {
    expect(await store.sessionsOf({ subject: 'erin', idpSessionId: null }, Date.now())).toEqual(['TGC-old']);
    expect((await store.getSession('TGC-old', Date.now()))?.subject).toBe('erin');
  } finally {
    await store.close();
  }
});

it('refuses a database path it cannot open with a store error naming the path, not a stack trace', () => {
  let error: unknown;
  try {
    openSqliteTicketStore('/nonexistent-directory/cas.db');
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(BridgeError);
  expect((error as BridgeError).code).toBe('STORE_UNAVAILABLE');
  expect((error as BridgeError).details.join()).toContain('store.path /nonexistent-directory/cas.db');
  expect((error as BridgeError).userMessage.fr).toMatch(/^Le stockage des tickets est indisponible/);
});
