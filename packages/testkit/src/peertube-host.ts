import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import pg from 'pg';
import { Sequelize } from 'sequelize';

/**
 * A strict PeerTube plugin host, for the PeerTube plugins' tests (no PeerTube server runs here). It behaves like
 * PeerTube 6.3 to 8.x for everything the plugins touch, from shared/reference/peertube.md and the types of
 * @peertube/peertube-types 8.2.3, and refuses what PeerTube refuses:
 * - loads the plugin's built `library` with plain `require()` (CommonJS), checks the package.json PeerTube reads;
 * - settings (registerSetting, settingsManager with onSettingsChange) and storageManager kept in PostgreSQL;
 * - getRouter() at /plugins/<name>/router/ and /plugins/<name>/<version>/router/, the external-auth entry at
 *   /plugins/<name>/<version>/auth/<authName>; an Authorization header on plugin routes is checked as a PeerTube
 *   token first (Bearer unknown: 401 invalid_token; Basic: 400 invalid_request) before the plugin runs;
 * - userAuthenticated: username rule, email, role 0..2, displayName 1..120, quotas integers >= -1, else a redirect
 *   to /login?externalAuthError=true; success keeps a 64-hex token 5 minutes and redirects to
 *   /login?externalAuthToken=...&username=... (or to an allowed externalRedirectUri);
 * - POST /api/v1/users/token with externalAuthToken: users looked up by email; created with pluginAuth (username
 *   made unique with -2, -3 ...); updated through userUpdater on later logins (undefined from it fails the login, as
 *   the database's not-null constraint does); refused (invalid_grant) when a local user or another plugin owns the
 *   email; on 6.3 the token may be exchanged twice within 5 minutes, on 7+ once;
 * - POST /api/v1/users/revoke-token calls the plugin's onLogout and answers its redirectUrl;
 * - peertubeHelpers.database is a real Sequelize 6 instance on PostgreSQL with PeerTube's default pool (max 5), so
 *   :named replacements, QueryTypes.SELECT and multi-statement strings behave as in PeerTube;
 * - registerHook keeps action hooks PeerTube knows (an unknown target is skipped with a warning, as PeerTube does);
 *   runHook() runs them as PeerTube's Hooks.runAction does: every handler, errors logged, never thrown;
 * - Express trusts loopback proxies for req.ip, PeerTube's default `trust_proxy: ['loopback']`.
 */
export type PeerTubeVersion = '6.3.3' | '7.2.0' | '8.2.3';

export interface PeerTubeUser {
  id: number;
  username: string;
  email: string;
  role: number;
  displayName: string;
  videoQuota: number;
  videoQuotaDaily: number;
  adminFlags: number;
  pluginAuth: string | null;
}

interface ExternalAuth {
  authName: string;
  authDisplayName: () => string;
  onAuthRequest: (req: Request, res: Response) => void;
  onLogout?: (user: PeerTubeUser, req: Request) => Promise<string | undefined>;
}

interface Authenticated {
  username: string;
  email: string;
  role?: number;
  displayName?: string;
  adminFlags?: number;
  videoQuota?: number;
  videoQuotaDaily?: number;
  userUpdater?: <T>(options: { fieldName: string; currentValue: T; newValue: T }) => T;
  externalRedirectUri?: string;
}

export interface PeerTubeHostOptions {
  readonly databaseUrl: string;
  /** The plugin folder: its package.json and the library file it names. */
  readonly pluginDir: string;
  readonly version?: PeerTubeVersion;
  readonly dataDir: string;
  /** externalRedirectUri values PeerTube accepts (newer versions). */
  readonly allowedExternalRedirectUris?: readonly string[];
  /** The server actor's id (getServerActor), 1 by default. */
  readonly serverActorId?: number;
}

