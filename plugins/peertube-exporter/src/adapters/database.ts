import {
  label,
  PRIVACY,
  ROLE,
  RUNNER_JOB_STATE,
  resolutionLabel,
  type Sample,
  type Snapshot,
  STORAGE,
  VIDEO_STATE,
} from '../core/snapshot.js';

/** Runs one SELECT and returns its rows (PeerTube's `peertubeHelpers.database.query`, or a pg client in tests). */
export type Query = (sql: string, replacements?: Record<string, unknown>) => Promise<Record<string, unknown>[]>;

/** `peertubeHelpers.database` in PeerTube: its Sequelize instance's `query`. */
export interface PeerTubeDatabase {
  query(
    sql: string,
    options: { type: 'SELECT'; replacements?: Record<string, unknown> },
  ): Promise<Record<string, unknown>[]> | Promise<unknown>;
}

/**
 * SELECTs through PeerTube's helper, each under a statement timeout. The helper gives no session of its own (each call
 * may take another pooled connection), so the timeout travels with the query: Sequelize sends a query without bind
 * parameters as one simple-protocol string, which PostgreSQL runs as one implicit transaction, so `SET LOCAL` applies
 * to the SELECT after it and ends with it, leaving PeerTube's connection as it was.
 */
export function peerTubeQuery(database: PeerTubeDatabase, statementTimeoutMs: number): Query {
  if (!Number.isInteger(statementTimeoutMs) || statementTimeoutMs <= 0)
    throw new Error('statement timeout: an integer');
  return async (sql, replacements) =>
    (await database.query(`SET LOCAL statement_timeout = ${statementTimeoutMs};\n${sql}`, {
      type: 'SELECT',
      ...(replacements ? { replacements } : {}),
    })) as Record<string, unknown>[];
}

const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

/**
 * Reads the instance with a handful of aggregate queries, one after the other (one connection at a time: PeerTube's
 * pool is small). Every query groups on low-cardinality columns only.
 */
