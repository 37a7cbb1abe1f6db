import type pg from 'pg';
import { PEERTUBE_SCHEMA } from './peertube/schema.js';

export { PEERTUBE_SCHEMA };

/**
 * A generator that fills PeerTube's tables (./peertube/schema.ts) at the platform's scale with generate_series, for
 * the exporter's tests and bench.
 */
export interface PeerTubeScale {
  readonly users: number;
  readonly videos: number;
  /** Web video files; HLS files are one per video on top of these. */
  readonly webVideoFiles: number;
  readonly viewRows: number;
}

/** The platform's scale (issue 5): 63,000 videos, 100,000 files, 1,000,000 hourly view rows. */
export const PLATFORM_SCALE: PeerTubeScale = {
  users: 5_000,
  videos: 63_000,
  webVideoFiles: 45_000,
  viewRows: 1_000_000,
};

/**
 * Creates the tables and fills them deterministically (values derived from the row number), in a few seconds even at
 * the platform's scale: every row comes from one INSERT ... SELECT over generate_series.
 */
export async function seedPeerTube(client: Pick<pg.Pool, 'query'>, scale: PeerTubeScale): Promise<void> {
  await client.query(PEERTUBE_SCHEMA);
  const n = (value: number) => Math.max(1, Math.floor(value));
  await client.query(`
    INSERT INTO "server" (host) VALUES ('peertube.ac-test.fr'), ('videos.remote-1.fr'), ('videos.remote-2.fr');
    INSERT INTO "actor" ("preferredUsername", "serverId")
      SELECT 'actor' || i, CASE WHEN i % 50 = 0 THEN 2 + i % 2 ELSE NULL END FROM generate_series(1, ${n(scale.users) + 20}) i;
    INSERT INTO "user" (username, email, role, blocked, "lastLoginDate", "videoQuota", "videoQuotaDaily")
      SELECT 'user' || i, 'user' || i || '@ac-test.fr', CASE WHEN i = 1 THEN 0 WHEN i % 100 = 0 THEN 1 ELSE 2 END, i % 97 = 0,
             now() - make_interval(hours => i % 1000), CASE WHEN i % 3 = 0 THEN -1 ELSE 10737418240 END, -1
      FROM generate_series(1, ${n(scale.users)}) i;
    INSERT INTO "account" (name, "userId", "actorId") SELECT 'user' || i, i, i FROM generate_series(1, ${n(scale.users)}) i;
    INSERT INTO "videoChannel" (name, "accountId", "actorId") SELECT 'channel' || i, i, i FROM generate_series(1, ${n(scale.users)}) i;
    INSERT INTO "video" (uuid, name, remote, privacy, state, "isLive", duration, views, "channelId", "publishedAt")
      SELECT md5(i::text)::uuid, 'video ' || i, i % 10 = 0, 1 + i % 5, CASE WHEN i % 41 = 0 THEN 2 ELSE 1 END, i % 997 = 0,
             60 + i % 3600, i % 500, 1 + i % ${n(scale.users)}, now() - make_interval(days => i % 2000)
      FROM generate_series(1, ${n(scale.videos)}) i;
    INSERT INTO "videoStreamingPlaylist" ("videoId") SELECT id FROM "video" WHERE NOT remote;
    INSERT INTO "videoFile" (resolution, size, fps, storage, "videoStreamingPlaylistId")
      SELECT (ARRAY[240, 360, 480, 720, 1080])[1 + id % 5], 1000000 + (id::bigint * 7919) % 500000000, 30, (id % 4 = 0)::int, id
      FROM "videoStreamingPlaylist";
    INSERT INTO "videoFile" (resolution, size, fps, storage, "videoId")
      SELECT (ARRAY[240, 360, 480, 720, 1080])[1 + i % 5], 500000 + (i::bigint * 104729) % 300000000, 30, (i % 3 = 0)::int,
             1 + i % ${n(scale.videos)}
      FROM generate_series(1, ${n(scale.webVideoFiles)}) i;
    INSERT INTO "videoView" ("startDate", "endDate", views, "videoId")
      SELECT date_trunc('hour', now()) - make_interval(hours => i % 2160), date_trunc('hour', now()) - make_interval(hours => i % 2160 - 1),
             1 + i % 7, 1 + i % ${n(scale.videos)}
      FROM generate_series(1, ${n(scale.viewRows)}) i;
    INSERT INTO "videoComment" ("videoId", "accountId", "deletedAt", "heldForReview")
      SELECT 1 + i % ${n(scale.videos)}, 1 + i % ${n(scale.users)}, CASE WHEN i % 20 = 0 THEN now() ELSE NULL END, i % 97 = 0
      FROM generate_series(1, ${n(scale.videos / 2)}) i;
    INSERT INTO "videoPlaylist" (privacy, "ownerAccountId") SELECT 1 + i % 3, 1 + i % ${n(scale.users)} FROM generate_series(1, ${n(scale.users / 2)}) i;
    -- Every account's "Watch later" playlist (type 2, private), as PeerTube makes it.
    INSERT INTO "videoPlaylist" (privacy, type, "ownerAccountId") SELECT 3, 2, i FROM generate_series(1, ${n(scale.users)}) i;
    INSERT INTO "actorFollow" (state, "actorId", "targetActorId")
      SELECT (CASE WHEN i % 5 = 0 THEN 'pending' ELSE 'accepted' END)::"enum_actorFollow_state", CASE WHEN i % 2 = 0 THEN ${n(scale.users)} + i ELSE 1 END,
             CASE WHEN i % 2 = 0 THEN 1 ELSE ${n(scale.users)} + i END
      FROM generate_series(1, 20) i;
    INSERT INTO "runnerJob" (type, state) SELECT (ARRAY['vod-hls-transcoding', 'live-rtmp-hls-transcoding', 'video-studio-transcoding'])[1 + i % 3], 1 + i % 7
      FROM generate_series(1, 300) i;
    ANALYZE;
  `);
}
