import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  MAX_SESSION_SERVICES,
  type PgtRecord,
  type SessionService,
  type SsoSession,
  type TicketRecord,
  type TicketStore,
} from '../core/records.js';

export type RedisTarget =
  | string
  | {
      readonly sentinels: readonly { host: string; port: number }[];
      readonly masterName: string;
      readonly sentinelPassword?: string;
      readonly password?: string;
      readonly db?: number;
      readonly tls?: boolean;
    };

/** A write reached fewer replicas than required in time: it may not survive a failover. */
export class ReplicationError extends Error {
  constructor(acked: number, required: number) {
    super(`Redis: the write reached ${acked} of the ${required} replica(s) required (waitReplicas)`);
    this.name = 'ReplicationError';
  }
}

/** How long a write waits for its replicas (ms): replication on a LAN takes well under one. */
const WAIT_MS = 1_000;

/**
 * For several bridge processes behind a load balancer: every piece of state in Redis, every key with a TTL.
 * - single use: `GETDEL` (Redis 6.2+) returns and removes a ticket in one atomic command;
 * - a session's services are a hash beside it keyed by service URL (HSET: no read-modify-write race between
 *   processes, and a new login to the same service replaces the old entry), capped at MAX_SESSION_SERVICES like the
 *   other stores: a sorted set beside it orders them by time, and one Lua script adds and evicts the oldest
 *   atomically (a single logout never fires more back-channel POSTs than that);
 * - a session's PGTs are a set beside it, deleted with it at logout (one MULTI);
 * - for back-channel logout, a sorted set per subject and per IdP session (`sid`) holds its session ids scored by
 *   expiry, trimmed of expired ids at each new session and kept as long as its longest session (one Lua script):
 *   it holds the person's live sessions, never their history;
 * - active sessions are counted from a sorted set scored by expiry, trimmed of expired ones at every new session
 *   (not only when /metrics is read);
 * - a completed login's id is claimed with SET NX until it expires (single use across replicas); the key that seals
 *   logins in progress is made once with SET NX and shared.
 *
 * High availability: `target` is a URL (one Redis) or the master Redis Sentinel names; ioredis asks the sentinels
 * again after a failover (and on a READONLY answer from a demoted master). Redis replicates asynchronously, so a
 * write acknowledged by a master that dies at once can be missing from the promoted replica: with `waitReplicas`,
 * the writes that decide single use or end a session (taking a ticket, claiming a login, storing and deleting a
 * session, the sealing key) wait for that many replicas (WAIT, pipelined behind the write) and fail when fewer have
 * them, so a failover never revives a used ticket or an ended session. Redis Cluster is not supported: the scripts
 * and transactions span keys of several hash slots.
 */
