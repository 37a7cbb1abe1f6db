/**
 * One refresh's reading of the instance: plain numbers with bounded labels (never a video or a user), turned into
 * the Prometheus exposition by exposition.ts. Every label takes a known, small set of values (unknown codes become
 * `other`): role 3, privacy 5, state 11, storage 2, kind 2, resolution 9, runner job state 9, window 3.
 */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Snapshot {
  readonly users: readonly Sample[];
  readonly activeUsers: readonly Sample[];
  readonly videos: readonly Sample[];
  readonly liveVideosRunning: number;
  readonly videoFileBytes: readonly Sample[];
  readonly videoDurationSeconds: number;
  readonly localViews: number;
  readonly localViewsWindow: readonly Sample[];
  /** By origin (local, remote): the tables hold remote rows too. */
  readonly comments: readonly Sample[];
  /** Local comments waiting for a moderator (videoComment.heldForReview). */
  readonly commentsHeldForReview: number;
  /** Without each account's "Watch later" playlist (videoPlaylist.type 2). */
  readonly playlists: readonly Sample[];
  readonly channels: readonly Sample[];
  readonly followerInstances: number;
  readonly followingInstances: number;
  readonly quotaBytes: number;
  readonly usedBytes: number;
  readonly runnerJobs: readonly Sample[] | null;
}

/** PeerTube's privacy values (shared/models/videos/video-privacy.enum.ts). */
export const PRIVACY: Readonly<Record<number, string>> = {
  1: 'public',
  2: 'unlisted',
  3: 'private',
  4: 'internal',
  5: 'password_protected',
};

/** PeerTube's video states (shared/models/videos/video-state.enum.ts). */
export const VIDEO_STATE: Readonly<Record<number, string>> = {
  1: 'published',
  2: 'to_transcode',
  3: 'to_import',
  4: 'waiting_for_live',
  5: 'live_ended',
  6: 'to_move_to_external_storage',
  7: 'transcoding_failed',
  8: 'to_move_to_external_storage_failed',
  9: 'to_edit',
  10: 'to_move_to_file_system',
  11: 'to_move_to_file_system_failed',
};

/** PeerTube's runner job states (shared/models/runners/runner-job-state.model.ts). */
export const RUNNER_JOB_STATE: Readonly<Record<number, string>> = {
  1: 'pending',
  2: 'processing',
  3: 'completed',
  4: 'errored',
  5: 'waiting_for_parent_job',
  6: 'cancelled',
  7: 'parent_errored',
  8: 'parent_cancelled',
  9: 'completing',
};

/**
 * PeerTube's resolutions (VideoResolution: 0 is audio only). A kept original file can have any height: it counts as
 * `other`, so a label never takes one value per upload.
 */
export const RESOLUTIONS: ReadonlySet<number> = new Set([0, 144, 240, 360, 480, 720, 1080, 1440, 2160]);
export const resolutionLabel = (value: unknown) => {
  const n = Number(value ?? 0);
  return RESOLUTIONS.has(n) ? String(n) : 'other';
};

export const ROLE: Readonly<Record<number, string>> = { 0: 'administrator', 1: 'moderator', 2: 'user' };
export const STORAGE: Readonly<Record<number, string>> = { 0: 'filesystem', 1: 'object_storage' };

/** Unknown codes stay visible but bounded: `other`. */
export const label = (names: Readonly<Record<number, string>>, code: unknown) => names[Number(code)] ?? 'other';
