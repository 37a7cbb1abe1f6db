import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { BridgeError } from '../core/errors.js';
import {
  type PgtRecord,
  type SessionService,
  type SsoSession,
  type TicketRecord,
  type TicketStore,
  withService,
} from '../core/records.js';

/**
 * The embedded default: one SQLite file, so tickets and SSO sessions survive a restart of the single bridge process.
 * `takeTicket` is one `DELETE ... RETURNING`: atomic, so a ticket is handed out once. Expired rows are deleted
 * every minute.
 */
/** Opens the database, or says what to do: better-sqlite3 not built (npm 11 skipped its install script), a bad path. */
function openDatabase(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/.test(message))
      throw new BridgeError('STORE_UNAVAILABLE', [
        'better-sqlite3 is not built for this Node.js: reinstall with `npm install -g --allow-scripts=better-sqlite3 <package>.tgz` (npm 11 runs no install script otherwise; it needs python3, make and g++), or use store.type redis',
      ]);
    throw new BridgeError('STORE_UNAVAILABLE', [`store.path ${path}: ${message.split('\n')[0]}`]);
  }
}

/**
 * The minute's sweep of expired rows, a statement per table (exported for the test of their query plans). Tickets are
 * written and deleted on every login and validation and live minutes: an expiry index on them cost 5% of the
 * validations in pnpm bench. Without it, their rowids give issue order, so the expired tickets are the first rows: the
 * scan in rowid order stops at the first live ticket and the delete is a rowid range. A ticket with a shorter life
 * than one issued before it waits for that one (tickets.serviceTicketSeconds at most; takeTicket never returns it).
 */
export const SQLITE_SWEEPS = {
  cas_tickets: `DELETE FROM cas_tickets
    WHERE rowid < coalesce(
        (SELECT rowid FROM cas_tickets WHERE expires_at > :now ORDER BY rowid LIMIT 1),
        (SELECT max(rowid) + 1 FROM cas_tickets))
      AND expires_at <= :now`,
  cas_sessions: 'DELETE FROM cas_sessions WHERE expires_at <= :now',
  cas_pgts: 'DELETE FROM cas_pgts WHERE expires_at <= :now',
  cas_used_logins: 'DELETE FROM cas_used_logins WHERE expires_at <= :now',
} as const;

