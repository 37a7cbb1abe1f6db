import type pg from 'pg';

/**
 * PeerTube's local users as the host keeps them (server/core/lib/user.ts, createUserAccountAndChannelAndPlaylist;
 * server/core/lib/local-actor.ts, findAvailableLocalActorName; server/core/controllers/api/users/index.ts,
 * removeUser), as a real 6.3.3 showed:
 * - a user has a Person actor named like it, an account (name = display name), a default channel whose Group actor is
 *   `<username>_channel`, and a private "Watch later" playlist (type 2);
 * - an actor name is free when no local actor has it ignoring case: users, channels, and the actors of deleted
 *   users, which stay (after `bob` was deleted the next `bob` became `bob-1`); PeerTube tries `name`, then `name-1`
 *   ... `name-29`, then fails;
 * - deleting a user removes it, its account, channels, tokens (cascade); its actors stay.
 */
export interface PeerTubeUser {
  id: number;
  username: string;
  email: string;
  role: number;
  displayName: string;
  videoQuota: number;
  videoQuotaDaily: number;
  adminFlags: number;
  blocked: boolean;
  pluginAuth: string | null;
  /** 8.x only: the plugin's stable id for the person (null on 6.3.3). */
  pluginAuthExternalId: string | null;
  /** 8.x only: the interface language (null when not chosen, and on 6.3.3). */
  language: string | null;
}

export interface NewUser {
  username: string;
  email: string;
  role?: number;
  displayName?: string;
  adminFlags?: number;
  videoQuota?: number;
  videoQuotaDaily?: number;
  pluginAuth?: string | null;
  pluginAuthExternalId?: string | null;
}

/** PeerTube's default quotas (config/default.yaml: user.video_quota and video_quota_daily: -1). */
export const DEFAULT_VIDEO_QUOTA = -1;

