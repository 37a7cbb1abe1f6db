import { randomBytes } from 'node:crypto';
import type { AccountLink, PeerTubeAccount } from '@apps-education/identity-mapping';

/**
 * A PeerTube sign-in plugin's own tables in PeerTube's database (the OIDC and SAML plugins: the subject is the OIDC
 * `sub` or the SAML persistent NameID), reached through `peertubeHelpers.database.query` (Sequelize on
 * PeerTube's pool). Nothing per person goes to `storageManager`: that is one JSONB row for the whole plugin, rewritten
 * under a lock at every write (shared/reference/peertube.md). Three tables, created idempotently at start:
 * - accounts: IdP subject -> PeerTube user id (and the email PeerTube knows the account by, for the first sign-in
 *   before the account exists). The user id references PeerTube's "user" with ON DELETE CASCADE: deleting the
 *   PeerTube account erases the link, even if the plugin is stopped at that moment. Links whose account was never
 *   created (the token never exchanged) are swept after a day.
 * - logins: the ids of completed logins until they expire (single use of a callback), swept.
 * - keys: the key that seals the login state in the browser's cookie, shared by every PeerTube process.
 */
export interface Database {
  query(sql: string, options?: { type?: 'SELECT'; replacements?: Record<string, unknown> }): Promise<unknown>;
}

export interface AccountStore {
  /** Creates the tables (once; retried after a failure) and, if asked, moves links kept in storageManager. */
  ready(): Promise<void>;
  /** The subject's link and the PeerTube account it designates: one query, by primary keys. */
  linked(subject: string): Promise<{ link: AccountLink | null; user: PeerTubeAccount | null }>;
  /** For a first sign-in: the subject already linked to this email, and the PeerTube account that has it. */
  emailOwners(email: string): Promise<{ linkedTo: string | null; user: PeerTubeAccount | null }>;
  /** Records a new link; false when another subject took this email or account meanwhile (unique constraints). */
  link(subject: string, userId: number | null, email: string): Promise<boolean>;
  /** After PeerTube issued a token to `username`: links waiting for their account get its id. */
  resolve(username: string): Promise<void>;
  /** GDPR: what the plugin kept about a deleted PeerTube account. */
  forget(userId: number, email: string): Promise<void>;
  /** Atomically marks a login id as used; false when it already was. */
  claimLogin(id: string, expiresAt: number): Promise<boolean>;
  /** The login-state sealing keys (the first seals). */
  keys(): Promise<Buffer[]>;
}

/** The plugin's tables are named after it: plugin_<short name with underscores>_accounts, ... */
export function accountTables(shortName: string) {
  const prefix = `plugin_${shortName.replace(/[^a-z0-9]/gi, '_')}`;
  return { accounts: `${prefix}_accounts`, logins: `${prefix}_logins`, keys: `${prefix}_keys` };
}

const schemaOf = ({ accounts, logins, keys }: ReturnType<typeof accountTables>) => `
CREATE TABLE IF NOT EXISTS ${accounts} (
  subject varchar(255) PRIMARY KEY,
  user_id integer UNIQUE REFERENCES "user"(id) ON DELETE CASCADE,
  email varchar(400) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX IF NOT EXISTS ${accounts}_email ON ${accounts} (lower(email));
CREATE INDEX IF NOT EXISTS ${accounts}_pending ON ${accounts} (created_at) WHERE user_id IS NULL;
CREATE TABLE IF NOT EXISTS ${logins} (id varchar(64) PRIMARY KEY, expires_at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS ${logins}_expires_at ON ${logins} (expires_at);
CREATE TABLE IF NOT EXISTS ${keys} (id smallint PRIMARY KEY, secret bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
`;

/** Sweeps expired rows at most this often, from the login path itself (no timer that could fail unattended). */
const SWEEP_EVERY_MS = 60_000;

type Row = Record<string, unknown>;

const account = (value: unknown): PeerTubeAccount | null => {
  if (!value || typeof value !== 'object') return null;
  const v = value as Row;
  return {
    id: Number(v.id),
    username: String(v.username),
    email: String(v.email),
    pluginAuth: v.pluginAuth === null || v.pluginAuth === undefined ? null : String(v.pluginAuth),
  };
};

const USER_JSON = `json_build_object('id', u.id, 'username', u.username, 'email', u.email, 'pluginAuth', u."pluginAuth")`;

