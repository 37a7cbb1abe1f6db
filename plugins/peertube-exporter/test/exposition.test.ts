import { describe, expect, it } from 'vitest';
import { MAX_JOB_TYPES } from '../src/adapters/job-queue.js';
import { createExporterMetrics } from '../src/core/exposition.js';
import {
  PRIVACY,
  RESOLUTIONS,
  ROLE,
  RUNNER_JOB_STATE,
  resolutionLabel,
  type Sample,
  type Snapshot,
  STORAGE,
  VIDEO_STATE,
} from '../src/core/snapshot.js';

const withOther = (names: Readonly<Record<number, string>>) => [...Object.values(names), 'other'];
const combos = (dimensions: Record<string, readonly string[]>): Record<string, string>[] =>
  Object.entries(dimensions).reduce<Record<string, string>[]>(
    (acc, [name, values]) => acc.flatMap((labels) => values.map((value) => ({ ...labels, [name]: value }))),
    [{}],
  );
const samples = (dimensions: Record<string, readonly string[]>): Sample[] =>
  combos(dimensions).map((labels) => ({ labels, value: 1 }));

/** The worst case the README promises: every label value PeerTube can produce, and the most job types read. */
describe('exposition cardinality', () => {
  it('never exceeds the series count stated in the README, with every label value at once', async () => {
    const worst: Snapshot = {
      users: samples({ role: withOther(ROLE), blocked: ['true', 'false'] }),
      activeUsers: samples({ window: ['1d', '7d', '30d'] }),
      videos: samples({ origin: ['local', 'remote'], privacy: withOther(PRIVACY), state: withOther(VIDEO_STATE) }),
      liveVideosRunning: 1,
      videoFileBytes: samples({
        storage: withOther(STORAGE),
        kind: ['web_video', 'hls'],
        resolution: [...[...RESOLUTIONS].map(String), 'other'],
      }),
      videoDurationSeconds: 1,
      localViews: 1,
      localViewsWindow: samples({ window: ['1h', '1d'] }),
      comments: samples({ origin: ['local', 'remote'] }),
      commentsHeldForReview: 1,
      playlists: samples({ origin: ['local', 'remote'] }),
      channels: samples({ origin: ['local', 'remote'] }),
      followerInstances: 1,
      followingInstances: 1,
      quotaBytes: 1,
      usedBytes: 1,
      runnerJobs: samples({ state: withOther(RUNNER_JOB_STATE) }),
    };
    const metrics = createExporterMetrics();
    metrics.apply(worst, 0.1, 1);
    metrics.setCapacity(1);
    metrics.setVersion('8.2.3');
    const types = Array.from({ length: MAX_JOB_TYPES }, (_, i) => `type-${i}`);
    metrics.applyJobs({
      jobs: samples({ type: types, state: ['waiting', 'active', 'delayed', 'failed', 'waiting_children'] }),
      oldestWaitingAgeSeconds: samples({ type: types }),
      queuesFound: MAX_JOB_TYPES,
    });
    metrics.setProcessReader({
      inbox: () => ({ successes: 1, errors: 1, waiting: 1 }),
      viewers: () => samples({ viewer_origin: ['local', 'remote'], video_origin: ['local', 'remote'] }),
    });
    const series = (await metrics.render()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const runtime = series.filter((l) => /^(process|nodejs)_/.test(l));
    // README: 260 + 6 per job type; PeerTube 8 has 28 job types (428 series), the exporter reads at most 64 (644);
    // plus the Node runtime's process_* and nodejs_* series (about 50 to 90, from prom-client's default metrics).
    expect(series.length - runtime.length).toBe(260 + 6 * MAX_JOB_TYPES);
    expect(runtime.length).toBeGreaterThan(20);
    expect(runtime.length).toBeLessThanOrEqual(120);
  });

  it('renders refreshed families once per change, and the hook counters at every scrape', async () => {
    const metrics = createExporterMetrics();
    const snapshot = (channels: number): Snapshot => ({
      users: [],
      activeUsers: [],
      videos: [],
      liveVideosRunning: 0,
      videoFileBytes: [],
      videoDurationSeconds: 0,
      localViews: 0,
      localViewsWindow: [],
      comments: [],
      commentsHeldForReview: 0,
      playlists: [],
      channels: [{ labels: { origin: 'local' }, value: channels }],
      followerInstances: 0,
      followingInstances: 0,
      quotaBytes: 0,
      usedBytes: 0,
      runnerJobs: null,
    });
    metrics.apply(snapshot(7), 0.1, 1);
    expect(await metrics.render()).toMatch(/^peertube_video_channels\{origin="local"\} 7$/m);
    metrics.count('view');
    metrics.count('view');
    const text = await metrics.render();
    expect(text).toMatch(/^peertube_video_view_events_total 2$/m);
    expect(text).not.toMatch(/^peertube_video_views_total/m);
    expect(text).toMatch(/^peertube_video_channels\{origin="local"\} 7$/m);
    metrics.apply(snapshot(8), 0.1, 2);
    expect(await metrics.render()).toMatch(/^peertube_video_channels\{origin="local"\} 8$/m);
    metrics.failed(0.2);
    expect(await metrics.render()).toMatch(/^peertube_exporter_up 0$/m);
    metrics.setCapacity(5);
    expect(await metrics.render()).toMatch(/^peertube_storage_capacity_bytes 5$/m);
  });

  it('buckets resolutions PeerTube does not define (a kept original file) as other', () => {
    expect(resolutionLabel(1080)).toBe('1080');
    expect(resolutionLabel('0')).toBe('0');
    expect(resolutionLabel(1350)).toBe('other');
    expect(resolutionLabel(null)).toBe('0');
  });
});

describe("figures only PeerTube's process holds", () => {
  it('leaves the inbox and viewer families out when their source cannot be read, and says so', async () => {
    const metrics = createExporterMetrics();
    metrics.setProcessReader({ inbox: () => null, viewers: () => null });
    const text = await metrics.render();
    expect(text).toMatch(/^peertube_exporter_source_up\{source="activitypub_inbox"\} 0$/m);
    expect(text).toMatch(/^peertube_exporter_source_up\{source="viewers"\} 0$/m);
    expect(text).not.toMatch(/^peertube_activitypub_inbox/m);
    expect(text).not.toMatch(/^peertube_viewers/m);
  });

  it('reads them at every scrape when readable', async () => {
    const metrics = createExporterMetrics();
    let waiting = 3;
    metrics.setProcessReader({
      inbox: () => ({ successes: 10, errors: 2, waiting }),
      viewers: () => [{ labels: { viewer_origin: 'local', video_origin: 'local' }, value: 5 }],
    });
    expect(await metrics.render()).toMatch(/^peertube_activitypub_inbox_waiting 3$/m);
    waiting = 4;
    const text = await metrics.render();
    expect(text).toMatch(/^peertube_activitypub_inbox_waiting 4$/m);
    expect(text).toMatch(/^peertube_activitypub_inbox_processed_total 10$/m);
    expect(text).toMatch(/^peertube_activitypub_inbox_errors_total 2$/m);
    expect(text).toMatch(/^peertube_viewers\{viewer_origin="local",video_origin="local"\} 5$/m);
    expect(text).toMatch(/^peertube_exporter_source_up\{source="viewers"\} 1$/m);
  });

  it('shows the Node runtime of the process it runs in (event-loop lag, heap, GC, CPU)', async () => {
    const text = await createExporterMetrics().render();
    for (const family of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ])
      expect(text).toContain(`# TYPE ${family}`);
  });
});