export class ActorNameUnavailable extends Error {
  constructor(base: string) {
    super('Cannot find available actor local name (too much iterations).');
    this.name = `ActorNameUnavailable(${base})`;
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export async function findAvailableLocalActorName(db: Queryable, base: string): Promise<string> {
  const taken = async (name: string) =>
    ((
      await db.query('SELECT 1 FROM "actor" WHERE lower("preferredUsername") = lower($1) AND "serverId" IS NULL', [
        name,
      ])
    ).rowCount ?? 0) > 0;
  if (!(await taken(base))) return base;
  for (let i = 1; i < 30; i++) {
    const name = `${base}-${i}`;
    if (!(await taken(name))) return name;
  }
  throw new ActorNameUnavailable(base);
}

const SELECT_USER = `SELECT u.*, a.name AS "displayName" FROM "user" u LEFT JOIN "account" a ON a."userId" = u.id`;

export function toUser(row: Record<string, unknown>): PeerTubeUser {
  return {
    id: Number(row.id),
    username: String(row.username),
    email: String(row.email),
    role: Number(row.role),
    displayName: String(row.displayName ?? row.username),
    videoQuota: Number(row.videoQuota),
    videoQuotaDaily: Number(row.videoQuotaDaily),
    adminFlags: Number(row.adminFlags ?? 0),
    blocked: row.blocked === true,
    pluginAuth: row.pluginAuth === null || row.pluginAuth === undefined ? null : String(row.pluginAuth),
    pluginAuthExternalId:
      row.pluginAuthExternalId === null || row.pluginAuthExternalId === undefined
        ? null
        : String(row.pluginAuthExternalId),
    language: typeof row.language === 'string' ? row.language : null,
  };
}

export interface UserStore {
  /** Creates a user with its actor, account, default channel and "Watch later" playlist, as PeerTube does. */
  create(user: NewUser): Promise<PeerTubeUser>;
  byId(id: number): Promise<PeerTubeUser | null>;
  /** Exact email match (6.3.3) or ignoring case (8.x). */
  byEmail(email: string, ignoreCase: boolean): Promise<PeerTubeUser | null>;
  byExternalId(pluginAuth: string, externalId: string): Promise<PeerTubeUser | null>;
  list(): Promise<PeerTubeUser[]>;
  update(id: number, fields: Partial<Omit<PeerTubeUser, 'id' | 'username'>>): Promise<PeerTubeUser>;
  remove(id: number): Promise<PeerTubeUser | null>;
}

export function createUserStore(pool: pg.Pool, options: { externalIdColumn: boolean }): UserStore {
  const one = async (where: string, params: unknown[]) => {
    const result = await pool.query(`${SELECT_USER} WHERE ${where} ORDER BY u.id LIMIT 1`, params);
    return result.rows[0] ? toUser(result.rows[0]) : null;
  };
  const store: UserStore = {
    async create(user) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const username = await findAvailableLocalActorName(client, user.username);
        const person = await client.query(
          `INSERT INTO "actor" (type, "preferredUsername") VALUES ('Person', $1) RETURNING id`,
          [username],
        );
        const columns = [
          'username',
          'email',
          'role',
          '"adminFlags"',
          '"videoQuota"',
          '"videoQuotaDaily"',
          '"pluginAuth"',
        ];
        const values: unknown[] = [
          username,
          user.email,
          user.role ?? 2,
          user.adminFlags ?? 0,
          user.videoQuota ?? DEFAULT_VIDEO_QUOTA,
          user.videoQuotaDaily ?? DEFAULT_VIDEO_QUOTA,
          user.pluginAuth ?? null,
        ];
        if (options.externalIdColumn) {
          columns.push('"pluginAuthExternalId"');
          values.push(user.pluginAuthExternalId ?? null);
        }
        const created = await client.query(
          `INSERT INTO "user" (${columns.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
          values,
        );
        const userId = created.rows[0]?.id as number;
        const account = await client.query(
          'INSERT INTO "account" (name, "userId", "actorId") VALUES ($1, $2, $3) RETURNING id',
          [user.displayName || username, userId, person.rows[0]?.id],
        );
        const channelName = await findAvailableLocalActorName(client, `${username}_channel`);
        const group = await client.query(
          `INSERT INTO "actor" (type, "preferredUsername") VALUES ('Group', $1) RETURNING id`,
          [channelName],
        );
        await client.query('INSERT INTO "videoChannel" (name, "accountId", "actorId") VALUES ($1, $2, $3)', [
          `Main ${username} channel`,
          account.rows[0]?.id,
          group.rows[0]?.id,
        ]);
        await client.query('INSERT INTO "videoPlaylist" (privacy, type, "ownerAccountId") VALUES (3, 2, $1)', [
          account.rows[0]?.id,
        ]);
        await client.query('COMMIT');
        const saved = await store.byId(userId);
        if (!saved) throw new Error('user vanished');
        return saved;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    },
    byId: (id) => one('u.id = $1', [id]),
    byEmail: (email, ignoreCase) =>
      ignoreCase ? one('lower(u.email) = lower($1)', [email]) : one('u.email = $1', [email]),
    byExternalId: (pluginAuth, externalId) =>
      options.externalIdColumn
        ? one('u."pluginAuth" = $1 AND u."pluginAuthExternalId" = $2', [pluginAuth, externalId])
        : Promise.resolve(null),
    async list() {
      return (await pool.query(`${SELECT_USER} ORDER BY u.id`)).rows.map(toUser);
    },
    async update(id, fields) {
      const { displayName, ...userFields } = fields;
      const names = Object.keys(userFields).filter(
        (k) => !['pluginAuthExternalId', 'language'].includes(k) || options.externalIdColumn,
      );
      if (names.length > 0) {
        await pool.query(
          `UPDATE "user" SET ${names.map((n, i) => `"${n}" = $${i + 2}`).join(', ')}, "updatedAt" = now() WHERE id = $1`,
          [id, ...names.map((n) => (userFields as Record<string, unknown>)[n])],
        );
      }
      if (displayName !== undefined)
        await pool.query('UPDATE "account" SET name = $2 WHERE "userId" = $1', [id, displayName]);
      const updated = await store.byId(id);
      if (!updated) throw new Error(`no user ${id}`);
      return updated;
    },
    async remove(id) {
      const user = await store.byId(id);
      if (user) await pool.query('DELETE FROM "user" WHERE id = $1', [id]);
      return user;
    },
  };
  return store;
}