export function createRedisTicketStore(
  target: RedisTarget,
  options: { prefix?: string; waitReplicas?: number } = {},
): TicketStore {
  const prefix = options.prefix ?? 'cas:';
  const common = {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    // A master demoted by a failover answers writes with READONLY: reconnect (to the new master) and resend.
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? (2 as const) : false),
  };
  const redis =
    typeof target === 'string'
      ? new Redis(target, common)
      : new Redis({
          ...common,
          sentinels: target.sentinels.map((s) => ({ ...s })),
          name: target.masterName,
          ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
          ...(target.password ? { password: target.password } : {}),
          db: target.db ?? 0,
          ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
          // Subscribes to the sentinels' +switch-master: moves to the new master without waiting for an error.
          failoverDetector: true,
        });
  redis.on('error', () => undefined); // surfaced through the commands' own rejections and /readyz
  // ioredis 5.11 ends a client for good ("Connection is closed." to every command from then on, the symptom of
  // redis/ioredis#1683) when the failover detector's +switch-master arrives while the client is asking a sentinel
  // for the master after losing the old one: the detector abandons that connection attempt, and an abandoned attempt
  // ends the client instead of retrying. Seen on a busy machine in half the failovers. So a client that ends without
  // close() connects again (50 ms, doubling up to 2 s while it keeps ending).
  let closing = false;
  let revivals = 0;
  redis.on('ready', () => {
    revivals = 0;
  });
  redis.on('end', () => {
    if (closing) return;
    const delay = Math.min(50 * 2 ** revivals++, 2_000);
    setTimeout(() => {
      if (!closing && redis.status === 'end') redis.connect().catch(() => undefined);
    }, delay).unref();
  });
  const replicas = options.waitReplicas ?? 0;
  /** The write's result, once `replicas` replicas hold it (WAIT sent right behind it: one round trip). */
  const durable = async <T>(write: Promise<T>): Promise<T> => {
    if (replicas === 0) return write;
    const [value, acked] = await Promise.all([write, redis.wait(replicas, WAIT_MS)]);
    if (acked < replicas) throw new ReplicationError(acked, replicas);
    return value;
  };
  const k = {
    ticket: (id: string) => `${prefix}t:${id}`,
    session: (id: string) => `${prefix}s:${id}`,
    services: (id: string) => `${prefix}s:${id}:services`,
    servicesOrder: (id: string) => `${prefix}s:${id}:services-order`,
    /** The sessions of an IdP session and of a subject (sorted sets scored by expiry), for back-channel logout. */
    bySid: (sid: string) => `${prefix}sid:${sid}`,
    bySubject: (subject: string) => `${prefix}sub:${subject}`,
    pgts: (id: string) => `${prefix}s:${id}:pgts`,
    pgt: (id: string) => `${prefix}p:${id}`,
    active: `${prefix}sessions`,
    login: (id: string) => `${prefix}l:${id}`,
    loginKey: `${prefix}login-key`,
  };
  const ttl = (expiresAt: number) => Math.max(1, expiresAt - Date.now());
  let loginKeys: Buffer[] | null = null;
  // KEYS: services hash, order set; ARGV: service URL, entry, time, cap, ttl ms.
  redis.defineCommand('casAddService', {
    numberOfKeys: 2,
    lua: `
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
      local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
      if extra > 0 then
        local oldest = redis.call('ZPOPMIN', KEYS[2], extra)
        for i = 1, #oldest, 2 do redis.call('HDEL', KEYS[1], oldest[i]) end
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[5])
      redis.call('PEXPIRE', KEYS[2], ARGV[5])
      return 1`,
  });
  // KEYS: index sorted sets; ARGV: session id, its expiry (ms since 1970), now, ttl ms. PTTL rather than
  // PEXPIRE GT so that Redis 6.2 (GETDEL's minimum) is enough.
  redis.defineCommand('casIndexSession', {
    lua: `
      for i = 1, #KEYS do
        redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ARGV[3])
        if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
      end
      return 1`,
  });
  const ownerKeys = (session: Pick<SsoSession, 'subject' | 'idpSessionId'>) => [
    k.bySubject(session.subject),
    ...(session.idpSessionId ? [k.bySid(session.idpSessionId)] : []),
  ];
  const addService = (id: string, entry: SessionService, at: number, px: number) =>
    (
      redis as unknown as {
        casAddService(a: string, b: string, c: string, d: string, e: number, f: number, g: number): Promise<number>;
      }
    ).casAddService(
      k.services(id),
      k.servicesOrder(id),
      entry.service,
      JSON.stringify(entry),
      at,
      MAX_SESSION_SERVICES,
      px,
    );
  /** A stored record, or null when absent or expired (Redis' own expiry can lag the clock by a few ms). */
  const live = <T extends { expiresAt: number }>(raw: string | null, now: number): T | null => {
    if (raw === null) return null;
    const record = JSON.parse(raw) as T;
    return record.expiresAt > now ? record : null;
  };

  return {
    async putTicket(ticket) {
      await redis.set(k.ticket(ticket.id), JSON.stringify(ticket), 'PX', ttl(ticket.expiresAt));
    },
    async takeTicket(id, now) {
      return live<TicketRecord>(await durable(redis.getdel(k.ticket(id))), now);
    },
    async putSession(session) {
      const { services, ...rest } = session;
      const px = ttl(session.expiresAt);
      const kept = services.slice(-MAX_SESSION_SERVICES);
      const multi = redis
        .multi()
        .set(k.session(session.id), JSON.stringify(rest), 'PX', px)
        .del(k.services(session.id), k.servicesOrder(session.id));
      if (kept.length > 0) {
        const fields = Object.fromEntries(kept.map((s) => [s.service, JSON.stringify(s)]));
        // Carried-over services keep their order: scores 1..n, older than anything added later.
        const order = kept.flatMap((s, i) => [i + 1, s.service]);
        multi
          .hset(k.services(session.id), fields)
          .pexpire(k.services(session.id), px)
          .zadd(k.servicesOrder(session.id), ...order)
          .pexpire(k.servicesOrder(session.id), px);
      }
      await multi.zadd(k.active, session.expiresAt, session.id).zremrangebyscore(k.active, '-inf', Date.now()).exec();
      const owners = ownerKeys(session);
      await durable(
        (
          redis as unknown as { casIndexSession(n: number, ...args: (string | number)[]): Promise<number> }
        ).casIndexSession(owners.length, ...owners, session.id, session.expiresAt, Date.now(), px),
      );
    },
    async getSession(id, now) {
      const replies = (await redis.multi().get(k.session(id)).hgetall(k.services(id)).exec()) ?? [];
      const raw = replies[0]?.[1] as string | null | undefined;
      const hash = (replies[1]?.[1] ?? {}) as Record<string, string>;
      if (!raw) return null;
      const session = {
        ...(JSON.parse(raw) as Omit<SsoSession, 'services'>),
        services: Object.values(hash).map((s) => JSON.parse(s) as SessionService),
      };
      return session.expiresAt > now ? session : null;
    },
    async addSessionService(id, entry, now) {
      const session = live<SsoSession>(await redis.get(k.session(id)), now);
      if (!session) return;
      await addService(id, entry, Date.now(), ttl(session.expiresAt));
    },
    async deleteSession(id) {
      const session = await this.getSession(id, 0);
      const pgts = await redis.smembers(k.pgts(id));
      const multi = redis
        .multi()
        .del(k.session(id), k.services(id), k.servicesOrder(id), k.pgts(id), ...pgts.map(k.pgt))
        .zrem(k.active, id);
      if (session) for (const owner of ownerKeys(session)) multi.zrem(owner, id);
      await durable(multi.exec());
      return session;
    },
    async sessionsOf(query, now) {
      if (query.idpSessionId === null && query.subject === null) return [];
      const key = query.idpSessionId !== null ? k.bySid(query.idpSessionId) : k.bySubject(query.subject ?? '');
      const ids = await redis.zrangebyscore(key, `(${now}`, '+inf');
      // By subject, the index is the answer; by IdP session, the subject (when given) must match too.
      if (query.idpSessionId === null || query.subject === null) return ids;
      const found: string[] = [];
      for (const id of ids) if ((await this.getSession(id, now))?.subject === query.subject) found.push(id);
      return found;
    },
    async putPgt(pgt: PgtRecord) {
      const px = ttl(pgt.expiresAt);
      await redis
        .multi()
        .set(k.pgt(pgt.id), JSON.stringify(pgt), 'PX', px)
        .sadd(k.pgts(pgt.sessionId), pgt.id)
        .pexpire(k.pgts(pgt.sessionId), px)
        .exec();
    },
    async getPgt(id, now) {
      return live<PgtRecord>(await redis.get(k.pgt(id)), now);
    },
    async claimOnce(id, expiresAt) {
      // SET NX: of any number of replicas handling the same callback, exactly one sets it.
      return (await durable(redis.set(k.login(id), '1', 'PX', ttl(expiresAt), 'NX'))) === 'OK';
    },
    async loginKeys() {
      if (!loginKeys) {
        // The first replica to need it makes the key; the others read that one (SET NX, then GET).
        await durable(redis.set(k.loginKey, randomBytes(32).toString('hex'), 'NX'));
        const stored = await redis.get(k.loginKey);
        if (!stored) throw new Error('the login key vanished from Redis');
        loginKeys = [Buffer.from(stored, 'hex')];
      }
      return loginKeys;
    },
    async countSessions(now) {
      await redis.zremrangebyscore(k.active, '-inf', now);
      return redis.zcard(k.active);
    },
    async ping() {
      if ((await redis.ping()) !== 'PONG') throw new Error('Redis did not answer PONG');
    },
    async close() {
      closing = true;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
