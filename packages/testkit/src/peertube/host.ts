import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { createExternalAuthSystem, type ExternalAuthOptions } from './external-auth.js';
import { createHookRegistry } from './hooks.js';
import { type InstalledPlugin, installPlugin } from './install.js';
import { fail } from './problem.js';
import { createPeerTubeProcessModules, type PeerTubeProcessModules } from './process-modules.js';
import { PEERTUBE_8_SCHEMA, PEERTUBE_SCHEMA } from './schema.js';
import { createPluginSettings, type RegisteredSetting } from './settings-manager.js';
import { createStorageManager } from './storage-manager.js';
import { createUserStore, type PeerTubeUser } from './users.js';
import { behaviourOf, type PeerTubeVersion } from './versions.js';

/**
 * A strict PeerTube plugin host for the PeerTube plugins' tests (no PeerTube server runs in CI). It installs a plugin
 * folder as an administrator does and behaves like PeerTube 6.3.3 (default, the oldest supported version, checked by
 * hand against a real server) or 8.2.4 for everything the plugins touch; each subsystem lives in its own module of
 * this folder, citing the upstream file it mirrors. What the host adds on top, and why:
 * - a plugin route, auth request or timer whose promise rejects unhandled makes a real PeerTube exit
 *   ("uncaughtException" logged, every request refused afterwards); the host does the same: it records the error in
 *   `crashed` and stops answering;
 * - `restart()` is a PeerTube restart: in-memory state (pending externalAuthTokens, the plugin's module) is lost,
 *   the database stays;
 * - `runHook`/`hooksSettled` let tests wait for action hooks, which PeerTube itself never awaits.
 * Routes (server/core/controllers/plugins.ts): /plugins/<name>/router/ and /plugins/<name>/<version>/router/ go through
 * the plugins rate limiter (500 requests per 10 s per address by default) and optionalAuthenticate (an Authorization
 * header must be a valid PeerTube token: Bearer unknown -> 401 invalid_token, anything else but empty -> 400
 * invalid_request); the external-auth entry /plugins/<name>/<version>/auth/<authName> is rate-limited but reads no
 * Authorization; declared client scripts are served from the package (a missing file is a 404).
 */
export interface PeerTubeHostOptions {
  readonly databaseUrl: string;
  /** The plugin folder as an administrator unpacked it: named like the package (PeerTube takes the folder's name). */
  readonly pluginDir: string;
  readonly version?: PeerTubeVersion;
  /** PeerTube's storage: plugins are copied to <dataDir>/plugins/node_modules/<name>. */
  readonly dataDir: string;
  /** The server actor's id (getServerActor), 1 by default. */
  readonly serverActorId?: number;
  /**
   * config webserver: the public address PeerTube builds its URLs with (getWebserverUrl). By default the address the
   * host listens on; two hosts behind one load balancer share the first one's.
   */
  readonly webserverUrl?: string;
  /** config rates_limit.plugins and rates_limit.login; PeerTube's defaults: 500 per 10 s, 15 per 5 minutes. */
  /**
   * Lay out PeerTube's process modules (./process-modules.ts) and run the plugin with process.argv[1] pointing at
   * them, as Node runs PeerTube (default true); false for a process where they cannot be found.
   */
  readonly processModules?: boolean;
  readonly rateLimits?: {
    readonly plugins?: { windowMs: number; max: number };
    readonly login?: { windowMs: number; max: number };
  };
}