export interface PeerTubeHost {
  readonly url: string;
  readonly npmName: string;
  readonly shortName: string;
  readonly pluginVersion: string;
  readonly localClient: { client_id: string; client_secret: string };
  /** Registered settings, as the admin page would show them. */
  readonly registeredSettings: Record<string, unknown>[];
  readonly externalAuths: ReadonlyMap<string, ExternalAuth>;
  readonly logs: { level: string; message: string }[];
  /** PUT /api/v1/plugins/<npm>/settings as an administrator: stores, then notifies onSettingsChange. */
  updateSettings(settings: Record<string, string | boolean>): Promise<void>;
  /** Runs an action hook as PeerTube does (every handler in priority order, errors logged and swallowed). */
  runHook(target: string, params?: Record<string, unknown>): Promise<void>;
  /** The action hooks the plugin registered, by target. */
  readonly hooks: ReadonlyMap<string, number>;
  /** The external-auth URL PeerTube's login page links to. */
  authUrl(authName: string): string;
  /** Exchanges an externalAuthToken at /api/v1/users/token, as PeerTube's login page does. */
  exchange(externalAuthToken: string, username: string): Promise<{ status: number; body: Record<string, unknown> }>;
  revoke(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  users(): Promise<PeerTubeUser[]>;
  createLocalUser(user: { username: string; email: string; role?: number }): Promise<PeerTubeUser>;
  close(): Promise<void>;
}

/**
 * PeerTube's Sequelize instance as `peertubeHelpers.database` exposes it (`query` bound to it): Sequelize 6 on
 * PostgreSQL with PeerTube's default pool (max 5). Exported for tests that read PeerTube's tables the way a plugin does.
 */
export function createPeerTubeSequelize(databaseUrl: string, applicationName = 'peertube'): Sequelize {
  return new Sequelize(databaseUrl, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: false,
    pool: { max: 5 },
    dialectOptions: { application_name: applicationName },
  });
}

/** Action hooks of PeerTube 6.3 to 8.x that plugins use here (shared/reference/peertube.md). */
export const PEERTUBE_ACTION_HOOKS = [
  'action:application.listening',
  'action:api.video.uploaded',
  'action:api.video.viewed',
  'action:api.video.deleted',
  'action:api.video.updated',
  'action:api.live-video.created',
  'action:live.video.state.updated',
  'action:api.user.registered',
  'action:api.user.created',
  'action:api.user.deleted',
  'action:api.user.blocked',
  'action:api.user.oauth2-got-token',
  'action:notifier.notification.created',
] as const;

export const PEERTUBE_USERNAME = /^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS "user" (
  id serial PRIMARY KEY, username varchar(50) NOT NULL UNIQUE, email varchar(400) NOT NULL UNIQUE,
  role integer NOT NULL, "displayName" varchar(120) NOT NULL, "videoQuota" bigint NOT NULL,
  "videoQuotaDaily" bigint NOT NULL, "adminFlags" integer NOT NULL DEFAULT 0, "pluginAuth" varchar(255));
CREATE TABLE IF NOT EXISTS "oAuthToken" (
  "accessToken" varchar(255) PRIMARY KEY, "refreshToken" varchar(255) NOT NULL, "userId" integer NOT NULL REFERENCES "user"(id),
  "authName" varchar(255));
