import { accountTables, type Database } from '@apps-education/peertube-accounts';
import type { LogoutSubject } from './saml.js';

/**
 * What single logout needs of a person's IdP session, in a table of the plugin's own in PeerTube's database (never in
 * storageManager): one row per linked subject (the last sign-in; the IdP ends them all by NameID anyway), with the
 * NameID, its format and qualifiers and the SessionIndex. Removed at logout (either side) and swept when the IdP's
 * session ends (SessionNotOnOrAfter, or a day). Revocations answer `hookTokenValidity`: PeerTube keeps access tokens
 * in a per-process cache (server/core/lib/auth/tokens-cache.ts) that a deleted row does not reach.
 */
export interface SessionStore {
  ready(): Promise<void>;
  remember(subject: string, session: LogoutSubject, expiresAt: number): Promise<void>;
  /** The session of the PeerTube user (through the account link), removed as it is read: it is ending. */
  takeForUser(userId: number): Promise<LogoutSubject | null>;
  /**
   * The IdP ends a session: the PeerTube users whose session has this NameID lose their tokens and their rows go.
   * Whatever SessionIndex it names: only the last session is kept, and PeerTube's tokens do not say which session
   * made them, so every PeerTube session of the person ends (the safe side). Returns the user ids.
   */
  endByNameId(subject: LogoutSubject): Promise<number[]>;
  /** For hookTokenValidity: a token of this user issued before the revocation is no longer valid. */
  revokedAfter(userId: number, issuedAt: number): boolean;
}

const DAY_MS = 24 * 3_600_000;
const SWEEP_EVERY_MS = 60_000;

export function createSessionStore(
  database: Database,
  options: { shortName: string; now?: () => number },
): SessionStore {
  const now = options.now ?? Date.now;
  const { accounts } = accountTables(options.shortName);
  const table = `plugin_${options.shortName.replace(/[^a-z0-9]/gi, '_')}_sessions`;
  const schema = `
CREATE TABLE IF NOT EXISTS ${table} (
  subject varchar(255) PRIMARY KEY REFERENCES ${accounts}(subject) ON DELETE CASCADE,
  name_id varchar(1024) NOT NULL,
  name_id_format varchar(255),
  name_qualifier varchar(1024),
  sp_name_qualifier varchar(1024),
  session_index varchar(255),
  expires_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS ${table}_name_id ON ${table} (name_id);
CREATE INDEX IF NOT EXISTS ${table}_expires_at ON ${table} (expires_at);`;
  let preparing: Promise<void> | null = null;
  let lastSweep = 0;
  /** userId -> when its tokens were revoked; entries older than a day (PeerTube's access token lifetime) go. */
  const revoked = new Map<number, number>();

  const query = (sql: string, replacements: Record<string, unknown>) => database.query(sql, { replacements });
  /** A statement whose rows are wanted (RETURNING too): Sequelize answers the rows alone with type SELECT. */
  const select = async (sql: string, replacements: Record<string, unknown>) =>
    (await database.query(sql, { type: 'SELECT', replacements })) as Record<string, unknown>[];
  const at = 'to_timestamp(CAST(:at AS double precision) / 1000.0)';

  async function sweep() {
    if (now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now();
    await query(`DELETE FROM ${table} WHERE expires_at < ${at}`, { at: now() });
    for (const [userId, at] of revoked) if (now() - at > DAY_MS) revoked.delete(userId);
  }

  const row = (value: Record<string, unknown>): LogoutSubject => ({
    nameId: String(value.name_id),
    nameIdFormat: (value.name_id_format as string | null) ?? null,
    nameQualifier: (value.name_qualifier as string | null) ?? null,
    spNameQualifier: (value.sp_name_qualifier as string | null) ?? null,
    sessionIndex: (value.session_index as string | null) ?? null,
  });

  return {
    ready() {
      preparing ??= (async () => {
        await database.query(schema);
      })().catch((error: unknown) => {
        preparing = null;
        throw error;
      });
      return preparing;
    },
    async remember(subject, session, expiresAt) {
      await sweep();
      await query(
        `INSERT INTO ${table} (subject, name_id, name_id_format, name_qualifier, sp_name_qualifier, session_index, expires_at)
         VALUES (:subject, :nameId, :format, :nq, :spnq, :index, to_timestamp(CAST(:expiresAt AS double precision) / 1000.0))
         ON CONFLICT (subject) DO UPDATE SET name_id = EXCLUDED.name_id, name_id_format = EXCLUDED.name_id_format,
           name_qualifier = EXCLUDED.name_qualifier, sp_name_qualifier = EXCLUDED.sp_name_qualifier,
           session_index = EXCLUDED.session_index, expires_at = EXCLUDED.expires_at`,
        {
          subject,
          nameId: session.nameId,
          format: session.nameIdFormat,
          nq: session.nameQualifier,
          spnq: session.spNameQualifier,
          index: session.sessionIndex,
          expiresAt: Math.min(expiresAt, now() + DAY_MS),
        },
      );
    },
    async takeForUser(userId) {
      const rows = await select(
        `DELETE FROM ${table} s USING ${accounts} a
         WHERE a.subject = s.subject AND a.user_id = :userId RETURNING s.*, s.expires_at >= ${at} AS live`,
        { userId, at: now() },
      );
      const live = rows.find((r) => r.live === true);
      return live ? row(live) : null;
    },
    async endByNameId(subject) {
      const rows = await select(
        `DELETE FROM ${table} s USING ${accounts} a
         WHERE a.subject = s.subject AND s.name_id = :nameId
         RETURNING a.user_id`,
        { nameId: subject.nameId },
      );
      const userIds = rows.map((r) => Number(r.user_id)).filter((id) => Number.isInteger(id) && id > 0);
      for (const userId of userIds) {
        revoked.set(userId, now());
        // Refresh tokens and access tokens not yet cached: gone from PeerTube's table.
        await query('DELETE FROM "oAuthToken" WHERE "userId" = :userId', { userId });
      }
      return userIds;
    },
    revokedAfter(userId, issuedAt) {
      const at = revoked.get(userId);
      return at !== undefined && issuedAt <= at;
    },
  };
}