export interface PeerTubeHost {
  readonly url: string;
  readonly version: PeerTubeVersion;
  readonly npmName: string;
  readonly shortName: string;
  readonly pluginVersion: string;
  readonly installed: InstalledPlugin;
  readonly localClient: { client_id: string; client_secret: string };
  /** Registered settings, as the admin page shows them. */
  readonly registeredSettings: readonly RegisteredSetting[];
  readonly externalAuths: ReadonlyMap<string, ExternalAuthOptions>;
  readonly logs: { level: string; message: string }[];
  /** PeerTube's in-memory figures the plugin can read (inbox, viewers), to drive from tests; null when not laid out. */
  readonly process: PeerTubeProcessModules | null;
  /** The error that would have made a real PeerTube exit, or null. */
  readonly crashed: Error | null;
  /** PUT /api/v1/plugins/<npm>/settings: stores exactly this object, then calls onSettingsChange with it. */
  updateSettings(settings: Record<string, unknown>): Promise<void>;
  /** The plugin row's `storage` JSONB, as PeerTube keeps it (null until first written). */
  storage(): Promise<Record<string, unknown> | null>;
  /** Fires an action hook as PeerTube does, then waits for its handlers (tests only: PeerTube never waits). */
  runHook(target: string, params?: Record<string, unknown>): Promise<void>;
  /** Waits until every action hook fired so far has finished. */
  hooksSettled(): Promise<void>;
  /** The hooks the plugin registered, by target. */
  readonly hooks: ReadonlyMap<string, number>;
  /** The external-auth URL PeerTube's login page links to. */
  authUrl(authName: string): string;
  /** POST /api/v1/users/token with an externalAuthToken, as PeerTube's login page does. */
  exchange(externalAuthToken: string, username: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** POST /api/v1/users/revoke-token (logout). */
  revoke(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET /api/v1/users/me with the token: 200 and the user while the token is good, 401 after. */
  me(accessToken: string): Promise<{ status: number; body: Record<string, unknown> }>;
  users(): Promise<PeerTubeUser[]>;
  createLocalUser(user: { username: string; email: string; role?: number }): Promise<PeerTubeUser>;
  /** DELETE /api/v1/users/<id> by an administrator: removes the user, then fires action:api.user.deleted. */
  deleteUser(id: number): Promise<void>;
  /** POST /api/v1/users/<id>/block by an administrator. */
  blockUser(id: number): Promise<void>;
  /** Stops and starts PeerTube: memory is lost (pending tokens, the plugin module), the database stays. */
  restart(): Promise<void>;
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

interface PluginLibrary {
  register?: (options: unknown) => unknown;
  unregister?: () => unknown;
}

export async function startPeerTubeHost(options: PeerTubeHostOptions): Promise<PeerTubeHost> {
  const version = options.version ?? '6.3.3';
  const behaviour = behaviourOf(version);
  const installed = installPlugin(resolve(options.pluginDir), join(options.dataDir, 'plugins'), version);
  const { npmName, shortName } = installed;

  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 5 });
  pool.on('error', () => undefined); // a backend ended by the server while idle: the next query reconnects
  const sequelize = createPeerTubeSequelize(options.databaseUrl);
  await pool.query(PEERTUBE_SCHEMA);
  if (behaviour.externalId) await pool.query(PEERTUBE_8_SCHEMA);
  // A reinstalled plugin finds its row again, settings and storage included (uninstall only flags it).
  const row = await pool.query<{ id: number }>(
    `INSERT INTO plugin (name, type, version, "peertubeEngine", description, homepage) VALUES ($1, 1, $2, $3, $4, $5)
     ON CONFLICT (name, type) DO UPDATE SET version = EXCLUDED.version, uninstalled = false, enabled = true
     RETURNING id`,
    [shortName, installed.version, installed.engine, installed.description, installed.homepage],
  );
  const pluginId = row.rows[0]?.id as number;

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
  const localClient = { client_id: randomBytes(16).toString('hex'), client_secret: randomBytes(16).toString('hex') };
  const users = createUserStore(pool, { externalIdColumn: behaviour.externalId });
  const dataDir = join(options.dataDir, 'plugins', 'data', npmName);
  mkdirSync(dataDir, { recursive: true });
  const processModules = options.processModules === false ? null : await createPeerTubeProcessModules(options.dataDir);

  let crashed: Error | null = null;
  let server: Server | null = null;
  let url = '';

  /** What a real PeerTube does on an unhandled rejection from plugin code: log it and exit. */
  function crash(error: unknown) {
    if (crashed) return;
    crashed = error instanceof Error ? error : new Error(String(error));
    logger.error(`uncaughtException: ${crashed.message}`);
    server?.closeAllConnections();
    server?.close();
  }
  const watch = (result: unknown) => {
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(undefined, crash);
    return result;
  };
  // Errors thrown from the plugin's own code outside a route (a timer, a dropped promise) also end PeerTube.
  const fromPlugin = (error: unknown) => error instanceof Error && (error.stack ?? '').includes(installed.path);
  const onUnhandled = (error: unknown) => {
    if (fromPlugin(error)) crash(error);
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);

  /** The plugin's router: every handler's promise is watched, as Express 4 leaves it unhandled. */
  function guardedRouter(): express.Router {
    const router = express.Router();
    const guard = (fn: unknown) => {
      if (typeof fn !== 'function') return fn;
      const handler = fn as (...args: unknown[]) => unknown;
      return handler.length === 4
        ? (e: unknown, req: Request, res: Response, next: NextFunction) => watch(handler(e, req, res, next))
        : (req: Request, res: Response, next: NextFunction) => watch(handler(req, res, next));
    };
    for (const method of ['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'all', 'use'] as const) {
      const original = router[method].bind(router) as (...args: unknown[]) => unknown;
      (router as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => original(...args.map(guard));
    }
    return router;
  }

  // Per-process state: rebuilt by restart().
  let generation = createGeneration();
  function createGeneration() {
    const hooks = createHookRegistry(shortName, npmName, logger);
    const settings = createPluginSettings(pool, pluginId, logger.error, npmName);
    const externalAuth = createExternalAuthSystem({ npmName, behaviour, users, pool, hooks, logger, localClient });
    return { hooks, settings, externalAuth, router: guardedRouter(), library: null as PluginLibrary | null };
  }

  function registerOptions(current: ReturnType<typeof createGeneration>) {
    return {
      registerSetting: (setting: Record<string, unknown>) => current.settings.registerSetting(setting),
      settingsManager: current.settings.manager,
      storageManager: createStorageManager(pool, pluginId, behaviour),
      registerExternalAuth: (auth: Partial<ExternalAuthOptions>) =>
        current.externalAuth.register({
          ...auth,
          ...(typeof auth.onAuthRequest === 'function'
            ? {
                onAuthRequest: (req: Request, res: Response) =>
                  watch((auth.onAuthRequest as (q: Request, s: Response) => unknown)(req, res)),
              }
            : {}),
        } as Partial<ExternalAuthOptions>),
      unregisterExternalAuth: (authName: string) => current.externalAuth.unregister(authName),
      registerHook: (hook: Record<string, unknown>) => current.hooks.register(hook),
      getRouter: () => current.router,
      peertubeHelpers: {
        logger,
        // Sequelize's query as PeerTube exposes it: :named replacements, { type: 'SELECT' } gives the rows.
        database: { query: sequelize.query.bind(sequelize) },
        server: { getServerActor: async () => ({ id: options.serverActorId ?? 1 }), getHTTPServer: () => server },
        config: {
          getWebserverUrl: () => options.webserverUrl ?? url,
          getServerListeningConfig: () => ({ hostname: '127.0.0.1', port: Number(new URL(url).port) }),
          getServerConfig: async () => serverConfig(),
        },
        plugin: {
          getBaseStaticRoute: () => `/plugins/${shortName}/${installed.version}/static/`,
          getBaseRouterRoute: () => `/plugins/${shortName}/${installed.version}/router/`,
          getDataDirectoryPath: () => dataDir,
        },
        user: {
          loadById: (id: number) => users.byId(id),
          getAuthUser: async (res: Response) => {
            const user = (res.locals.oauth as { token?: { User?: PeerTubeUser } } | undefined)?.token?.User;
            return user ? users.byId(user.id) : undefined;
          },
        },
      },
    };
  }

  function serverConfig() {
    return {
      serverVersion: version,
      instance: { name: 'PeerTube' },
      plugin: {
        registeredExternalAuths: [...generation.externalAuth.auths.values()].map((a) => ({
          npmName,
          name: shortName,
          version: installed.version,
          authName: a.authName,
          authDisplayName: a.authDisplayName(),
        })),
      },
    };
  }

  /** server/core/lib/plugins/plugin-manager.ts, registerPlugin: a failing register is logged, PeerTube goes on. */
  async function load(current: ReturnType<typeof createGeneration>) {
    for (const [locale, path] of Object.entries(installed.translations)) {
      JSON.parse(readFileSync(join(installed.path, path), 'utf8')); // PeerTube reads them at registration
      if (!/^[a-z]{2}(-[A-Z]{2})?$/.test(locale)) throw new Error(`translation locale ${locale}`);
    }
    const load = createRequire(join(dirname(installed.libraryPath), 'noop.js'));
    delete load.cache[load.resolve(installed.libraryPath)]; // PeerTube decaches a plugin it reloads
    const library = load(installed.libraryPath) as PluginLibrary;
    if (typeof library.register !== 'function' || typeof library.unregister !== 'function') {
      throw new Error('Library code is not valid (miss register or unregister function)');
    }
    current.library = library;
    // Node runs PeerTube as `node <root>/dist/server.js`: what a plugin sees in process.argv[1] while it registers.
    const argv1 = process.argv[1];
    if (processModules) process.argv[1] = processModules.serverScript;
    try {
      await library.register(registerOptions(current));
    } catch (error) {
      logger.error(`Cannot register plugin ${shortName}, skipping. ${error instanceof Error ? error.message : error}`);
    } finally {
      if (processModules && argv1 !== undefined) process.argv[1] = argv1;
    }
  }

  const pluginsLimiter = rateLimit({
    windowMs: options.rateLimits?.plugins?.windowMs ?? 10_000,
    max: options.rateLimits?.plugins?.max ?? 500,
    legacyHeaders: true,
    standardHeaders: false,
  });
  const loginLimiter = rateLimit({
    windowMs: options.rateLimits?.login?.windowMs ?? 5 * 60_000,
    max: options.rateLimits?.login?.max ?? 15,
    legacyHeaders: true,
    standardHeaders: false,
  });

  const app = express();
  app.set('trust proxy', ['loopback']);
  app.use((_req, res, next) => {
    res.setHeader('x-powered-by', 'PeerTube');
    next();
  });
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  /** server/core/middlewares/auth.ts, optionalAuthenticate. */
  async function optionalAuthenticate(req: Request, res: Response, next: NextFunction) {
    const header = req.headers.authorization;
    if (header === undefined || header === '') return next();
    const token = /^Bearer (\S+)$/i.exec(header)?.[1];
    if (!token) return fail(res, { status: 400, message: 'Token is invalid', type: 'invalid_request' });
    const user = await generation.externalAuth.authenticate(token);
    if (!user) return fail(res, { status: 401, message: 'Token is invalid', type: 'invalid_token' });
    res.locals.oauth = { token: { User: user } };
    res.locals.authenticated = true;
    next();
  }
  /** getPluginValidator: the name (and version) in the path must be the installed plugin's. */
  function pluginValidator(withVersion: boolean) {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.params.pluginName !== shortName)
        return fail(res, { status: 404, message: `No plugin found named peertube-plugin-${req.params.pluginName}` });
      if (withVersion && req.params.pluginVersion !== installed.version) {
        return fail(res, {
          status: 404,
          message: `No plugin found named ${npmName} with version ${req.params.pluginVersion}`,
        });
      }
      next();
    };
  }
  const pluginRouter = (req: Request, res: Response, next: NextFunction) => generation.router(req, res, next);
  const asyncRoute =
    (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
      fn(req, res).catch(next);

  app.get('/plugins/:pluginName/:pluginVersion/auth/:authName', pluginsLimiter, pluginValidator(true), (req, res) =>
    generation.externalAuth.authRequest(req, res),
  );
  app.get('/plugins/:pluginName/:pluginVersion/client-scripts/*', pluginsLimiter, pluginValidator(true), (req, res) => {
    const path = (req.params as Record<string, string>)['0'] ?? '';
    if (!installed.clientScripts.some((c) => c.script.replace(/^\.\//, '') === path)) return res.status(404).end();
    const file = join(installed.path, path);
    if (!existsSync(file))
      return fail(res, { status: 404, message: `ENOENT: no such file or directory, stat '${file}'`, type: 'Error' });
    res.type('application/javascript').send(readFileSync(file));
  });
  app.use('/plugins/:pluginName/router', pluginsLimiter, pluginValidator(false), optionalAuthenticate, pluginRouter);
  app.use(
    '/plugins/:pluginName/:pluginVersion/router',
    pluginsLimiter,
    pluginValidator(true),
    optionalAuthenticate,
    pluginRouter,
  );
  app.post(
    '/api/v1/users/token',
    loginLimiter,
    asyncRoute((req, res) => generation.externalAuth.exchange(req, res)),
  );
  app.post(
    '/api/v1/users/revoke-token',
    asyncRoute((req, res) => generation.externalAuth.revoke(req, res)),
  );
  app.get('/api/v1/config', (_req, res) => res.json(serverConfig()));
  // server/core/middlewares/auth.ts, authenticate: a missing or refused token is 401.
  app.get(
    '/api/v1/users/me',
    asyncRoute(async (req, res) => {
      const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const user = token ? await generation.externalAuth.authenticate(token) : null;
      if (!user) return fail(res, { status: 401, message: 'Token is invalid', type: 'invalid_token' });
      res.json({ id: user.id, username: user.username, email: user.email, role: { id: user.role } });
    }),
  );
  app.get(
    `/api/v1/plugins/${npmName}/public-settings`,
    asyncRoute(async (_req, res) => {
      const values = await generation.settings.manager.getSettings(
        generation.settings.registered.filter((s) => s.private === false).map((s) => s.name),
      );
      res.json({ publicSettings: values });
    }),
  );
  app.get('/login', (req, res) =>
    res.type('text/plain').send(`login page ${new URLSearchParams(req.query as Record<string, string>)}`),
  );
  // server/core/middlewares/error.ts: an error thrown in a route answers 500 in problem+json.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error(`Error in controller. ${error instanceof Error ? error.message : error}`);
    if (!res.headersSent) fail(res, { status: 500, message: error instanceof Error ? error.message : String(error) });
  });

  async function listen(port = 0) {
    server = await new Promise<Server>((done) => {
      const s = app.listen(port, '127.0.0.1', () => done(s));
    });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }
  async function stop() {
    const running = server;
    server = null;
    if (running) {
      running.closeAllConnections();
      await new Promise<void>((done) => running.close(() => done()));
    }
  }

  await listen();
  await load(generation);

  const request = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      // No keep-alive: a socket kept from before restart() would find the server gone.
      headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close', ...headers },
      body: new URLSearchParams(form).toString(),
    });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, body };
  };

  return {
    get url() {
      return url;
    },
    version,
    npmName,
    shortName,
    pluginVersion: installed.version,
    installed,
    localClient,
    get registeredSettings() {
      return generation.settings.registered;
    },
    get externalAuths() {
      return generation.externalAuth.auths;
    },
    logs,
    process: processModules,
    get crashed() {
      return crashed;
    },
    get hooks() {
      return generation.hooks.counts;
    },
    async updateSettings(settings) {
      await generation.settings.save(settings);
    },
    storage: async () =>
      ((await pool.query('SELECT storage FROM plugin WHERE id = $1', [pluginId])).rows[0]?.storage ?? null) as Record<
        string,
        unknown
      > | null,
    async runHook(target, params = {}) {
      generation.hooks.fire(target, params);
      await generation.hooks.settled();
    },
    hooksSettled: () => generation.hooks.settled(),
    authUrl: (authName) => `${url}/plugins/${shortName}/${installed.version}/auth/${authName}`,
    exchange: (externalAuthToken, username) =>
      request('/api/v1/users/token', {
        ...localClient,
        grant_type: 'password',
        response_type: 'code',
        username,
        password: '',
        externalAuthToken,
      }),
    revoke: (accessToken) => request('/api/v1/users/revoke-token', {}, { authorization: `Bearer ${accessToken}` }),
    async me(accessToken) {
      const response = await fetch(`${url}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${accessToken}`, connection: 'close' },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    users: () => users.list(),
    createLocalUser: (user) => users.create({ ...user, pluginAuth: null }),
    async deleteUser(id) {
      const user = await users.remove(id);
      if (user) generation.hooks.fire('action:api.user.deleted', { user });
    },
    async blockUser(id) {
      const user = await users.update(id, { blocked: true });
      generation.hooks.fire('action:api.user.blocked', { user });
    },
    async restart() {
      const port = Number(new URL(url).port);
      await generation.hooks.settled();
      // The process ends: its timers with it (unregister stops the plugin's), its memory is lost.
      await generation.library?.unregister?.();
      await stop();
      crashed = null;
      generation = createGeneration();
      await listen(port);
      await load(generation);
    },
    async close() {
      try {
        await generation.hooks.settled();
        await generation.library?.unregister?.();
      } finally {
        process.off('unhandledRejection', onUnhandled);
        process.off('uncaughtException', onUnhandled);
        await stop();
        await pool.end();
        await sequelize.close();
      }
    },
  };
}
