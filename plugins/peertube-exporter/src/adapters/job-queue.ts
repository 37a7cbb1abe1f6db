import type { Redis } from 'ioredis';
import type { Sample } from '../core/snapshot.js';

/** PeerTube's job types, one BullMQ queue each (server/core/lib/job-queue/job-queue.ts); unknown ones are found too. */
export interface JobQueueReading {
  readonly jobs: readonly Sample[];
  readonly oldestWaitingAgeSeconds: readonly Sample[];
  /** BullMQ queues found under the prefix: PeerTube creates its 28 at start, so 0 means a wrong address or prefix. */
  readonly queuesFound: number;
}

/** PeerTube 8 has 28 job types; more queues than this under the prefix are not PeerTube's, and are left out. */
export const MAX_JOB_TYPES = 64;

/**
 * Reads BullMQ's keys in PeerTube's Redis (prefix `bull-<host>`): per queue, `wait` (list) and `prioritized` (sorted
 * set) are waiting, `active` a list, `delayed` and `failed` sorted sets, `waiting-children` a sorted set (a flow's
 * parent waiting for its children: PeerTube's upload and transcoding flows). The oldest waiting job is the tail of
 * `wait`; its age comes from its hash's `timestamp` (ms). Queues are discovered from their `meta` keys (SCAN, not
 * KEYS, so a big Redis is not blocked).
 */
export async function readJobQueues(redis: Redis, prefix: string, nowMs: number): Promise<JobQueueReading> {
  const queues = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*:meta`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) queues.add(key.slice(prefix.length + 1, -':meta'.length));
  } while (cursor !== '0');
  const jobs: Sample[] = [];
  const oldest: Sample[] = [];
  for (const type of [...queues].sort().slice(0, MAX_JOB_TYPES)) {
    const k = (suffix: string) => `${prefix}:${type}:${suffix}`;
    const replies =
      (await redis
        .multi()
        .llen(k('wait'))
        .zcard(k('prioritized'))
        .llen(k('active'))
        .zcard(k('delayed'))
        .zcard(k('failed'))
        .lindex(k('wait'), -1)
        .zcard(k('waiting-children'))
        .exec()) ?? [];
    const n = (i: number) => Number(replies[i]?.[1] ?? 0);
    jobs.push(
      { labels: { type, state: 'waiting' }, value: n(0) + n(1) },
      { labels: { type, state: 'active' }, value: n(2) },
      { labels: { type, state: 'delayed' }, value: n(3) },
      { labels: { type, state: 'failed' }, value: n(4) },
      { labels: { type, state: 'waiting_children' }, value: n(6) },
    );
    const oldestId = replies[5]?.[1];
    let age = 0;
    if (typeof oldestId === 'string') {
      const timestamp = Number(await redis.hget(k(oldestId), 'timestamp'));
      if (Number.isFinite(timestamp) && timestamp > 0) age = Math.max(0, (nowMs - timestamp) / 1000);
    }
    oldest.push({ labels: { type }, value: age });
  }
  return { jobs, oldestWaitingAgeSeconds: oldest, queuesFound: queues.size };
}
