import { CHECKSUM_ALGORITHMS } from '@apps-education/bbb-client';
import { problemLines, readYamlFile } from '@apps-education/service-kit';
import { z } from 'zod';
import { ServiceError } from '../core/errors.js';

/**
 * The service's configuration: a YAML file (BBB_UPLOAD_CONFIG, default ./bbb-upload.yml) and environment variables
 * that override it (secrets belong in the environment: BBB_UPLOAD_SECRET, BBB_UPLOAD_BBB_SECRET,
 * BBB_UPLOAD_OIDC_CLIENT_SECRET, BBB_UPLOAD_DATABASE_URL, BBB_UPLOAD_S3_SECRET_ACCESS_KEY, BBB_UPLOAD_LABOITE_API_KEY).
 * Validated once at start; every problem is listed with its path, in French and English, and the process does not
 * start.
 */
const port = z.number().int().min(0).max(65535);
const listen = (defaultPort: number) =>
  z
    .object({ host: z.string().default('127.0.0.1'), port: port.default(defaultPort) })
    .strict()
    .default({ host: '127.0.0.1', port: defaultPort });
const secret = z.string().min(32, 'at least 32 characters (openssl rand -hex 32)');

export const configSchema = z
  .object({
    /** The service's public base URL as browsers and BigBlueButton reach it: `https://visio-salles.ac-test.fr`. */
    publicUrl: z.url({ protocol: /^https?$/ }).refine((u) => !u.endsWith('/'), 'without a trailing /'),
    listen: listen(8080),
    tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
    /** Seals the sign-in in progress, signs the document links and the forms' CSRF tokens. The first signs. */
    secrets: z.array(secret).min(1, 'at least one secret (BBB_UPLOAD_SECRET)'),
    oidc: z
      .object({
        issuer: z.url({ protocol: /^https?$/ }),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1).optional(),
        scopes: z.string().default('openid profile email'),
        timeoutMs: z.number().int().min(500).max(60_000).default(5_000),
        /** The ID token claim that holds LaBoite's groups as `<role>_<group slug>` (Keycloak's group mapper). */
        groupsClaim: z.string().min(1).default('groups'),
      })
      .strict(),
    bbb: z
      .object({
        /** As `bbb-conf --secret` prints it: https://bbb.ac-test.fr/bigbluebutton/ (or Scalelite's URL). */
        url: z.url({ protocol: /^https?$/ }),
        secret: z.string().min(16, 'the shared secret of BigBlueButton (bbb-conf --secret) or Scalelite'),
        /** sha256 by default; Scalelite has no sha384. */
        algorithm: z.enum(CHECKSUM_ALGORITHMS).default('sha256'),
        timeoutMs: z.number().int().min(500).max(60_000).default(10_000),
      })
      .strict(),
    database: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('sqlite'), path: z.string().min(1) }).strict(),
        z
          .object({
            type: z.literal('postgres'),
            url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL'),
            maxConnections: z.number().int().min(1).max(100).default(10),
          })
          .strict(),
      ])
      .default({ type: 'sqlite', path: './bbb-upload.db' }),
    storage: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('local'), dir: z.string().min(1) }).strict(),
        z
          .object({
            type: z.literal('s3'),
            bucket: z.string().min(3),
            region: z.string().default('us-east-1'),
            endpoint: z.url().optional(),
            forcePathStyle: z.boolean().default(false),
            accessKeyId: z.string().min(1).optional(),
            secretAccessKey: z.string().min(1).optional(),
            prefix: z.string().default('bbb-upload/'),
          })
          .strict(),
      ])
      .default({ type: 'local', dir: './documents' }),
    documents: z
      .object({
        /** BigBlueButton's own limit (bigbluebutton.properties maxFileSizeUpload). */
        maxBytes: z.number().int().min(1_000).max(200_000_000).default(30_000_000),
        maxPerRoom: z.number().int().min(1).max(100).default(20),
        /** How long a link given to BigBlueButton opens its document. */
        linkMinutes: z.number().int().min(1).max(120).default(10),
      })
      .strict()
      .default({ maxBytes: 30_000_000, maxPerRoom: 20, linkMinutes: 10 }),
    /** clamd (INSTREAM): every document is scanned before it is accepted; unreachable clamd refuses uploads. */
    antivirus: z
      .object({
        host: z.string().default('127.0.0.1'),
        port,
        timeoutMs: z.number().int().min(1_000).max(300_000).default(60_000),
        streamMaxBytes: z
          .number()
          .int()
          .min(1_000)
          .default(32 * 1024 * 1024),
      })
      .strict()
      .optional(),
    /** LaBoite: where `meeting.started` and `recording.ready` of a group's visio go (through the outbox). */
    laboite: z
      .object({
        url: z.url({ protocol: /^https?$/ }),
        apiKey: z.string().min(1).optional(),
        locale: z.enum(['fr', 'en']).default('fr'),
      })
      .strict()
      .optional(),
    sessions: z
      .object({
        hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 7)
          .default(10),
      })
      .strict()
      .default({ hours: 10 }),
    limits: z
      .object({
        /** Per person, per minute. */
        uploadsPerMinute: z.number().int().min(1).max(10_000).default(60),
        startsPerMinute: z.number().int().min(1).max(10_000).default(20),
      })
      .strict()
      .default({ uploadsPerMinute: 60, startsPerMinute: 20 }),
    monitoring: z
      .object({
        listen: z
          .object({ host: z.string().default('127.0.0.1'), port: port.default(9465) })
          .strict()
          .optional(),
        token: z.string().min(24, 'at least 24 characters (openssl rand -hex 24)').optional(),
      })
      .strict()
      .default({}),
    /** Test-only switches; each one weakens the service and says so in the log. */
    unsafe: z
      .object({ allowHttpIssuer: z.boolean().default(false) })
      .strict()
      .default({ allowHttpIssuer: false }),
  })
  .strict();

