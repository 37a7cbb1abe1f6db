/**
 * The PeerTube tables that the host and the plugins touch, with PeerTube's own (quoted camelCase) names, the columns
 * plugins read, and the constraints that decide behaviour, as dumped from a real PeerTube 6.3.3 database
 * (server/core/models/{actor,account,user,video,oauth,server}/*.ts). Only what the suite touches is modelled.
 * - actor names: unique ignoring case among local actors (index actor_preferred_username_lower); a deleted user's
 *   actors stay, so their names are never given again;
 * - "user".email and username unique (exact, not ignoring case);
 * - plugin.settings and plugin.storage: one JSONB value each per plugin, NULL until first written.
 */
export const PEERTUBE_SCHEMA = `
DO $$ BEGIN
  CREATE TYPE "enum_actor_type" AS ENUM ('Group', 'Person', 'Application', 'Organization', 'Service');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE "enum_actorFollow_state" AS ENUM ('pending', 'accepted', 'rejected');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE TABLE IF NOT EXISTS "server" (id serial PRIMARY KEY, host varchar(255) NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS "actor" (
  id serial PRIMARY KEY, type "enum_actor_type" NOT NULL DEFAULT 'Person', "preferredUsername" varchar(255) NOT NULL,
  "serverId" integer REFERENCES "server"(id), "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE UNIQUE INDEX IF NOT EXISTS actor_preferred_username_lower ON "actor" (lower("preferredUsername")) WHERE "serverId" IS NULL;
CREATE TABLE IF NOT EXISTS "user" (
  id serial PRIMARY KEY, username varchar(50) NOT NULL UNIQUE, email varchar(400) NOT NULL UNIQUE, "emailVerified" boolean,
  role integer NOT NULL DEFAULT 2, blocked boolean NOT NULL DEFAULT false, "adminFlags" integer NOT NULL DEFAULT 0,
  "lastLoginDate" timestamptz, "videoQuota" bigint NOT NULL DEFAULT -1, "videoQuotaDaily" bigint NOT NULL DEFAULT -1,
  "pluginAuth" varchar(255), "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS "account" (
  id serial PRIMARY KEY, name varchar(255) NOT NULL, "userId" integer REFERENCES "user"(id) ON DELETE CASCADE,
  "actorId" integer NOT NULL REFERENCES "actor"(id));
CREATE TABLE IF NOT EXISTS "videoChannel" (
  id serial PRIMARY KEY, name varchar(255) NOT NULL, "accountId" integer NOT NULL REFERENCES "account"(id) ON DELETE CASCADE,
  "actorId" integer NOT NULL REFERENCES "actor"(id));
CREATE TABLE IF NOT EXISTS "oAuthToken" (
  id serial PRIMARY KEY, "accessToken" varchar(255) NOT NULL UNIQUE, "refreshToken" varchar(255) NOT NULL,
  "accessTokenExpiresAt" timestamptz NOT NULL, "refreshTokenExpiresAt" timestamptz NOT NULL, "authName" varchar(255),
  "userId" integer NOT NULL REFERENCES "user"(id) ON DELETE CASCADE, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS "plugin" (
  id serial PRIMARY KEY, name varchar(255) NOT NULL, type integer NOT NULL, version varchar(255) NOT NULL,
  enabled boolean NOT NULL DEFAULT true, uninstalled boolean NOT NULL DEFAULT false, "peertubeEngine" varchar(255) NOT NULL,
  description varchar(255), homepage varchar(255) NOT NULL, settings jsonb, storage jsonb,
  "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now(), UNIQUE (name, type));
CREATE TABLE IF NOT EXISTS "video" (
  id serial PRIMARY KEY, uuid uuid NOT NULL, name varchar(255) NOT NULL, remote boolean NOT NULL, privacy integer NOT NULL,
  state integer NOT NULL, "isLive" boolean NOT NULL DEFAULT false, duration integer NOT NULL, views integer NOT NULL DEFAULT 0,
  "channelId" integer NOT NULL REFERENCES "videoChannel"(id), "publishedAt" timestamptz NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS "videoStreamingPlaylist" (id serial PRIMARY KEY, type integer NOT NULL DEFAULT 1, "videoId" integer NOT NULL REFERENCES "video"(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "videoFile" (
  id serial PRIMARY KEY, resolution integer NOT NULL, size bigint NOT NULL, fps integer NOT NULL DEFAULT 30, storage integer NOT NULL DEFAULT 0,
  "videoId" integer REFERENCES "video"(id) ON DELETE CASCADE,
  "videoStreamingPlaylistId" integer REFERENCES "videoStreamingPlaylist"(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "videoView" (id serial PRIMARY KEY, "startDate" timestamptz NOT NULL, "endDate" timestamptz NOT NULL, views integer NOT NULL, "videoId" integer NOT NULL REFERENCES "video"(id) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS "video_view_start_date" ON "videoView" ("startDate");
CREATE TABLE IF NOT EXISTS "localVideoViewer" (id serial PRIMARY KEY, "startDate" timestamptz NOT NULL, "endDate" timestamptz NOT NULL, "watchTime" integer NOT NULL, "videoId" integer NOT NULL REFERENCES "video"(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "videoComment" (
  id serial PRIMARY KEY, "videoId" integer NOT NULL REFERENCES "video"(id) ON DELETE CASCADE, "accountId" integer REFERENCES "account"(id),
  "deletedAt" timestamptz, "heldForReview" boolean NOT NULL DEFAULT false, "originCommentId" integer);
CREATE TABLE IF NOT EXISTS "videoPlaylist" (
  id serial PRIMARY KEY, privacy integer NOT NULL, type integer NOT NULL DEFAULT 1, "ownerAccountId" integer NOT NULL REFERENCES "account"(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "actorFollow" (id serial PRIMARY KEY, state "enum_actorFollow_state" NOT NULL, "actorId" integer NOT NULL REFERENCES "actor"(id), "targetActorId" integer NOT NULL REFERENCES "actor"(id));
CREATE TABLE IF NOT EXISTS "runnerJob" (id serial PRIMARY KEY, type varchar(255) NOT NULL, state integer NOT NULL);
`;

/**
 * 8.x keeps the stable id a plugin gives with externalId (UserModel.loadByPluginAuthExternalId), and a user's
 * language, which userUpdater is asked about too.
 */
export const PEERTUBE_8_SCHEMA = `ALTER TABLE "user" ADD COLUMN IF NOT EXISTS "pluginAuthExternalId" varchar(255);
ALTER TABLE "user" ADD COLUMN IF NOT EXISTS language varchar(10);`;