export async function readSnapshot(query: Query, serverActorId: number): Promise<Snapshot> {
  const users = await query(`SELECT role, blocked, count(*) AS n FROM "user" GROUP BY role, blocked`);
  const [active] = await query(`SELECT
      count(*) FILTER (WHERE "lastLoginDate" > now() - interval '1 day') AS d1,
      count(*) FILTER (WHERE "lastLoginDate" > now() - interval '7 days') AS d7,
      count(*) FILTER (WHERE "lastLoginDate" > now() - interval '30 days') AS d30
    FROM "user"`);
  const videos = await query(
    `SELECT remote, privacy, state, count(*) AS n, sum(duration) AS seconds, count(*) FILTER (WHERE "isLive" AND state = 1 AND NOT remote) AS lives
     FROM "video" GROUP BY remote, privacy, state`,
  );
  const files = await query(
    `SELECT storage, ("videoId" IS NULL) AS hls, resolution, sum(size) AS bytes FROM "videoFile" GROUP BY storage, hls, resolution`,
  );
  const [views] = await query(`SELECT
      (SELECT coalesce(sum(views), 0) FROM "video" WHERE NOT remote) AS total,
      coalesce(sum(views) FILTER (WHERE "startDate" >= now() - interval '1 hour'), 0) AS h1,
      coalesce(sum(views), 0) AS d1
    FROM "videoView" WHERE "startDate" >= now() - interval '1 day'`);
  // Comments, channels and playlists: local or remote by their actor's server (PeerTube's isOwned()); playlists
  // without the "Watch later" one every account has (type 2).
  const owned = await query(
    `SELECT 'comments' AS kind, (ac."serverId" IS NULL) AS local, count(*) AS n,
            count(*) FILTER (WHERE c."heldForReview") AS held
       FROM "videoComment" c LEFT JOIN "account" a ON a.id = c."accountId" LEFT JOIN "actor" ac ON ac.id = a."actorId"
       WHERE c."deletedAt" IS NULL GROUP BY local
     UNION ALL
     SELECT 'channels', (ac."serverId" IS NULL), count(*), 0
       FROM "videoChannel" ch JOIN "actor" ac ON ac.id = ch."actorId" GROUP BY 2
     UNION ALL
     SELECT 'playlists', (ac."serverId" IS NULL), count(*), 0
       FROM "videoPlaylist" p JOIN "account" a ON a.id = p."ownerAccountId" JOIN "actor" ac ON ac.id = a."actorId"
       WHERE p.type <> 2 GROUP BY 2`,
  );
  const [counts] = await query(
    `SELECT
      (SELECT count(*) FROM "actorFollow" WHERE "targetActorId" = :actor AND state = 'accepted') AS followers,
      (SELECT count(*) FROM "actorFollow" WHERE "actorId" = :actor AND state = 'accepted') AS following,
      (SELECT coalesce(sum("videoQuota"), 0) FROM "user" WHERE "videoQuota" >= 0) AS quota`,
    { actor: serverActorId },
  );
  const [used] = await query(`SELECT coalesce(sum(f.size), 0) AS bytes
    FROM "videoFile" f
    LEFT JOIN "videoStreamingPlaylist" p ON p.id = f."videoStreamingPlaylistId"
    JOIN "video" v ON v.id = coalesce(f."videoId", p."videoId")
    WHERE NOT v.remote`);
  const [hasRunnerJobs] = await query(`SELECT to_regclass('"runnerJob"') IS NOT NULL AS present`);
  const runnerJobs = hasRunnerJobs?.present
    ? await query(`SELECT state, count(*) AS n FROM "runnerJob" GROUP BY state`)
    : null;

  const sum = (rows: Record<string, unknown>[], key: string) => rows.reduce((total, row) => total + num(row[key]), 0);
  const byOrigin = (rows: Record<string, unknown>[], kind: string): Sample[] =>
    ['local', 'remote'].map((origin) => ({
      labels: { origin },
      value: sum(
        rows.filter((r) => r.kind === kind && (r.local === true) === (origin === 'local')),
        'n',
      ),
    }));
  const merge = (samples: Sample[]) => {
    const byKey = new Map<string, Sample>();
    for (const s of samples) {
      const key = JSON.stringify(s.labels);
      byKey.set(key, { labels: s.labels, value: (byKey.get(key)?.value ?? 0) + s.value });
    }
    return [...byKey.values()];
  };
  return {
    users: merge(
      users.map((r) => ({
        labels: { role: label(ROLE, r.role), blocked: String(r.blocked === true) },
        value: num(r.n),
      })),
    ),
    activeUsers: [
      { labels: { window: '1d' }, value: num(active?.d1) },
      { labels: { window: '7d' }, value: num(active?.d7) },
      { labels: { window: '30d' }, value: num(active?.d30) },
    ],
    videos: merge(
      videos.map((r) => ({
        labels: {
          origin: r.remote ? 'remote' : 'local',
          privacy: label(PRIVACY, r.privacy),
          state: label(VIDEO_STATE, r.state),
        },
        value: num(r.n),
      })),
    ),
    liveVideosRunning: sum(videos, 'lives'),
    videoFileBytes: merge(
      files.map((r) => ({
        labels: {
          storage: label(STORAGE, r.storage),
          kind: r.hls ? 'hls' : 'web_video',
          resolution: resolutionLabel(r.resolution),
        },
        value: num(r.bytes),
      })),
    ),
    videoDurationSeconds: sum(videos, 'seconds'),
    localViews: num(views?.total),
    localViewsWindow: [
      { labels: { window: '1h' }, value: num(views?.h1) },
      { labels: { window: '1d' }, value: num(views?.d1) },
    ],
    comments: byOrigin(owned, 'comments'),
    commentsHeldForReview: owned.filter((r) => r.kind === 'comments').reduce((total, r) => total + num(r.held), 0),
    playlists: byOrigin(owned, 'playlists'),
    channels: byOrigin(owned, 'channels'),
    followerInstances: num(counts?.followers),
    followingInstances: num(counts?.following),
    quotaBytes: num(counts?.quota),
    usedBytes: num(used?.bytes),
    runnerJobs: runnerJobs
      ? merge(runnerJobs.map((r) => ({ labels: { state: label(RUNNER_JOB_STATE, r.state) }, value: num(r.n) })))
      : null,
  };
}