CREATE TABLE IF NOT EXISTS plugin (name varchar(255) PRIMARY KEY, settings jsonb NOT NULL DEFAULT '{}', storage jsonb NOT NULL DEFAULT '{}');
`;

export async function startPeerTubeHost(options: PeerTubeHostOptions): Promise<PeerTubeHost> {
  const version = options.version ?? '8.2.3';
  const manifest = JSON.parse(readFileSync(join(options.pluginDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const npmName = String(manifest.name ?? '');
  if (!/^peertube-plugin-[a-z0-9-]+$/.test(npmName)) throw new Error(`PeerTube refuses the plugin name "${npmName}"`);
  if (typeof (manifest.engine as { peertube?: unknown } | undefined)?.peertube !== 'string') {
    throw new Error('PeerTube refuses a plugin without engine.peertube');
  }
  const libraryPath = join(options.pluginDir, String(manifest.library ?? ''));
  if (!existsSync(libraryPath)) throw new Error(`library ${libraryPath} does not exist`);
  const shortName = npmName.replace(/^peertube-plugin-/, '');
  const pluginVersion = String(manifest.version ?? '0.0.0');

  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 5 });
  // What peertubeHelpers.database.query is bound to in PeerTube: its Sequelize instance (pool max 5 by default).
  const sequelize = createPeerTubeSequelize(options.databaseUrl);
  await pool.query(SCHEMA);
  await pool.query('INSERT INTO plugin (name) VALUES ($1) ON CONFLICT DO NOTHING', [npmName]);

  const logs: { level: string; message: string }[] = [];
  const log =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      logs.push({
        level,
        message: [message, ...rest].map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '),
      });
    };
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const registeredSettings: Record<string, unknown>[] = [];
  const settingsCallbacks: ((settings: Record<string, unknown>) => Promise<unknown>)[] = [];
  const externalAuths = new Map<string, ExternalAuth>();
  const pendingTokens = new Map<string, { auth: Authenticated; authName: string; expiresAt: number; used: number }>();
  const localClient = { client_id: randomBytes(16).toString('hex'), client_secret: randomBytes(16).toString('hex') };

  const readSettings = async () =>
    ((await pool.query('SELECT settings FROM plugin WHERE name = $1', [npmName])).rows[0]?.settings ?? {}) as Record<
      string,
      unknown
    >;
  const defaults = () =>
    Object.fromEntries(
      registeredSettings.filter((s) => s.default !== undefined).map((s) => [String(s.name), s.default]),
    );

  const hookHandlers = new Map<string, { handler: (params: unknown) => unknown; priority: number }[]>();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ['loopback']);
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  // optionalAuthenticate on plugin routes: an Authorization header must be a PeerTube token, checked first.
  async function checkAuthorization(req: Request, res: Response, next: NextFunction) {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const [scheme, token] = header.split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      return res.status(400).json({
        error: 'invalid_request',
        error_description: 'Invalid request: malformed authorization header',
        code: 'invalid_request',
      });
    }
    const found = await pool.query(
      'SELECT u.* FROM "oAuthToken" t JOIN "user" u ON u.id = t."userId" WHERE t."accessToken" = $1',
      [token],
    );
    if (found.rowCount === 0) {
      return res.status(401).json({
        error: 'invalid_token',
        error_description: 'Invalid token: access token is invalid',
        code: 'invalid_token',
      });
    }
    res.locals.oauth = { token: { User: toUser(found.rows[0]) } };
    next();
  }

  const router = express.Router();
  app.use(`/plugins/${shortName}/router`, checkAuthorization, router);
  app.use(`/plugins/${shortName}/${pluginVersion}/router`, checkAuthorization, router);
  app.get(`/plugins/${shortName}/${pluginVersion}/auth/:authName`, checkAuthorization, (req, res) => {
    const auth = externalAuths.get(req.params.authName ?? '');
    if (!auth) return res.status(404).json({ error: 'No external auth with this name' });
    auth.onAuthRequest(req, res);
  });
  app.get('/login', (req, res) =>
    res.type('text/plain').send(`login page ${new URLSearchParams(req.query as Record<string, string>)}`),
  );

  function validAuthenticated(result: Authenticated): string | null {
    if (
      typeof result.username !== 'string' ||
      result.username.length < 1 ||
      result.username.length > 50 ||
      !PEERTUBE_USERNAME.test(result.username)
    )
      return 'username';
    if (typeof result.email !== 'string' || result.email === '') return 'email';
    if (result.role !== undefined && ![0, 1, 2].includes(result.role)) return 'role';
    if (
      result.displayName !== undefined &&
      (typeof result.displayName !== 'string' || result.displayName.length < 1 || result.displayName.length > 120)
    )
      return 'displayName';
    for (const quota of [result.videoQuota, result.videoQuotaDaily]) {
      if (quota !== undefined && (!Number.isInteger(quota) || quota < -1)) return 'quota';
    }
    return null;
  }

  function userAuthenticatedFor(authName: string) {
    return (result: Authenticated & { req: Request; res: Response }) => {
      const { req: _req, res, ...auth } = result;
      const problem = validAuthenticated(auth);
      if (problem) {
        logger.error(`Auth method ${authName} of plugin ${npmName} did not provide a valid ${problem}.`);
        return res.redirect('/login?externalAuthError=true');
      }
      const token = randomBytes(32).toString('hex');
      pendingTokens.set(token, { auth, authName, expiresAt: Date.now() + 5 * 60_000, used: 0 });
      const allowed =
        version !== '6.3.3' &&
        auth.externalRedirectUri &&
        (options.allowedExternalRedirectUris ?? []).includes(auth.externalRedirectUri);
      const base = allowed ? String(auth.externalRedirectUri) : '/login';
      const target = new URL(base, 'http://placeholder');
      target.searchParams.set('externalAuthToken', token);
      target.searchParams.set('username', auth.username);
      return res.redirect(allowed ? target.href : `${target.pathname}${target.search}`);
    };
  }

  app.post('/api/v1/users/token', async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    if (body.client_id !== localClient.client_id || body.client_secret !== localClient.client_secret) {
      return res.status(400).json({ error: 'invalid_client', code: 'invalid_client' });
    }
    const pending = body.externalAuthToken ? pendingTokens.get(body.externalAuthToken) : undefined;
    const maxUses = version === '6.3.3' ? 2 : 1;
    if (
      !pending ||
      pending.expiresAt < Date.now() ||
      pending.used >= maxUses ||
      pending.auth.username !== body.username
    ) {
      return res.status(400).json({
        error: 'invalid_grant',
        error_description: 'Invalid grant: user credentials are invalid',
        code: 'invalid_grant',
      });
    }
    pending.used++;
    const { auth } = pending;
    const existing = await pool.query('SELECT * FROM "user" WHERE email = $1', [auth.email]);
    let user: PeerTubeUser;
    if (existing.rowCount === 0) {
      const username = await freeUsername(auth.username);
      const created = await pool.query(
        `INSERT INTO "user" (username, email, role, "displayName", "videoQuota", "videoQuotaDaily", "adminFlags", "pluginAuth")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          username,
          auth.email,
          auth.role ?? 2,
          auth.displayName ?? username,
          auth.videoQuota ?? -1,
          auth.videoQuotaDaily ?? -1,
          auth.adminFlags ?? 0,
          npmName,
        ],
      );
      user = toUser(created.rows[0]);
    } else {
      user = toUser(existing.rows[0]);
      if (user.pluginAuth !== npmName) {
        return res.status(400).json({
          error: 'invalid_grant',
          error_description: 'Invalid grant: user credentials are invalid',
          code: 'invalid_grant',
        });
      }
      if (auth.userUpdater) {
        const fields = {
          role: auth.role,
          adminFlags: auth.adminFlags,
          videoQuota: auth.videoQuota,
          videoQuotaDaily: auth.videoQuotaDaily,
          displayName: auth.displayName,
        };
        const updated: Record<string, unknown> = {};
        for (const [fieldName, newValue] of Object.entries(fields)) {
          updated[fieldName] = auth.userUpdater({
            fieldName,
            currentValue: (user as unknown as Record<string, unknown>)[fieldName],
            newValue,
          });
        }
        if (Object.values(updated).some((v) => v === undefined || v === null)) {
          logger.error('SequelizeDatabaseError: null value in column violates not-null constraint');
          return res.status(500).json({ error: 'server_error', code: 'server_error' });
        }
        const saved = await pool.query(
          `UPDATE "user" SET role = $1, "adminFlags" = $2, "videoQuota" = $3, "videoQuotaDaily" = $4, "displayName" = $5 WHERE id = $6 RETURNING *`,
          [updated.role, updated.adminFlags, updated.videoQuota, updated.videoQuotaDaily, updated.displayName, user.id],
        );
        user = toUser(saved.rows[0]);
      }
    }
    const accessToken = randomBytes(20).toString('hex');
    const refreshToken = randomBytes(20).toString('hex');
    await pool.query(
      'INSERT INTO "oAuthToken" ("accessToken", "refreshToken", "userId", "authName") VALUES ($1, $2, $3, $4)',
      [accessToken, refreshToken, user.id, pending.authName],
    );
    return res.json({
      token_type: 'Bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: 86_400,
    });
  });

  app.post('/api/v1/users/revoke-token', async (req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
    const found = await pool.query(
      'SELECT t."authName", u.* FROM "oAuthToken" t JOIN "user" u ON u.id = t."userId" WHERE t."accessToken" = $1',
      [token],
    );
    if (found.rowCount === 0) return res.status(401).json({ error: 'invalid_token', code: 'invalid_token' });
    await pool.query('DELETE FROM "oAuthToken" WHERE "accessToken" = $1', [token]);
    const row = found.rows[0] as Record<string, unknown>;
    const auth = externalAuths.get(String(row.authName));
    const redirectUrl = auth?.onLogout ? await auth.onLogout(toUser(row), req) : undefined;
    return res.json({ success: true, ...(redirectUrl ? { redirectUrl } : {}) });
  });

  async function freeUsername(wanted: string): Promise<string> {
    for (const candidate of [wanted, ...Array.from({ length: 28 }, (_, i) => `${wanted}-${i + 2}`)]) {
      const taken = await pool.query('SELECT 1 FROM "user" WHERE username = $1', [candidate]);
      if (taken.rowCount === 0) return candidate;
    }
    throw new Error(`no free username from ${wanted}`);
  }

  const dataDir = join(options.dataDir, 'plugins', 'data', npmName);
  mkdirSync(dataDir, { recursive: true });
  const registerOptions = {
    registerSetting: (setting: Record<string, unknown>) => {
      if (typeof setting.name !== 'string' || typeof setting.type !== 'string')
        throw new Error('registerSetting needs name and type');
      registeredSettings.push(setting);
    },
    settingsManager: {
      getSetting: async (name: string) => ({ ...defaults(), ...(await readSettings()) })[name],
      getSettings: async (names: string[]) => {
        const all = { ...defaults(), ...(await readSettings()) };
        return Object.fromEntries(names.map((n) => [n, all[n]]));
      },
      setSetting: async (name: string, value: unknown) => {
        await pool.query(
          `UPDATE plugin SET settings = settings || jsonb_build_object($2::text, $3::jsonb) WHERE name = $1`,
          [npmName, name, JSON.stringify(value)],
        );
      },
      onSettingsChange: (cb: (settings: Record<string, unknown>) => Promise<unknown>) => {
        settingsCallbacks.push(cb);
      },
    },
    storageManager: {
      getData: async (key: string) =>
        (await pool.query('SELECT storage -> $2 AS value FROM plugin WHERE name = $1', [npmName, key])).rows[0]
          ?.value ?? undefined,
      storeData: async (key: string, data: unknown) => {
        await pool.query(
          `UPDATE plugin SET storage = storage || jsonb_build_object($2::text, $3::jsonb) WHERE name = $1`,
          [npmName, key, JSON.stringify(data ?? null)],
        );
      },
      deleteData: async (key: string) => {
        await pool.query('UPDATE plugin SET storage = storage - $2 WHERE name = $1', [npmName, key]);
      },
    },
    registerExternalAuth: (auth: ExternalAuth) => {
      if (!auth.authName || typeof auth.onAuthRequest !== 'function')
        throw new Error('registerExternalAuth needs authName and onAuthRequest');
      externalAuths.set(auth.authName, auth);
      return { userAuthenticated: userAuthenticatedFor(auth.authName) };
    },
    unregisterExternalAuth: (authName: string) => {
      externalAuths.delete(authName);
    },
    registerHook: (hook: { target?: string; handler?: (params: unknown) => unknown; priority?: number }) => {
      if (typeof hook.target !== 'string' || typeof hook.handler !== 'function')
        throw new Error('registerHook needs target and handler');
      if (hook.target.startsWith('action:') && !(PEERTUBE_ACTION_HOOKS as readonly string[]).includes(hook.target)) {
        logger.warn(`Unknown hook ${hook.target} of plugin ${npmName}. Skipping.`);
        return;
      }
      const list = hookHandlers.get(hook.target) ?? [];
      list.push({ handler: hook.handler, priority: hook.priority ?? 0 });
      list.sort((a, b) => b.priority - a.priority);
      hookHandlers.set(hook.target, list);
    },
    getRouter: () => router,
    peertubeHelpers: {
      logger,
      // Sequelize's query as PeerTube exposes it: :named replacements, { type: 'SELECT' } gives the rows.
      database: { query: sequelize.query.bind(sequelize) },
      server: { getServerActor: async () => ({ id: options.serverActorId ?? 1 }) },
      config: {
        getWebserverUrl: () => url,
        // The part of ServerConfig (GET /api/v1/config) plugins read here.
        getServerConfig: async () => ({ serverVersion: version, instance: { name: 'PeerTube' } }),
      },
      plugin: { getDataDirectoryPath: () => dataDir },
      user: { getAuthUser: async (res: Response) => res.locals.oauth?.token?.User },
    },
  };

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // PeerTube loads the plugin's library with require(): a CommonJS file.
  // A fresh module each time, as PeerTube does when it reloads a plugin (decache), so two hosts never share one.
  const load = createRequire(join(dirname(libraryPath), 'noop.js'));
  delete load.cache[load.resolve(libraryPath)];
  const library = load(libraryPath) as {
    register?: (o: unknown) => Promise<unknown>;
    unregister?: () => Promise<unknown>;
  };
  if (typeof library.register !== 'function') throw new Error('the plugin library exports no register()');
  await library.register(registerOptions);

  const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  return {
    url,
    npmName,
    shortName,
    pluginVersion,
    localClient,
    registeredSettings,
    externalAuths,
    logs,
    get hooks() {
      return new Map([...hookHandlers].map(([target, list]) => [target, list.length]));
    },
    async runHook(target, params = {}) {
      for (const { handler } of hookHandlers.get(target) ?? []) {
        try {
          await handler(params);
        } catch (error) {
          logger.error(`Cannot run hook ${target} of plugin ${npmName}: ${error}`);
        }
      }
    },
    async updateSettings(settings) {
      await pool.query('UPDATE plugin SET settings = $2 WHERE name = $1', [npmName, JSON.stringify(settings)]);
      const all = { ...defaults(), ...(await readSettings()) };
      for (const cb of settingsCallbacks) await cb(all);
    },
    authUrl: (authName) => `${url}/plugins/${shortName}/${pluginVersion}/auth/${authName}`,
    exchange: (externalAuthToken, username) =>
      post('/api/v1/users/token', {
        ...localClient,
        grant_type: 'password',
        response_type: 'code',
        username,
        password: '',
        externalAuthToken,
      }),
    revoke: (accessToken) => post('/api/v1/users/revoke-token', {}, { authorization: `Bearer ${accessToken}` }),
    async users() {
      return (await pool.query('SELECT * FROM "user" ORDER BY id')).rows.map(toUser);
    },
    async createLocalUser(user) {
      const created = await pool.query(
        `INSERT INTO "user" (username, email, role, "displayName", "videoQuota", "videoQuotaDaily") VALUES ($1, $2, $3, $1, -1, -1) RETURNING *`,
        [user.username, user.email, user.role ?? 2],
      );
      return toUser(created.rows[0]);
    },
    async close() {
      await library.unregister?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
      await sequelize.close();
    },
  };
}

function toUser(row: Record<string, unknown>): PeerTubeUser {
  return {
    id: Number(row.id),
    username: String(row.username),
    email: String(row.email),
    role: Number(row.role),
    displayName: String(row.displayName),
    videoQuota: Number(row.videoQuota),
    videoQuotaDaily: Number(row.videoQuotaDaily),
    adminFlags: Number(row.adminFlags ?? 0),
    pluginAuth: row.pluginAuth === null || row.pluginAuth === undefined ? null : String(row.pluginAuth),
  };
}
