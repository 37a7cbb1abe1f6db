import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Sample } from '../core/snapshot.js';

/**
 * What PeerTube keeps only in its process's memory and shows in its own OpenTelemetry metrics
 * (server/core/lib/opentelemetry/metric-helpers/stats-observers-builder.ts and viewers-observers-builder.ts):
 * - the ActivityPub inbox counters of server/core/lib/stat-manager.ts (StatsManager.Instance.inboxMessages:
 *   processed, successes, errors, waiting), counted since PeerTube started;
 * - the current viewers of server/core/lib/views/video-views-manager.ts (VideoViewsManager.Instance.getTotalViewers
 *   by viewer and video origin).
 * No plugin helper gives them and no table or Redis key holds them. The plugin runs inside PeerTube's process, so it
 * imports PeerTube's own compiled modules from PeerTube's folder: the very files PeerTube loaded, hence the same
 * module instances (ES modules are cached by URL). Only members PeerTube 6.3.3 has are read, checked before use: on a
 * PeerTube where a file or member differs, that source is reported missing (a metric and one log line), never an
 * error. Reading them is a few property reads, cheap enough for every scrape.
 */
export interface InboxCounters {
  readonly processed: number;
  readonly successes: number;
  readonly errors: number;
  readonly waiting: number;
}

export interface PeerTubeProcess {
  /** The folder PeerTube runs from, or null when it could not be found. */
  readonly root: string | null;
  inbox(): InboxCounters | null;
  /** Current viewers by viewer origin and video origin (local, remote). */
  viewers(): Sample[] | null;
  /** The sources that could not be opened, with why. */
  readonly missing: readonly { source: 'activitypub_inbox' | 'viewers'; reason: string }[];
}

const STATS_MODULE = ['dist', 'core', 'lib', 'stat-manager.js'];
const VIEWS_MODULE = ['dist', 'core', 'lib', 'views', 'video-views-manager.js'];

/** PeerTube's folder: the one holding dist/server.js, which Node ran (argv[1]), else the working directory. */
export function findPeerTubeRoot(argv1 = process.argv[1], cwd = process.cwd()): string | null {
  const candidates = [argv1 ? dirname(dirname(argv1)) : null, cwd];
  for (const root of candidates) if (root && existsSync(join(root, ...STATS_MODULE))) return root;
  return null;
}

type Loader = (path: string) => Promise<Record<string, unknown>>;
const importFile: Loader = (path) => import(pathToFileURL(path).href) as Promise<Record<string, unknown>>;

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

export async function openPeerTubeProcess(root: string | null, load: Loader = importFile): Promise<PeerTubeProcess> {
  const missing: { source: 'activitypub_inbox' | 'viewers'; reason: string }[] = [];
  if (root === null) {
    const reason = "PeerTube's folder was not found (neither beside argv[1] nor the working directory)";
    return {
      root,
      inbox: () => null,
      viewers: () => null,
      missing: [
        { source: 'activitypub_inbox', reason },
        { source: 'viewers', reason },
      ],
    };
  }
  const instance = async (file: string[], className: string) => {
    const module = await load(join(root, ...file));
    const owner = module[className] as { Instance?: unknown } | undefined;
    return owner?.Instance;
  };

  let inbox: () => InboxCounters | null = () => null;
  try {
    const stats = (await instance(STATS_MODULE, 'StatsManager')) as { inboxMessages?: Record<string, unknown> } | null;
    const read = () => {
      const m = stats?.inboxMessages;
      if (!m || !isCount(m.processed) || !isCount(m.successes) || !isCount(m.errors) || !isCount(m.waiting))
        return null;
      return { processed: m.processed, successes: m.successes, errors: m.errors, waiting: m.waiting };
    };
    if (read() === null) missing.push({ source: 'activitypub_inbox', reason: 'StatsManager.inboxMessages not found' });
    else inbox = read;
  } catch (error) {
    missing.push({ source: 'activitypub_inbox', reason: error instanceof Error ? error.message : String(error) });
  }

  let viewers: () => Sample[] | null = () => null;
  try {
    const views = (await instance(VIEWS_MODULE, 'VideoViewsManager')) as {
      getTotalViewers?: (options: { viewerScope: string; videoScope: string }) => unknown;
    } | null;
    const read = () => {
      if (typeof views?.getTotalViewers !== 'function') return null;
      const samples: Sample[] = [];
      for (const viewer of ['local', 'remote']) {
        for (const video of ['local', 'remote']) {
          const value = views.getTotalViewers({ viewerScope: viewer, videoScope: video });
          if (!isCount(value)) return null;
          samples.push({ labels: { viewer_origin: viewer, video_origin: video }, value });
        }
      }
      return samples;
    };
    if (read() === null) missing.push({ source: 'viewers', reason: 'VideoViewsManager.getTotalViewers not found' });
    else viewers = read;
  } catch (error) {
    missing.push({ source: 'viewers', reason: error instanceof Error ? error.message : String(error) });
  }
  return { root, inbox, viewers, missing };
}