export function openSqliteTicketStore(path: string): TicketStore {
  const db = openDatabase(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS cas_tickets (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS cas_sessions (id TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS cas_pgts (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, record TEXT NOT NULL, expires_at INTEGER NOT NULL);
    CREATE INDEX IF NOT EXISTS cas_pgts_session ON cas_pgts (session_id);
    DROP TABLE IF EXISTS cas_logins;
    CREATE TABLE IF NOT EXISTS cas_used_logins (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS cas_login_keys (id INTEGER PRIMARY KEY, secret BLOB NOT NULL);
    -- The minute's sweep and /metrics' session count run synchronously, on the event loop: they read a range of an
    -- expiry index instead of the whole table (tickets: see SQLITE_SWEEPS).
    DROP INDEX IF EXISTS cas_tickets_expires_at;
    CREATE INDEX IF NOT EXISTS cas_sessions_expires_at ON cas_sessions (expires_at);
    CREATE INDEX IF NOT EXISTS cas_pgts_expires_at ON cas_pgts (expires_at);
    CREATE INDEX IF NOT EXISTS cas_used_logins_expires_at ON cas_used_logins (expires_at);
  `);
  // Back-channel logout finds sessions by the IdP's session and by subject: columns of their own, indexed (added to a
  // database made by an earlier version).
  const sessionColumns = new Set(
    db
      .prepare<[], { name: string }>('PRAGMA table_info(cas_sessions)')
      .all()
      .map((c) => c.name),
  );
  if (!sessionColumns.has('subject')) {
    // The sessions of an earlier version carry their subject in the record: a logout by subject finds them too.
    db.exec(`
      ALTER TABLE cas_sessions ADD COLUMN subject TEXT;
      UPDATE cas_sessions SET subject = json_extract(record, '$.subject');
    `);
  }
  if (!sessionColumns.has('idp_session')) db.exec('ALTER TABLE cas_sessions ADD COLUMN idp_session TEXT');
  db.exec(`
    CREATE INDEX IF NOT EXISTS cas_sessions_subject ON cas_sessions (subject);
    CREATE INDEX IF NOT EXISTS cas_sessions_idp_session ON cas_sessions (idp_session);
  `);
  const putTicket = db.prepare('INSERT OR REPLACE INTO cas_tickets (id, record, expires_at) VALUES (?, ?, ?)');
  const takeTicket = db.prepare<[string], { record: string; expires_at: number }>(
    'DELETE FROM cas_tickets WHERE id = ? RETURNING record, expires_at',
  );
  const putSession = db.prepare(
    'INSERT OR REPLACE INTO cas_sessions (id, record, expires_at, subject, idp_session) VALUES (?, ?, ?, ?, ?)',
  );
  const updateRecord = db.prepare('UPDATE cas_sessions SET record = ? WHERE id = ?');
  const sessionsBySid = db.prepare<[string, number], { id: string; subject: string }>(
    'SELECT id, subject FROM cas_sessions WHERE idp_session = ? AND expires_at > ?',
  );
  const sessionsBySubject = db.prepare<[string, number], { id: string }>(
    'SELECT id FROM cas_sessions WHERE subject = ? AND expires_at > ?',
  );
  const getSession = db.prepare<[string, number], { record: string }>(
    'SELECT record FROM cas_sessions WHERE id = ? AND expires_at > ?',
  );
  const deleteSession = db.prepare<[string], { record: string }>(
    'DELETE FROM cas_sessions WHERE id = ? RETURNING record',
  );
  const deletePgts = db.prepare('DELETE FROM cas_pgts WHERE session_id = ?');
  const putPgt = db.prepare('INSERT OR REPLACE INTO cas_pgts (id, session_id, record, expires_at) VALUES (?, ?, ?, ?)');
  const getPgt = db.prepare<[string, number], { record: string }>(
    'SELECT record FROM cas_pgts WHERE id = ? AND expires_at > ?',
  );
  // Single use of a login: the first INSERT wins; a replay meets the row until it expires.
  const claimOnce = db.prepare('INSERT OR IGNORE INTO cas_used_logins (id, expires_at) VALUES (?, ?)');
  db.prepare('INSERT OR IGNORE INTO cas_login_keys (id, secret) VALUES (1, ?)').run(randomBytes(32));
  const loginKeys = db
    .prepare<[], { secret: Buffer }>('SELECT secret FROM cas_login_keys ORDER BY id')
    .all()
    .map((row) => row.secret);
  const countSessions = db.prepare<[number], { n: number }>(
    'SELECT count(*) AS n FROM cas_sessions WHERE expires_at > ?',
  );
  const sweeps = Object.values(SQLITE_SWEEPS).map((sql) => db.prepare<[{ now: number }]>(sql));
  const sweep = (now: number) => {
    for (const statement of sweeps) statement.run({ now });
  };
  const timer = setInterval(() => sweep(Date.now()), 60_000);
  timer.unref();

  /** A row's record, or null when there is none or (for rows read without a time filter) it has expired. */
  const record = <T>(row: { record: string; expires_at?: number } | undefined, now = 0): T | null =>
    row && (row.expires_at === undefined || row.expires_at > now) ? (JSON.parse(row.record) as T) : null;

  const addService = db.transaction((id: string, entry: SessionService, now: number) => {
    const session = record<SsoSession>(getSession.get(id, now));
    if (!session) return;
    // Only the record changes: an UPDATE of that column leaves the four indexes alone (a REPLACE rewrites them all).
    updateRecord.run(JSON.stringify({ ...session, services: withService(session.services, entry) }), id);
  });
  const removeSession = db.transaction((id: string) => {
    const session = record<SsoSession>(deleteSession.get(id));
    deletePgts.run(id);
    return session;
  });

  return {
    async putTicket(ticket) {
      putTicket.run(ticket.id, JSON.stringify(ticket), ticket.expiresAt);
    },
    async takeTicket(id, now) {
      return record<TicketRecord>(takeTicket.get(id), now);
    },
    async putSession(session) {
      putSession.run(
        session.id,
        JSON.stringify(session),
        session.expiresAt,
        session.subject,
        session.idpSessionId ?? null,
      );
    },
    async getSession(id, now) {
      return record<SsoSession>(getSession.get(id, now));
    },
    async addSessionService(id, entry, now) {
      addService(id, entry, now);
    },
    async deleteSession(id) {
      return removeSession(id);
    },
    async putPgt(pgt) {
      putPgt.run(pgt.id, pgt.sessionId, JSON.stringify(pgt), pgt.expiresAt);
    },
    async getPgt(id, now) {
      return record<PgtRecord>(getPgt.get(id, now));
    },
    async claimOnce(id, expiresAt) {
      return claimOnce.run(id, expiresAt).changes === 1;
    },
    async loginKeys() {
      return loginKeys;
    },
    async sessionsOf(query, now) {
      if (query.idpSessionId !== null) {
        return sessionsBySid
          .all(query.idpSessionId, now)
          .filter((row) => query.subject === null || row.subject === query.subject)
          .map((row) => row.id);
      }
      return query.subject === null ? [] : sessionsBySubject.all(query.subject, now).map((row) => row.id);
    },
    async countSessions(now) {
      return countSessions.get(now)?.n ?? 0;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      clearInterval(timer);
      db.close();
    },
  };
}
