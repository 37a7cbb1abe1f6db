import { readFileSync } from 'node:fs';
import { type ClientAuthentication, createIdentityProvider, publicJwk } from '@apps-education/oidc-login';
import { staticFolders } from '@apps-education/service-kit';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildHttpServer } from '../adapters/http-server.js';
import { createBridgeMetrics } from '../adapters/metrics.js';
import { buildMonitoringServer } from '../adapters/monitoring.js';
import { AddressNotPublicError, createOutbound } from '../adapters/outbound-http.js';
import { watchRegistryFile } from '../adapters/registry-file.js';
import { createSingleLogout } from '../adapters/single-logout.js';
import { instrumentStore } from '../adapters/ticket-store.instrumented.js';
import { createMemoryTicketStore } from '../adapters/ticket-store.memory.js';
import { createRedisTicketStore, type RedisTarget } from '../adapters/ticket-store.redis.js';
import { openSqliteTicketStore } from '../adapters/ticket-store.sqlite.js';
import type { TicketStore } from '../core/records.js';
import type { BridgeConfig } from './config.js';

export interface RunningBridge {
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. `https://127.0.0.1:8443`. */
  readonly address: string;
  /** Where /readyz and /metrics are served on their own, e.g. `http://127.0.0.1:9464` (null: on the public address). */
  readonly monitoringAddress: string | null;
  readonly store: TicketStore;
  stop(): Promise<void>;
}

