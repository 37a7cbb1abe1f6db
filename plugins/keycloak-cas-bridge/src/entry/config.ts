import { readFileSync } from 'node:fs';
import { publicJwk } from '@apps-education/oidc-login';
import { problemLines, readYamlFile } from '@apps-education/service-kit';
import { z } from 'zod';
import { BridgeError } from '../core/errors.js';

/**
 * The bridge's configuration: a YAML file (CAS_BRIDGE_CONFIG, default ./cas-bridge.yml) and environment variables
 * that override it (secrets belong in the environment: CAS_OIDC_CLIENT_SECRET, CAS_REDIS_URL). Validated once at
 * start; every problem is listed with its path and the process does not start.
 */
const seconds = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);

export const configSchema = z
  .object({
    /** The bridge's public base URL as clients reach it: `https://cas.ac-test.fr/cas`. */
    publicUrl: z.url({ protocol: /^https?$/ }).refine((u) => !u.endsWith('/'), 'without a trailing /'),
    listen: z
      .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8443) })
      .strict()
      .default({ host: '127.0.0.1', port: 8443 }),
    /** Serve TLS directly (phpCAS only talks https); otherwise put a TLS proxy in front. */
    tls: z.object({ certFile: z.string(), keyFile: z.string() }).strict().optional(),
    oidc: z
      .object({
        issuer: z.url({ protocol: /^https?$/ }),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1).optional(),
        /**
         * How the bridge authenticates at the token endpoint: client_secret_basic (Keycloak's default),
         * client_secret_post (an IdP that reads Basic credentials without form-decoding them, e.g. LemonLDAP::NG),
         * private_key_jwt (no shared secret: privateKeyFile, its public key served at <publicUrl>/oidc/jwks), none.
         * By default client_secret_basic with a secret, none without.
         */
        clientAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).optional(),
        privateKeyFile: z.string().min(1).optional(),
        privateKeyId: z.string().min(1).max(128).optional(),
        scopes: z.string().default('openid profile email'),
        timeoutMs: z.number().int().min(500).max(60_000).default(5_000),
        /** renew: how old the IdP's auth_time may be (an IdP may ignore prompt=login). */
        renewMaxAgeSeconds: z.number().int().min(0).max(300).default(30),
        /** Back-channel logout: how old a logout token (its iat) may be. */
        logoutTokenMaxAgeSeconds: z.number().int().min(30).max(3_600).default(300),
      })
      .strict(),
    /** Path of the service registry (YAML), watched for changes. */
    registry: z.string().min(1),
    store: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('sqlite'), path: z.string().min(1) }).strict(),
        z
          .object({
            type: z.literal('redis'),
            /** One Redis (redis:// or rediss://, password and database number in the URL)... */
            url: z
              .string()
              .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
              .optional(),
            /** ...or the master that Redis Sentinel names (automatic failover). */
            sentinel: z
              .object({
                hosts: z
                  .array(z.string().regex(/^[A-Za-z0-9.:[\]-]+:\d{1,5}$/, 'host:port, e.g. 10.0.0.1:26379'))
                  .min(1),
                masterName: z.string().min(1),
                /** The sentinels' own password, if they require one (CAS_REDIS_SENTINEL_PASSWORD). */
                password: z.string().min(1).optional(),
              })
              .strict()
              .optional(),
            /** With sentinel: the Redis password (CAS_REDIS_PASSWORD), database number and TLS. */
            password: z.string().min(1).optional(),
            db: z.number().int().min(0).max(255).optional(),
            tls: z.boolean().optional(),
            prefix: z.string().default('cas:'),
            /**
             * Writes that decide single use or end a session wait until this many replicas have them (Redis WAIT),
             * so that a failover cannot bring back a used ticket or an ended session. 1 with sentinel, 0 without.
             */
            waitReplicas: z.number().int().min(0).max(10).optional(),
          })
          .strict(),
        z.object({ type: z.literal('memory') }).strict(),
      ])
      .default({ type: 'sqlite', path: './cas-bridge.db' }),
    tickets: z
      .object({
        /** CAS 3.0.3 recommends 5 minutes at most; 60 s by default. */
        serviceTicketSeconds: seconds(5, 300, 60),
        ssoSessionSeconds: seconds(300, 7 * 86_400, 8 * 3_600),
        loginSeconds: seconds(60, 1_800, 600),
      })
      .strict()
      .default({ serviceTicketSeconds: 60, ssoSessionSeconds: 8 * 3_600, loginSeconds: 600 }),
    logout: z
      .object({
        backChannelAttempts: z.number().int().min(1).max(10).default(3),
        timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
      })
      .strict()
      .default({ backChannelAttempts: 3, timeoutMs: 5_000 }),
    /** Extra CA certificates (PEM file) trusted for pgtUrl callbacks and back-channel logout, beside the system ones. */
    extraCaFile: z.string().optional(),
    /**
     * /readyz and /metrics tell an outsider how the bridge and its store are doing: never on the public address
     * without a token. By default on a listener of their own (127.0.0.1:9464), for Prometheus and the orchestrator;
     * with a token (CAS_MONITORING_TOKEN), on the public address too, to `Authorization: Bearer <token>` only.
     * /healthz (liveness, says nothing) stays public.
     */
    monitoring: z
      .object({
        listen: z
          .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
          .strict()
          .optional(),
        token: z.string().min(24, 'at least 24 characters (openssl rand -hex 24)').optional(),
      })
      .strict()
      .default({}),
    /** Test-only switches; each one weakens the protocol and says so. */
    unsafe: z
      .object({ allowHttpPgtUrl: z.boolean().default(false), allowHttpIssuer: z.boolean().default(false) })
      .strict()
      .default({
        allowHttpPgtUrl: false,
        allowHttpIssuer: false,
      }),
  })
  .strict();