export type ServiceConfig = z.output<typeof configSchema>;

/** Environment variables, each to its place in the document (the value is put as is; the schema checks it). */
const ENVIRONMENT: readonly (readonly [string, readonly string[], 'string' | 'number'])[] = [
  ['BBB_UPLOAD_PUBLIC_URL', ['publicUrl'], 'string'],
  ['BBB_UPLOAD_PORT', ['listen', 'port'], 'number'],
  ['BBB_UPLOAD_OIDC_ISSUER', ['oidc', 'issuer'], 'string'],
  ['BBB_UPLOAD_OIDC_CLIENT_SECRET', ['oidc', 'clientSecret'], 'string'],
  ['BBB_UPLOAD_BBB_URL', ['bbb', 'url'], 'string'],
  ['BBB_UPLOAD_BBB_SECRET', ['bbb', 'secret'], 'string'],
  ['BBB_UPLOAD_S3_ACCESS_KEY_ID', ['storage', 'accessKeyId'], 'string'],
  ['BBB_UPLOAD_S3_SECRET_ACCESS_KEY', ['storage', 'secretAccessKey'], 'string'],
  ['BBB_UPLOAD_LABOITE_API_KEY', ['laboite', 'apiKey'], 'string'],
  ['BBB_UPLOAD_MONITORING_TOKEN', ['monitoring', 'token'], 'string'],
];

export function parseConfig(document: unknown, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const merged = structuredClone((document ?? {}) as Record<string, unknown>);
  for (const [name, path, type] of ENVIRONMENT) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = merged;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = type === 'number' ? Number(value) : value;
  }
  // BBB_UPLOAD_SECRET: one secret, or several separated by commas (the first signs: rotation).
  if (env.BBB_UPLOAD_SECRET) merged.secrets = env.BBB_UPLOAD_SECRET.split(',').map((s) => s.trim());
  if (env.BBB_UPLOAD_DATABASE_URL) merged.database = { type: 'postgres', url: env.BBB_UPLOAD_DATABASE_URL };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ServiceError('INVALID_CONFIG', problemLines(result.error.issues));
  }
  const config = result.data;
  const problems: string[] = [];
  if (config.oidc.issuer.startsWith('http:') && !config.unsafe.allowHttpIssuer)
    problems.push('oidc.issuer: https is required (unsafe.allowHttpIssuer for tests only)');
  if (
    config.storage.type === 's3' &&
    (config.storage.accessKeyId === undefined) !== (config.storage.secretAccessKey === undefined)
  )
    problems.push(
      'storage: accessKeyId and secretAccessKey go together (or neither: the machine role or AWS_* variables)',
    );
  if (config.laboite && !config.laboite.apiKey)
    problems.push('laboite.apiKey: one of the portal private.apiKeys (BBB_UPLOAD_LABOITE_API_KEY)');
  if (config.antivirus && config.antivirus.streamMaxBytes < config.documents.maxBytes)
    problems.push(
      `antivirus.streamMaxBytes: below documents.maxBytes (${config.documents.maxBytes}); raise clamd's StreamMaxLength and this value`,
    );
  if (problems.length > 0) throw new ServiceError('INVALID_CONFIG', problems);
  // Neither a listener nor a token: the monitoring routes get their own listener on loopback.
  if (!config.monitoring.listen && !config.monitoring.token)
    config.monitoring.listen = { host: '127.0.0.1', port: 9465 };
  return config;
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const read = readYamlFile(path);
  if (!read.ok) throw new ServiceError('INVALID_CONFIG', [read.problem]);
  return parseConfig(read.document, env);
}
