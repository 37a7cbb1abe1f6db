import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Registry } from 'prom-client';

/**
 * Monitoring: /readyz (the database and the IdP answer) and /metrics (Prometheus), never openly on the public
 * address: on a listener of their own (buildMonitoringServer), or on the public address to a bearer token.
 */
export interface MonitoringDeps {
  /** Each check resolves when its peer answers. */
  readonly checks: Readonly<Record<string, () => Promise<unknown>>>;
  readonly registry: Registry;
  readonly logger: FastifyBaseLogger;
}

async function readiness(deps: MonitoringDeps, reply: FastifyReply) {
  const timeout = async (p: Promise<unknown>) => {
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
  const names = Object.keys(deps.checks);
  const settled = await Promise.allSettled(
    names.map((name) => timeout((deps.checks[name] as () => Promise<unknown>)())),
  );
  const states = Object.fromEntries(
    names.map((name, i) => [name, settled[i]?.status === 'fulfilled' ? 'ok' : 'unavailable']),
  );
  const ready = Object.values(states).every((s) => s === 'ok');
  return reply.code(ready ? 200 : 503).send({ ready, ...states });
}

async function exposition(deps: MonitoringDeps, reply: FastifyReply) {
  return reply.header('content-type', deps.registry.contentType).send(await deps.registry.metrics());
}

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

/** /readyz and /metrics on the public address, to `Authorization: Bearer <token>` only (constant-time compare). */
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
