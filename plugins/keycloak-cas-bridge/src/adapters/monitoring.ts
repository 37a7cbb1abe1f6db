import { createHash, timingSafeEqual } from 'node:crypto';
import type { IdentityProvider } from '@apps-education/oidc-login';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { TicketStore } from '../core/records.js';
import type { BridgeMetrics } from './metrics.js';

/**
 * Monitoring: /readyz (the store and the IdP answer) and /metrics (Prometheus), never openly on the public address:
 * on a listener of their own (buildMonitoringServer), or on the public address to a bearer token.
 */
export interface MonitoringDeps {
  readonly store: TicketStore;
  readonly idp: IdentityProvider;
  readonly metrics: BridgeMetrics;
  readonly logger: FastifyBaseLogger;
}

async function readiness(deps: MonitoringDeps, reply: FastifyReply) {
  // Each check at most 3 s; the timer is cleared once it answers (a scrape every few seconds left timers running).
  const timeout = async <T>(p: Promise<T>) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), 3_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  const checks = await Promise.allSettled([timeout(deps.store.ping()), timeout(deps.idp.ready())]);
  const [store, idp] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unavailable'));
  const ready = store === 'ok' && idp === 'ok';
  return reply.code(ready ? 200 : 503).send({ ready, store, idp });
}

async function exposition(deps: MonitoringDeps, reply: FastifyReply) {
  return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
}

/** The monitoring listener: /readyz and /metrics (and /healthz), at the root of an address of their own. */
export async function buildMonitoringServer(deps: MonitoringDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok\n'));
  app.get('/readyz', (_request, reply) => readiness(deps, reply));
  app.get('/metrics', (_request, reply) => exposition(deps, reply));
  return app;
}

/**
 * /readyz and /metrics on the public address, to `Authorization: Bearer <monitoring.token>` only (compared in
 * constant time: both sides hashed to the same length first).
 */
export function registerGuardedMonitoring(
  app: FastifyInstance,
  basePath: string,
  token: string,
  deps: MonitoringDeps,
): void {
  const expected = createHash('sha256').update(token).digest();
  const allowed = (request: FastifyRequest) => {
    const given = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    return given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  };
  const guarded =
    (handler: (reply: FastifyReply) => Promise<unknown>) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (!allowed(request))
        return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('token required\n');
      return handler(reply);
    };
  app.get(
    `${basePath}/readyz`,
    guarded((reply) => readiness(deps, reply)),
  );
  app.get(
    `${basePath}/metrics`,
    guarded((reply) => exposition(deps, reply)),
  );
}