/** Wires the configuration to the adapters and starts listening. Logs are JSON (pino) with no ticket, token or cookie. */
export async function startBridge(
  config: BridgeConfig,
  options: { logger?: pino.Logger; logLevel?: string; dsfrDir?: string; staticDir?: string } = {},
): Promise<RunningBridge> {
  const logger =
    options.logger ??
    pino({
      level: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      redact: {
        paths: ['req.headers.cookie', 'req.query.ticket', 'req.query.pgt', 'req.headers.authorization'],
        remove: true,
      },
    });
  const registryFile = watchRegistryFile(config.registry, logger);
  const rawStore =
    config.store.type === 'sqlite'
      ? openSqliteTicketStore(config.store.path)
      : config.store.type === 'redis'
        ? createRedisTicketStore(redisTarget(config.store), {
            prefix: config.store.prefix,
            waitReplicas: config.store.waitReplicas ?? (config.store.sentinel ? 1 : 0),
          })
        : createMemoryTicketStore();
  // Counted through the instrumented store (declared below, used only when /metrics is read).
  const metrics = createBridgeMetrics(() => store.countSessions(Date.now()));
  const store = instrumentStore(rawStore, metrics);
  const extraCa = config.extraCaFile ? readFileSync(config.extraCaFile, 'utf8') : undefined;
  const call = createOutbound({ extraCa, timeoutMs: config.logout.timeoutMs });
  const privateKeyPem =
    config.oidc.clientAuthMethod === 'private_key_jwt' && config.oidc.privateKeyFile
      ? readFileSync(config.oidc.privateKeyFile, 'utf8')
      : null;
  const clientAuthentication: ClientAuthentication =
    privateKeyPem !== null
      ? {
          method: 'private_key_jwt',
          privateKeyPem,
          ...(config.oidc.privateKeyId ? { keyId: config.oidc.privateKeyId } : {}),
        }
      : config.oidc.clientAuthMethod === 'client_secret_basic' || config.oidc.clientAuthMethod === 'client_secret_post'
        ? { method: config.oidc.clientAuthMethod, secret: config.oidc.clientSecret ?? '' }
        : { method: 'none' };
  const idp = createIdentityProvider({
    issuer: config.oidc.issuer,
    clientId: config.oidc.clientId,
    clientAuthentication,
    renewMaxAgeSeconds: config.oidc.renewMaxAgeSeconds,
    logoutTokenMaxAgeSeconds: config.oidc.logoutTokenMaxAgeSeconds,
    scopes: config.oidc.scopes,
    redirectUri: `${config.publicUrl}/oidc/callback`,
    timeoutMs: config.oidc.timeoutMs,
    allowHttp: config.unsafe.allowHttpIssuer,
  });
  const singleLogout = createSingleLogout({
    registry: registryFile.current,
    call,
    attempts: config.logout.backChannelAttempts,
    log: (entry) => logger.info(entry, entry.msg),
    onDelivery: (ok) => metrics.logoutDeliveries.inc({ outcome: ok ? 'delivered' : 'failed' }),
  });
  const folders = staticFolders(import.meta.url);
  const app = await buildHttpServer({
    publicUrl: config.publicUrl,
    registry: registryFile.current,
    store,
    idp,
    singleLogout,
    proxyCallback: async (url, pgtId, pgtIou, policy) => {
      const target = new URL(url.href);
      target.searchParams.set('pgtId', pgtId);
      target.searchParams.set('pgtIou', pgtIou);
      try {
        const status = await call({ url: target.href, method: 'GET', publicOnly: !policy.allowPrivateNetworks });
        return status === 200 ? 'delivered' : 'failed';
      } catch (error) {
        if (error instanceof AddressNotPublicError) {
          logger.warn({ host: url.origin }, 'pgtUrl refused: not a public address');
          return 'refused_address';
        }
        logger.warn({ reason: error instanceof Error ? error.message : 'error' }, 'pgtUrl callback failed');
        return 'failed';
      }
    },
    metrics,
    logger,
    ticketTtlMs: config.tickets.serviceTicketSeconds * 1000,
    sessionTtlMs: config.tickets.ssoSessionSeconds * 1000,
    loginTtlMs: config.tickets.loginSeconds * 1000,
    unsafeAllowHttpPgtUrl: config.unsafe.allowHttpPgtUrl,
    monitoring: { publicToken: config.monitoring.token ?? null },
    clientJwks: privateKeyPem !== null ? { keys: [publicJwk(privateKeyPem, config.oidc.privateKeyId)] } : null,
    dsfrDir: options.dsfrDir ?? folders.dsfrDir,
    staticDir: options.staticDir ?? folders.staticDir,
    ...(config.tls
      ? { tls: { cert: readFileSync(config.tls.certFile, 'utf8'), key: readFileSync(config.tls.keyFile, 'utf8') } }
      : {}),
  });
  if (config.unsafe.allowHttpPgtUrl || config.unsafe.allowHttpIssuer) {
    logger.warn({ unsafe: config.unsafe }, 'UNSAFE test switches are on: never in production');
  }
  const address = await app.listen({ host: config.listen.host, port: config.listen.port });
  let monitoringApp: FastifyInstance | null = null;
  let monitoringAddress: string | null = null;
  if (config.monitoring.listen) {
    monitoringApp = await buildMonitoringServer({ store, idp, metrics, logger });
    monitoringAddress = await monitoringApp.listen({
      host: config.monitoring.listen.host,
      port: config.monitoring.listen.port,
    });
  }
  logger.info(
    { address, monitoringAddress, publicUrl: config.publicUrl, store: config.store.type },
    'CAS bridge listening',
  );
  return {
    app,
    address,
    monitoringAddress,
    store,
    async stop() {
      registryFile.close();
      await monitoringApp?.close();
      await app.close();
      await store.close();
    },
  };
}

/** The store settings as ioredis wants them: the URL, or the sentinels (`host:port`, `[v6]:port`) and the master. */
function redisTarget(store: Extract<BridgeConfig['store'], { type: 'redis' }>): RedisTarget {
  if (!store.sentinel) return store.url ?? '';
  return {
    sentinels: store.sentinel.hosts.map((hostPort) => {
      const at = hostPort.lastIndexOf(':');
      return { host: hostPort.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort.slice(at + 1)) };
    }),
    masterName: store.sentinel.masterName,
    ...(store.sentinel.password ? { sentinelPassword: store.sentinel.password } : {}),
    ...(store.password ? { password: store.password } : {}),
    ...(store.db === undefined ? {} : { db: store.db }),
    ...(store.tls ? { tls: true } : {}),
  };
}