export function createAccountStore(
  database: Database,
  options: {
    npmName: string;
    /** The plugin's short name (apps-auth-oidc): its tables are named after it. */
    shortName: string;
    log: (message: string) => void;
    now?: () => number;
    /** Move the `link:<subject>` entries an earlier version kept in storageManager, then empty its row. */
    migrateStorageLinks?: boolean;
  },
): AccountStore {
  const now = options.now ?? Date.now;
  const tables = accountTables(options.shortName);
  const { accounts: ACCOUNTS, logins: LOGINS, keys: KEYS } = tables;
  const SCHEMA = schemaOf(tables);
  const select = async (sql: string, replacements: Record<string, unknown> = {}) =>
    (await database.query(sql, { type: 'SELECT', replacements })) as Row[];
  let schema: Promise<void> | null = null;
  let lastSweep = 0;
  let cachedKeys: Buffer[] | null = null;

  async function createSchema() {
    try {
      await database.query(SCHEMA);
    } catch {
      // Two PeerTube processes creating the tables at the same moment: one loses the race; the tables exist.
      await database.query(SCHEMA);
    }
    if (options.migrateStorageLinks) await migrateLegacyStorage();
  }

  /** The OIDC plugin's 0.1.0 kept `link:<subject>` entries in storageManager: they become rows, the row is emptied. */
  async function migrateLegacyStorage() {
    const [row] = await select(`SELECT storage FROM plugin WHERE name = :name AND type = 1`, {
      name: options.shortName,
    });
    const storage = row?.storage as Record<string, unknown> | null | undefined;
    if (!storage || typeof storage !== 'object') return;
    let moved = 0;
    for (const [key, value] of Object.entries(storage)) {
      if (!key.startsWith('link:') || !value || typeof value !== 'object') continue;
      const { subject, email } = value as { subject?: unknown; email?: unknown };
      if (typeof subject !== 'string' || typeof email !== 'string') continue;
      const [user] = await select(`SELECT id FROM "user" WHERE email = :email AND "pluginAuth" = :npm`, {
        email,
        npm: options.npmName,
      });
      await select(
        `INSERT INTO ${ACCOUNTS} (subject, user_id, email) VALUES (:subject, :userId, :email) ON CONFLICT DO NOTHING RETURNING subject`,
        { subject, userId: user ? Number(user.id) : null, email },
      );
      moved++;
    }
    // Logins in progress, ID tokens, username keys: nothing of 0.1.0's per-person data stays in the plugin's row.
    await database.query(`UPDATE plugin SET storage = NULL WHERE name = :name AND type = 1`, {
      replacements: { name: options.shortName },
    });
    if (moved > 0) options.log(`moved ${moved} account links from storageManager to ${ACCOUNTS}`);
  }

  async function sweep() {
    if (now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now();
    await database.query(
      `DELETE FROM ${LOGINS} WHERE expires_at < now();
       DELETE FROM ${ACCOUNTS} WHERE user_id IS NULL AND created_at < now() - interval '1 day';`,
    );
  }

  return {
    ready() {
      if (!schema) {
        schema = createSchema().catch((error: unknown) => {
          schema = null;
          throw error;
        });
      }
      return schema;
    },
    async linked(subject) {
      const [row] = await select(
        `SELECT a.subject, a.user_id, a.email, (
           SELECT ${USER_JSON} FROM "user" u
           WHERE (a.user_id IS NOT NULL AND u.id = a.user_id)
              OR (a.user_id IS NULL AND u.email = a.email AND u."pluginAuth" = :npm)
           LIMIT 1) AS "user"
         FROM ${ACCOUNTS} a WHERE a.subject = :subject`,
        { subject, npm: options.npmName },
      );
      if (!row) return { link: null, user: null };
      return {
        link: {
          subject: String(row.subject),
          userId: row.user_id === null ? null : Number(row.user_id),
          email: String(row.email),
        },
        user: account(row.user),
      };
    },
    async emailOwners(email) {
      const [row] = await select(
        `SELECT
           (SELECT subject FROM ${ACCOUNTS} WHERE lower(email) = lower(:email) LIMIT 1) AS linked_to,
           coalesce(
             (SELECT ${USER_JSON} FROM "user" u WHERE u.email = :email),
             (SELECT ${USER_JSON} FROM "user" u WHERE lower(u.email) = lower(:email) ORDER BY u.id LIMIT 1)) AS "user"`,
        { email },
      );
      return { linkedTo: typeof row?.linked_to === 'string' ? row.linked_to : null, user: account(row?.user) };
    },
    async link(subject, userId, email) {
      // DO NOTHING on any unique index: this subject, this user id or this email (ignoring case) already linked.
      const rows = await select(
        `INSERT INTO ${ACCOUNTS} (subject, user_id, email) VALUES (:subject, :userId, :email)
         ON CONFLICT DO NOTHING RETURNING subject`,
        { subject, userId, email },
      );
      return rows.length === 1;
    },
    async resolve(username) {
      await database.query(
        `UPDATE ${ACCOUNTS} a SET user_id = u.id FROM "user" u
         WHERE u.username = :username AND u."pluginAuth" = :npm AND a.user_id IS NULL AND lower(a.email) = lower(u.email)`,
        { replacements: { username, npm: options.npmName } },
      );
    },
    async forget(userId, email) {
      await database.query(
        `DELETE FROM ${ACCOUNTS} WHERE user_id = :userId OR (user_id IS NULL AND lower(email) = lower(:email))`,
        {
          replacements: { userId, email },
        },
      );
    },
    async claimLogin(id, expiresAt) {
      await sweep();
      const rows = await select(
        `INSERT INTO ${LOGINS} (id, expires_at) VALUES (:id, to_timestamp(:expiresAt / 1000.0))
         ON CONFLICT DO NOTHING RETURNING id`,
        { id, expiresAt },
      );
      return rows.length === 1;
    },
    async keys() {
      if (cachedKeys) return cachedKeys;
      // The first process to start makes the key; the others read it (INSERT ... ON CONFLICT DO NOTHING is atomic).
      await select(
        `INSERT INTO ${KEYS} (id, secret) VALUES (1, decode(:secret, 'hex')) ON CONFLICT DO NOTHING RETURNING id`,
        {
          secret: randomBytes(32).toString('hex'),
        },
      );
      const rows = await select(`SELECT encode(secret, 'hex') AS secret FROM ${KEYS} ORDER BY id`);
      cachedKeys = rows.map((r) => Buffer.from(String(r.secret), 'hex'));
      return cachedKeys;
    },
  };
}
