import { join } from 'node:path';
import { tempDir } from '@apps-education/testkit';
import Database from 'better-sqlite3';
import { expect, it, vi } from 'vitest';
import { openSqliteTicketStore, SQLITE_SWEEPS } from '../src/adapters/ticket-store.sqlite.js';
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

it('counts sessions and sweeps every table by a range, never a full scan', async () => {
  await using dir = await tempDir('cas-sqlite-');
  const path = join(dir.path, 'cas.db');
  const store = openSqliteTicketStore(path);
  await store.close();
  const db = new Database(path, { readonly: true });
  const plan = (sql: string) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all({ now: 0 })
      .map((row) => (row as { detail: string }).detail)
      .join(' | ');
  try {
    expect(plan('SELECT count(*) FROM cas_sessions WHERE expires_at > :now')).toMatch(
      /USING (COVERING )?INDEX cas_sessions_expires_at/,
    );
    for (const table of ['cas_sessions', 'cas_pgts', 'cas_used_logins'] as const)
      expect(plan(SQLITE_SWEEPS[table]), table).toMatch(new RegExp(`^SEARCH ${table} USING INDEX ${table}_expires_at`));
    // Tickets: a rowid range, bounded by the first live ticket found in rowid order (the test below).
    expect(plan(SQLITE_SWEEPS.cas_tickets)).toMatch(/^SEARCH cas_tickets USING INTEGER PRIMARY KEY \(rowid<\?\)/);
  } finally {
    db.close();
  }
});

it('sweeps expired tickets every minute and keeps the live ones', async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  await using dir = await tempDir('cas-sqlite-');
  const path = join(dir.path, 'cas.db');
  const store = openSqliteTicketStore(path);
  try {
    const h = harness(store);
    const session = await h.session();
    const issued = async (count: number, ttlMs: number) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await h.issue('https://a.ac-test.fr/', { session, ttlMs })).ticket);
      return ids;
    };
    await issued(300, 10_000);
    const live = await issued(200, 120_000);
    // Issued after live ones but with a shorter life: waits for them, and is never handed out meanwhile.
    const [early = ''] = await issued(1, 5_000);
    const count = () => {
      const db = new Database(path, { readonly: true });
      const { n } = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM cas_tickets').get() ?? { n: -1 };
      db.close();
      return n;
    };
    expect(count()).toBe(501);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(count()).toBe(201);
    expect(await store.takeTicket(early, Date.now())).toBeNull();
    expect(await store.takeTicket(live[0] ?? '', Date.now())).not.toBeNull();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(count()).toBe(0);
  } finally {
    await store.close();
    vi.useRealTimers();
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