export type BridgeConfig = z.output<typeof configSchema>;

export function parseConfig(document: unknown, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const merged = structuredClone((document ?? {}) as Record<string, unknown>);
  const oidc = (merged.oidc ?? {}) as Record<string, unknown>;
  if (env.CAS_OIDC_CLIENT_SECRET) oidc.clientSecret = env.CAS_OIDC_CLIENT_SECRET;
  if (env.CAS_OIDC_ISSUER) oidc.issuer = env.CAS_OIDC_ISSUER;
  merged.oidc = oidc;
  if (env.CAS_PUBLIC_URL) merged.publicUrl = env.CAS_PUBLIC_URL;
  const fileStore = (merged.store ?? {}) as Record<string, unknown>;
  const redisStore = fileStore.type === 'redis' ? fileStore : { type: 'redis' };
  // The environment completes the file's Redis settings (its prefix, its sentinels) instead of replacing them.
  if (env.CAS_REDIS_URL) merged.store = { ...redisStore, url: env.CAS_REDIS_URL, sentinel: undefined };
  if (env.CAS_REDIS_PASSWORD && fileStore.type === 'redis')
    merged.store = { ...(merged.store as object), password: env.CAS_REDIS_PASSWORD };
  if (env.CAS_REDIS_SENTINEL_PASSWORD && fileStore.type === 'redis' && typeof fileStore.sentinel === 'object')
    merged.store = {
      ...(merged.store as object),
      sentinel: { ...(fileStore.sentinel as object), password: env.CAS_REDIS_SENTINEL_PASSWORD },
    };
  if (env.CAS_PORT) merged.listen = { ...((merged.listen as object) ?? {}), port: Number(env.CAS_PORT) };
  if (env.CAS_MONITORING_TOKEN)
    merged.monitoring = { ...((merged.monitoring as object) ?? {}), token: env.CAS_MONITORING_TOKEN };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new BridgeError('INVALID_CONFIG', problemLines(result.error.issues));
  }
  const config = result.data;
  const problems: string[] = [];
  const method = config.oidc.clientAuthMethod ?? (config.oidc.clientSecret ? 'client_secret_basic' : 'none');
  config.oidc.clientAuthMethod = method;
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && !config.oidc.clientSecret)
    problems.push(`oidc.clientSecret: needed by ${method} (CAS_OIDC_CLIENT_SECRET)`);
  if (method === 'private_key_jwt') {
    if (!config.oidc.privateKeyFile)
      problems.push('oidc.privateKeyFile: needed by private_key_jwt (a PEM private key)');
    else {
      try {
        const pem = readFileSync(config.oidc.privateKeyFile, 'utf8');
        publicJwk(pem);
      } catch (error) {
        problems.push(`oidc.privateKeyFile: ${error instanceof Error ? error.message : 'unreadable'}`);
      }
    }
  }
  if (config.store.type === 'redis') {
    const store = config.store;
    if ((store.url === undefined) === (store.sentinel === undefined))
      problems.push('store: a Redis store takes either url (one Redis) or sentinel (Redis Sentinel), one of the two');
    for (const key of ['password', 'db', 'tls'] as const)
      if (store.url !== undefined && store[key] !== undefined)
        problems.push(
          `store.${key}: only with sentinel (with url, put it in the URL: rediss://:password@host:6379/db)`,
        );
  }
  if (problems.length > 0) throw new BridgeError('INVALID_CONFIG', problems);
  // Neither a listener nor a token: the monitoring routes get their own listener on loopback.
  if (!config.monitoring.listen && !config.monitoring.token)
    config.monitoring.listen = { host: '127.0.0.1', port: 9464 };
  if (config.oidc.issuer.startsWith('http:') && !config.unsafe.allowHttpIssuer) {
    throw new BridgeError('INVALID_CONFIG', ['oidc.issuer: https is required (unsafe.allowHttpIssuer for tests only)']);
  }
  return config;
}

export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const read = readYamlFile(path);
  if (!read.ok) throw new BridgeError('INVALID_CONFIG', [read.problem]);
  return parseConfig(read.document, env);
}
