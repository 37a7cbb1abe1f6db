import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClamdScanner } from '@apps-education/antivirus';
import { createBbbClient } from '@apps-education/bbb-client';
import { createLocalDocumentStore, createS3DocumentStore, type DocumentStore } from '@apps-education/document-store';
import { createIdentityProvider } from '@apps-education/oidc-login';
import { createDeliveryWorker, createLaboiteClient, type DeliveryWorker } from '@apps-education/portal-events';
import { buildMonitoringServer, type MonitoringDeps, staticFolders } from '@apps-education/service-kit';
import { createSignedLinks } from '@apps-education/signed-links';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { openPostgresDatabase, openSqliteDatabase, type ServiceDatabase } from '../adapters/database.js';
import { buildHttpServer } from '../adapters/http-server.js';
import { createServiceMetrics } from '../adapters/metrics.js';
import { createRepository } from '../adapters/repository.js';
import type { ServiceConfig } from './config.js';

export interface RunningService {
  readonly app: FastifyInstance;
  /** The address it listens on, e.g. `http://127.0.0.1:8080`. */
  readonly address: string;
  /** /readyz and /metrics on their own, e.g. `http://127.0.0.1:9465` (null: on the public address, to the token). */
  readonly monitoringAddress: string | null;
  readonly database: ServiceDatabase;
  stop(): Promise<void>;
}

/** Wires the configuration to the adapters and starts listening. Logs are JSON (pino), ids only, no secret. */
export async function startService(
  config: ServiceConfig,
  options: { logger?: pino.Logger; logLevel?: string } = {},
): Promise<RunningService> {
  const logger =
    options.logger ??
    pino({
      level: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'req.query.sig'], remove: true },
    });
  const database =
    config.database.type === 'sqlite'
      ? await openSqliteDatabase(config.database.path)
      : await openPostgresDatabase(config.database.url, config.database.maxConnections);
  const repository = createRepository(database);
  const documents: DocumentStore =
    config.storage.type === 'local'
      ? await createLocalDocumentStore(config.storage.dir)
      : createS3DocumentStore({
          bucket: config.storage.bucket,
          prefix: config.storage.prefix,
          client: {
            region: config.storage.region,
            forcePathStyle: config.storage.forcePathStyle,
            ...(config.storage.endpoint ? { endpoint: config.storage.endpoint } : {}),
            ...(config.storage.accessKeyId && config.storage.secretAccessKey
              ? {
                  credentials: {
                    accessKeyId: config.storage.accessKeyId,
                    secretAccessKey: config.storage.secretAccessKey,
                  },
                }
              : {}),
          },
        });
  const keys = config.secrets.map((s) => new Uint8Array(createHash('sha256').update(`bbb-upload\n${s}`).digest()));
  const links = createSignedLinks({
    secrets: config.secrets,
    purpose: 'bbb-document',
    baseUrl: `${config.publicUrl}/documents/`,
    ttlMs: config.documents.linkMinutes * 60_000,
  });
  const bbb = createBbbClient({
    url: config.bbb.url,
    secret: config.bbb.secret,
    algorithm: config.bbb.algorithm,
    timeoutMs: config.bbb.timeoutMs,
  });
  const idp = createIdentityProvider({
    issuer: config.oidc.issuer,
    clientId: config.oidc.clientId,
    ...(config.oidc.clientSecret ? { clientSecret: config.oidc.clientSecret } : {}),
    scopes: config.oidc.scopes,
    redirectUri: `${config.publicUrl}/oidc/callback`,
    timeoutMs: config.oidc.timeoutMs,
    allowHttp: config.unsafe.allowHttpIssuer,
  });
  const metrics = createServiceMetrics();
  const monitoringDeps: MonitoringDeps = {
    checks: { database: () => database.ping(), idp: () => idp.ready() },
    registry: metrics.registry,
    logger,
  };
  // Uploads are written and checked beside a local store (same file system: the checked file is moved in, not
  // copied), in the system's temporary folder otherwise.
  const incoming = config.storage.type === 'local' ? `${config.storage.dir.replace(/\/+$/, '')}.incoming` : tmpdir();
  mkdirSync(incoming, { recursive: true, mode: 0o700 });
  const folders = staticFolders(import.meta.url);
  const tempDir = mkdtempSync(join(incoming, 'bbb-upload-'));
  const app = await buildHttpServer({
    publicUrl: config.publicUrl,
    repository,
    bbb,
    bbbSecret: config.bbb.secret,
    documents,
    scanner: config.antivirus
      ? createClamdScanner({
          host: config.antivirus.host,
          port: config.antivirus.port,
          timeoutMs: config.antivirus.timeoutMs,
          streamMaxBytes: config.antivirus.streamMaxBytes,
        })
      : null,
    links,
    idp,
    groupsClaim: config.oidc.groupsClaim,
    keys,
    metrics,
    logger,
    sessionMs: config.sessions.hours * 3_600_000,
    maxBytes: config.documents.maxBytes,
    maxPerRoom: config.documents.maxPerRoom,
    uploadsPerMinute: config.limits.uploadsPerMinute,
    startsPerMinute: config.limits.startsPerMinute,
    tempDir,
    dsfrDir: folders.dsfrDir,
    staticDir: folders.staticDir,
    monitoring: { publicToken: config.monitoring.token ?? null, deps: monitoringDeps },
    ...(config.tls
      ? { tls: { cert: readFileSync(config.tls.certFile, 'utf8'), key: readFileSync(config.tls.keyFile, 'utf8') } }
      : {}),
  });
  if (config.unsafe.allowHttpIssuer) logger.warn('unsafe.allowHttpIssuer is on: for tests only');
  const address = await app.listen({ host: config.listen.host, port: config.listen.port });
  let monitoring: FastifyInstance | null = null;
  let monitoringAddress: string | null = null;
  if (config.monitoring.listen) {
    monitoring = await buildMonitoringServer(monitoringDeps);
    monitoringAddress = await monitoring.listen({
      host: config.monitoring.listen.host,
      port: config.monitoring.listen.port,
    });
  }
  // Portal events (meeting.started, recording.ready of a group's visio) leave through the outbox.
  let worker: DeliveryWorker | null = null;
  if (config.laboite?.apiKey) {
    worker = createDeliveryWorker({
      store: database.outbox,
      client: createLaboiteClient({
        baseUrl: config.laboite.url,
        apiKey: config.laboite.apiKey,
        locale: config.laboite.locale,
      }),
      log: (entry) => logger[entry.level](entry, entry.msg),
    });
    worker.start();
  } else logger.info('laboite is not configured: group meeting events stay in the outbox');
  // Ended sessions and used sign-ins are removed every 10 minutes; a failure is logged, never fatal.
  const sweeper = setInterval(() => {
    repository
      .sweep(Date.now())
      .catch((error: unknown) =>
        logger.warn({ err: { message: error instanceof Error ? error.message : 'error' } }, 'sweep failed'),
      );
  }, 600_000);
  sweeper.unref();
  logger.info({ address, monitoringAddress }, 'bbb-upload listening');
  return {
    app,
    address,
    monitoringAddress,
    database,
    async stop() {
      clearInterval(sweeper);
      await worker?.stop();
      await app.close();
      await monitoring?.close();
      await database.close();
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
