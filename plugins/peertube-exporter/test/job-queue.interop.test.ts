import { randomBytes } from 'node:crypto';
import { requireRedis } from '@apps-education/testkit';
import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobQueues } from '../src/adapters/job-queue.js';

/** Real BullMQ queues named as PeerTube names them, in a real Redis, read back by the exporter. */
describe('PeerTube job queue in Redis', () => {
  let redis: Redis;
  const prefix = `bull-videos-${randomBytes(3).toString('hex')}.ac-test.fr`;
  const queues: Queue[] = [];
  beforeAll(async () => {
    const url = await requireRedis();
    redis = new Redis(url);
    const connection = { url };
    const transcoding = new Queue('video-transcoding', { connection, prefix });
    const move = new Queue('move-to-object-storage', { connection, prefix });
    queues.push(transcoding, move);
    for (let i = 0; i < 5; i++) await transcoding.add('job', { videoUUID: `v${i}` });
    await transcoding.add('later', { videoUUID: 'x' }, { delay: 60_000 });
    await move.add('job', { videoUUID: 'm' });
    // PeerTube's upload flows: a parent job waits in waiting-children until its children are done.
    const flows = new FlowProducer({ connection, prefix });
    await flows.add({
      name: 'manage-video-torrent',
      queueName: 'manage-video-torrent',
      data: {},
      children: [{ name: 'job', queueName: 'video-transcoding', data: { videoUUID: 'child' } }],
    });
    await flows.close();
    queues.push(new Queue('manage-video-torrent', { connection, prefix }));
  });
  afterAll(async () => {
    for (const q of queues) {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
    await redis?.quit();
  });

  it('counts waiting and delayed jobs per job type', async () => {
    const reading = await readJobQueues(redis, prefix, Date.now());
    const value = (type: string, state: string) =>
      reading.jobs.find((s) => s.labels.type === type && s.labels.state === state)?.value;
    expect(value('video-transcoding', 'waiting')).toBe(6);
    expect(value('video-transcoding', 'delayed')).toBe(1);
    expect(value('video-transcoding', 'failed')).toBe(0);
    expect(value('move-to-object-storage', 'waiting')).toBe(1);
  });

  it('counts the parent of a flow waiting for its children (waiting_children)', async () => {
    const reading = await readJobQueues(redis, prefix, Date.now());
    const parent = reading.jobs.find(
      (s) => s.labels.type === 'manage-video-torrent' && s.labels.state === 'waiting_children',
    );
    expect(parent?.value).toBe(1);
    expect(await redis.type(`${prefix}:manage-video-torrent:waiting-children`)).toBe('zset');
  });

  it('says how many queues it found under the prefix', async () => {
    expect((await readJobQueues(redis, prefix, Date.now())).queuesFound).toBe(3);
  });

  it('gives the age of the oldest waiting job', async () => {
    const reading = await readJobQueues(redis, prefix, Date.now() + 3_600_000);
    const age = reading.oldestWaitingAgeSeconds.find((s) => s.labels.type === 'video-transcoding')?.value ?? 0;
    expect(age).toBeGreaterThanOrEqual(3600);
    expect(age).toBeLessThan(3660);
  });

  it('exposes the queue through promtool-clean metrics', async () => {
    const { createExporterMetrics } = await import('../src/core/exposition.js');
    const { spawnSync } = await import('node:child_process');
    const { requireCommand } = await import('@apps-education/testkit');
    const metrics = createExporterMetrics();
    metrics.applyJobs(await readJobQueues(redis, prefix, Date.now()));
    const exposition = await metrics.render();
    expect(exposition).toMatch(/^peertube_jobs\{type="video-transcoding",state="waiting"\} 6$/m);
    expect(exposition).toMatch(/^peertube_job_queues_found 3$/m);
    const result = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], {
      input: exposition,
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });

  it("finds nothing under another instance's prefix, and says it found no queue", async () => {
    const reading = await readJobQueues(redis, 'bull-other.ac-test.fr', Date.now());
    expect(reading.jobs).toEqual([]);
    expect(reading.queuesFound).toBe(0);
  });
});
