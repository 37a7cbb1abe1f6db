import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Sample, Snapshot } from './snapshot.js';

/**
 * The Node runtime families the dashboard shows. prom-client gives more (min, stddev, percentiles of the lag, heap
 * spaces, virtual memory...): they stay exposed for ad-hoc queries.
 */
export const RUNTIME_FAMILIES_SHOWN = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_gc_duration_seconds',
  'nodejs_active_handles',
  'process_open_fds',
] as const;

/** The figures only PeerTube's process holds (adapters/peertube-process.ts); null when not readable. */
export interface ProcessReader {
  inbox(): { successes: number; errors: number; waiting: number } | null;
  viewers(): Sample[] | null;
}

/**
 * The exporter's metrics (prefix `peertube_`, base units, no label per video or user), clean under
 * `promtool check metrics`. A scrape reads these registries only; refreshes set them (no database on the scrape path).
 */
export function createExporterMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  const g = {
    users: gauge('peertube_users', 'Local user accounts, by role and blocked state.', ['role', 'blocked']),
    activeUsers: gauge('peertube_active_users', 'Local users who signed in within the window (1d, 7d, 30d).', [
      'window',
    ]),
    videos: gauge('peertube_videos', 'Videos known to the instance, by origin, privacy and state (all of them).', [
      'origin',
      'privacy',
      'state',
    ]),
    lives: gauge('peertube_live_videos_running', 'Local live videos streaming now.'),
    fileBytes: gauge('peertube_video_files_bytes', 'Size of video files, by storage backend, kind and resolution.', [
      'storage',
      'kind',
      'resolution',
    ]),
    duration: gauge('peertube_videos_duration_seconds', 'Total duration of the videos known to the instance.'),
    views: gauge('peertube_local_video_views', 'Views of local videos since they were published.'),
    recentViews: gauge(
      'peertube_local_video_views_recent',
      'Views of local videos within the window (1h, 1d), from the hourly view table.',
      ['window'],
    ),
    comments: gauge('peertube_video_comments', 'Video comments not deleted, by origin (local, remote).', ['origin']),
    commentsHeld: gauge('peertube_video_comments_held_for_review', 'Comments waiting for a moderator.'),
    playlists: gauge(
      'peertube_video_playlists',
      'Video playlists by origin, without the "Watch later" one every account has.',
      ['origin'],
    ),
    channels: gauge('peertube_video_channels', 'Video channels, by origin (local, remote).', ['origin']),
    followers: gauge('peertube_follower_instances', 'Instances following this one (accepted).'),
    following: gauge('peertube_following_instances', 'Instances this one follows (accepted).'),
    quota: gauge(
      'peertube_users_video_quota_bytes',
      'Sum of the video quotas given to users (unlimited ones left out).',
    ),
    used: gauge(
      'peertube_users_video_used_bytes',
      'Bytes of video files of local videos, what quotas are measured against.',
    ),
    runnerJobs: gauge('peertube_runner_jobs', 'Remote runner jobs, by state code.', ['state']),
    jobs: gauge(
      'peertube_jobs',
      'Jobs of the job queue, by job type and state (waiting, active, delayed, failed, waiting_children).',
      ['type', 'state'],
    ),
    queuesFound: gauge(
      'peertube_job_queues_found',
      'BullMQ queues found in Redis under the job queue prefix (PeerTube makes 28 at start: 0 means wrong settings).',
    ),
    oldestJob: gauge(
      'peertube_job_oldest_waiting_age_seconds',
      'Age of the oldest waiting job, by job type (0 when none waits).',
      ['type'],
    ),
    up: gauge(
      'peertube_exporter_up',
      'Whether the last refresh read the database and Redis (1) or failed (0: the values are the last good ones).',
    ),
    refreshDuration: gauge('peertube_exporter_refresh_duration_seconds', 'Duration of the last refresh.'),
    lastSuccess: gauge('peertube_exporter_last_success_timestamp_seconds', 'Unix time of the last successful refresh.'),
  };
  // Counters change between refreshes (every hook call): their own small registry, rendered at each scrape. The rest
  // changes only at a refresh: rendered once then, so a scrape neither rebuilds ~400 series nor leaves their garbage
  // (rendering at every scrape cost a young-generation GC of several ms every 40 scrapes, the scrape's p99 tail).
  const live = new Registry();
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [live] });
  /** Counted from PeerTube's action hooks in this process: they start at 0 when PeerTube (re)starts the plugin. */
  const events = {
    upload: counter('peertube_video_uploads_total', 'Videos uploaded to this instance (action:api.video.uploaded).'),
    // Not peertube_video_views_total: PeerTube's own OpenTelemetry metrics use that name (a gauge).
    view: counter('peertube_video_view_events_total', 'Video views counted by PeerTube (action:api.video.viewed).'),
    signIn: counter(
      'peertube_user_sign_ins_total',
      'Tokens given to users signing in, all methods (action:api.user.oauth2-got-token).',
    ),
    registration: counter(
      'peertube_user_registrations_total',
      'Accounts created by self-registration (action:api.user.registered).',
    ),
  };
  // The PeerTube process's Node runtime (the plugin runs in it): CPU, memory, heap, event-loop lag, GC, handles,
  // under the usual process_* and nodejs_* names, so PeerTube's own OpenTelemetry metrics can be switched off.
  collectDefaultMetrics({ register: live, eventLoopMonitoringPrecision: 20 });
  // prom-client also registers gauges named *_total (the totals of the families kept here), which promtool refuses
  // ("non-counter metrics should not have _total suffix").
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    live.removeSingleMetric(name);
  // What only PeerTube's memory knows (adapters/peertube-process.ts), read at each scrape: a few property reads.
  // Registered only for a source that could be opened: an unlabelled metric always shows a value, and a 0 for an
  // unknown inbox would read as "nothing waiting".
  let processReader: ProcessReader = { inbox: () => null, viewers: () => null };
  new Gauge({
    name: 'peertube_exporter_source_up',
    help: "Whether a figure only PeerTube's process holds can be read (activitypub_inbox, viewers).",
    labelNames: ['source'],
    registers: [live],
    collect() {
      this.set({ source: 'activitypub_inbox' }, processReader.inbox() ? 1 : 0);
      this.set({ source: 'viewers' }, processReader.viewers() ? 1 : 0);
    },
  });
  const inboxCounter = (name: string, help: string, key: 'successes' | 'errors') =>
    new Counter({
      name,
      help,
      registers: [],
      collect() {
        this.reset();
        this.inc(processReader.inbox()?.[key] ?? 0);
      },
    });
  const processFamilies = {
    activitypub_inbox: [
      inboxCounter(
        'peertube_activitypub_inbox_processed_total',
        'ActivityPub messages received and processed with success since PeerTube started.',
        'successes',
      ),
      inboxCounter(
        'peertube_activitypub_inbox_errors_total',
        'ActivityPub messages received whose processing failed, since PeerTube started.',
        'errors',
      ),
      new Gauge({
        name: 'peertube_activitypub_inbox_waiting',
        help: 'ActivityPub messages received and waiting to be processed.',
        registers: [],
        collect() {
          this.set(processReader.inbox()?.waiting ?? 0);
        },
      }),
    ],
    viewers: [
      new Gauge({
        name: 'peertube_viewers',
        help: 'People watching a video now, by viewer origin and video origin (local, remote).',
        labelNames: ['viewer_origin', 'video_origin'],
        registers: [],
        collect() {
          this.reset();
          for (const sample of processReader.viewers() ?? []) this.set(sample.labels, sample.value);
        },
      }),
    ],
  };
  const info = new Gauge({
    name: 'peertube_info',
    help: 'The PeerTube version this instance runs (value 1), from its server configuration.',
    labelNames: ['version'],
    registers,
  });
  // Registered only while the setting is set: an unlabelled gauge always shows a value, and 0 would fire the alert.
  const capacity = new Gauge({
    name: 'peertube_storage_capacity_bytes',
    help: 'Capacity of the video storage, as the administrator declared it in the settings (absent when not set).',
    registers: [],
  });
  const setAll = (metric: Gauge, samples: readonly Sample[]) => {
    metric.reset();
    for (const sample of samples) metric.set(sample.labels, sample.value);
  };
  g.up.set(0);
  let version = 0;
  let rendered = { version: -1, text: '' };
  const changed = () => {
    version += 1;
  };
  return {
    contentType: registry.contentType,
    /** The exposition: the refreshed families as rendered after the last change, then the live counters. */
    async render(): Promise<string> {
      if (rendered.version !== version) {
        const at = version;
        const text = await registry.metrics();
        // A change while rendering leaves the cache to the next scrape.
        if (at === version) rendered = { version: at, text };
        return `${text}${await live.metrics()}`;
      }
      return `${rendered.text}${await live.metrics()}`;
    },
    /** The families a dashboard must show: the exporter's own, and the runtime ones in RUNTIME_FAMILIES_SHOWN. */
    async families(): Promise<string[]> {
      const all = [...(await registry.getMetricsAsJSON()), ...(await live.getMetricsAsJSON())].map((m) => m.name);
      return [...all.filter((name) => !/^(process|nodejs)_/.test(name)), ...RUNTIME_FAMILIES_SHOWN];
    },
    /** Where the in-process figures (inbox, viewers) come from; only readable sources get their families. */
    setProcessReader(reader: ProcessReader) {
      processReader = reader;
      const readable = { activitypub_inbox: reader.inbox() !== null, viewers: reader.viewers() !== null };
      for (const [source, families] of Object.entries(processFamilies)) {
        for (const family of families) {
          // prom-client keeps the name on the metric; its types do not show it.
          live.removeSingleMetric((family as unknown as { name: string }).name);
          if (readable[source as keyof typeof readable]) live.registerMetric(family);
        }
      }
    },
    /** One event from an action hook. */
    count(event: keyof typeof events) {
      events[event].inc();
    },
    /** The PeerTube version, read once: PeerTube restarts, and reloads its plugins, to change version. */
    setVersion(version: string) {
      changed();
      info.reset();
      info.set({ version }, 1);
    },
    /** The declared storage capacity (a setting), or none. */
    setCapacity(bytes: number | null) {
      changed();
      if (bytes === null) {
        registry.removeSingleMetric('peertube_storage_capacity_bytes');
        return;
      }
      capacity.set(bytes);
      if (!registry.getSingleMetric('peertube_storage_capacity_bytes')) registry.registerMetric(capacity);
    },
    apply(snapshot: Snapshot, durationSeconds: number, nowSeconds: number) {
      changed();
      setAll(g.users, snapshot.users);
      setAll(g.activeUsers, snapshot.activeUsers);
      setAll(g.videos, snapshot.videos);
      g.lives.set(snapshot.liveVideosRunning);
      setAll(g.fileBytes, snapshot.videoFileBytes);
      g.duration.set(snapshot.videoDurationSeconds);
      g.views.set(snapshot.localViews);
      setAll(g.recentViews, snapshot.localViewsWindow);
      setAll(g.comments, snapshot.comments);
      g.commentsHeld.set(snapshot.commentsHeldForReview);
      setAll(g.playlists, snapshot.playlists);
      setAll(g.channels, snapshot.channels);
      g.followers.set(snapshot.followerInstances);
      g.following.set(snapshot.followingInstances);
      g.quota.set(snapshot.quotaBytes);
      g.used.set(snapshot.usedBytes);
      if (snapshot.runnerJobs) setAll(g.runnerJobs, snapshot.runnerJobs);
      g.refreshDuration.set(durationSeconds);
      g.lastSuccess.set(nowSeconds);
      g.up.set(1);
    },
    /** The job queue's reading (Redis), refreshed with the rest. */
    applyJobs(reading: { jobs: readonly Sample[]; oldestWaitingAgeSeconds: readonly Sample[]; queuesFound: number }) {
      changed();
      setAll(g.jobs, reading.jobs);
      setAll(g.oldestJob, reading.oldestWaitingAgeSeconds);
      g.queuesFound.set(reading.queuesFound);
    },
    /** A failed refresh: the last values stay, marked stale by `peertube_exporter_up 0`. */
    failed(durationSeconds: number) {
      changed();
      g.refreshDuration.set(durationSeconds);
      g.up.set(0);
    },
  };
}
