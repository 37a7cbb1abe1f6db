import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PgtRecord, SessionService, SsoSession, TicketRecord, TicketStore } from '../core/records.js';

/**
 * For several bridge processes behind a load balancer: every piece of state in Redis, every key with a TTL.
 * - single use: `GETDEL` (Redis 6.2+) returns and removes a ticket in one atomic command;
 * - a session's services are a hash beside it keyed by service URL (HSET: no read-modify-write race between
 *   processes, and a new login to the same service replaces the old entry);
 * - a session's PGTs are a set beside it, deleted with it at logout (one MULTI);
 * - active sessions are counted from a sorted set scored by expiry;
 * - a completed login's id is claimed with SET NX until it expires (single use across replicas); the key that seals
 *   logins in progress is made once with SET NX and shared.
 */
export function createRedisTicketStore(url: string, options: { prefix?: string } = {}): TicketStore {
  const prefix = options.prefix ?? 'cas:';
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', () => undefined); // surfaced through the commands' own rejections and /readyz
  const k = {
    ticket: (id: string) => `${prefix}t:${id}`,
    session: (id: string) => `${prefix}s:${id}`,
    services: (id: string) => `${prefix}s:${id}:services`,
    pgts: (id: string) => `${prefix}s:${id}:pgts`,
    pgt: (id: string) => `${prefix}p:${id}`,
    active: `${prefix}sessions`,
    login: (id: string) => `${prefix}l:${id}`,
    loginKey: `${prefix}login-key`,
  };
  const ttl = (expiresAt: number) => Math.max(1, expiresAt - Date.now());
  let loginKeys: Buffer[] | null = null;
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
      return live<TicketRecord>(await redis.getdel(k.ticket(id)), now);
    },
    async putSession(session) {
      const { services, ...rest } = session;
      const px = ttl(session.expiresAt);
      const multi = redis
        .multi()
        .set(k.session(session.id), JSON.stringify(rest), 'PX', px)
        .del(k.services(session.id));
      if (services.length > 0) {
        const fields = Object.fromEntries(services.map((s) => [s.service, JSON.stringify(s)]));
        multi.hset(k.services(session.id), fields).pexpire(k.services(session.id), px);
      }
      await multi.zadd(k.active, session.expiresAt, session.id).exec();
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
      await redis
        .multi()
        .hset(k.services(id), entry.service, JSON.stringify(entry))
        .pexpire(k.services(id), ttl(session.expiresAt))
        .exec();
    },
    async deleteSession(id) {
      const session = await this.getSession(id, 0);
      const pgts = await redis.smembers(k.pgts(id));
      await redis
        .multi()
        .del(k.session(id), k.services(id), k.pgts(id), ...pgts.map(k.pgt))
        .zrem(k.active, id)
        .exec();
      return session;
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
    async claimLogin(id, expiresAt) {
      // SET NX: of any number of replicas handling the same callback, exactly one sets it.
      return (await redis.set(k.login(id), '1', 'PX', ttl(expiresAt), 'NX')) === 'OK';
    },
    async loginKeys() {
      if (!loginKeys) {
        // The first replica to need it makes the key; the others read that one (SET NX, then GET).
        await redis.set(k.loginKey, randomBytes(32).toString('hex'), 'NX');
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
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
