import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type pg from 'pg';
import type { HookRegistry } from './hooks.js';
import { fail } from './problem.js';
import { ActorNameUnavailable, type PeerTubeUser, type UserStore } from './users.js';
import type { VersionBehaviour } from './versions.js';

/**
 * External authentication as PeerTube runs it, checked on a real 6.3.3 (shared/reference/peertube.md) and read in
 * server/core/lib/plugins/register-helpers.ts (buildRegisterExternalAuth), server/core/lib/auth/external-auth.ts
 * (onExternalUserAuthenticated, isAuthResultValid, getBypassFromExternalAuth), server/core/lib/auth/oauth-model.ts
 * (getUser, createUserFromExternal, updateUserFromExternal, revokeToken) and
 * server/core/controllers/api/users/token.ts; 8.x from the 8.2.4 source (lib/auth/oauth-user.ts):
 * - registerExternalAuth without authName, authDisplayName() or onAuthRequest() logs an error and returns undefined;
 * - userAuthenticated returns nothing: it validates (username rule, email; optional fields by truthiness on 6.3.3,
 *   every defined one on 8.x), keeps a 64-hex token for 5 minutes in the process's memory (lost at a restart), and
 *   redirects to /login?externalAuthToken=...&username=... (8.x: to externalRedirectUri when given, unchecked);
 *   anything invalid redirects to /login?externalAuthError=true;
 * - the token is exchanged at POST /api/v1/users/token (rate-limited: 15 per 5 minutes by default): reusable until it
 *   expires on 6.3.3, single use on 8.x; the username must be the one sent;
 * - the user is looked up by email (exactly on 6.3.3, ignoring case on 8.x; on 8.x first by externalId): none ->
 *   created (username made unique by PeerTube, -1 ... -29), owned by this plugin -> updated through userUpdater (every
 *   field; undefined fails), local or another plugin's -> invalid_grant;
 * - POST /api/v1/users/revoke-token calls onLogout; its error is logged and the answer has no redirectUrl;
 * - an access token, once read, is kept in the process's cache (server/core/lib/auth/tokens-cache.ts, an LRU with no
 *   expiry of its own): deleting its row does not end it; only the token's own expiry, its revocation through the API
 *   or the plugin's hookTokenValidity (oauth-model.ts getAccessToken: asked at every request; anything but
 *   `valid === true` refuses; a throw is logged and counts as valid) do. Seen on a real 6.3.3 with the SAML plugin: a
 *   token read once stays good after its row is deleted, until hookTokenValidity refuses it ("Rejecting access token
 *   validity from auth ..."); its refresh token is then refused too.
 */
export interface ExternalAuthOptions {
  authName: string;
  authDisplayName: () => string;
  onAuthRequest: (req: Request, res: Response) => void;
  onLogout?: (user: PeerTubeUser, req: Request) => Promise<string | undefined> | string | undefined;
  /** Asked at every authenticated request of a user of this plugin; anything but `{ valid: true }` refuses. */
  hookTokenValidity?: (options: { token: CachedToken; type: 'access' | 'refresh' }) => Promise<{ valid: unknown }>;
}

/** What PeerTube caches per access token (MOAuthTokenUser) and hands to hookTokenValidity. */
export interface CachedToken {
  accessToken: string;
  accessTokenExpiresAt: Date;
  authName: string | null;
  userId: number;
  createdAt: Date;
  User: PeerTubeUser;
}

export interface AuthenticatedResult {
  req?: Request;
  res?: Response;
  username?: unknown;
  email?: unknown;
  role?: unknown;
  displayName?: unknown;
  adminFlags?: unknown;
  videoQuota?: unknown;
  videoQuotaDaily?: unknown;
  userUpdater?: unknown;
  externalRedirectUri?: unknown;
  externalId?: unknown;
}

type Updater = (options: { fieldName: string; currentValue: unknown; newValue: unknown }) => unknown;

interface ExternalUser {
  username: string;
  email: string;
  role: number;
  displayName: string;
  adminFlags: number;
  videoQuota?: number;
  videoQuotaDaily?: number;
  externalId?: string;
}

interface BypassToken {
  expires: number;
  user: ExternalUser;
  userUpdater?: Updater;
  authName: string;
}

/** PLUGIN_EXTERNAL_AUTH_TOKEN_LIFETIME (server/core/initializers/constants.ts). */
const TOKEN_LIFETIME_MS = 5 * 60_000;
const USERNAME = /^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$/;

const isInt = (value: unknown, min: number) => /^-?\d+$/.test(String(value)) && Number(value) >= min;
const validators: Record<string, (value: unknown) => boolean> = {
  role: (v) => Number.isInteger(v) && [0, 1, 2].includes(v as number),
  displayName: (v) => typeof v === 'string' && v.length >= 1 && v.length <= 120,
  adminFlags: (v) => Number.isInteger(v) && (v as number) >= 0,
  videoQuota: (v) => isInt(v, -1),
  videoQuotaDaily: (v) => isInt(v, -1),
};

export interface ExternalAuthSystem {
  readonly auths: ReadonlyMap<string, ExternalAuthOptions>;
  register(options: Partial<ExternalAuthOptions>): { userAuthenticated(result: AuthenticatedResult): void } | undefined;
  unregister(authName: string): void;
  /** GET /plugins/<name>/<version>/auth/<authName>. */
  authRequest(req: Request, res: Response): void;
  /** POST /api/v1/users/token, for an externalAuthToken. */
  exchange(req: Request, res: Response): Promise<void>;
  /** POST /api/v1/users/revoke-token. */
  revoke(req: Request, res: Response): Promise<void>;
  /** getAccessToken (server/core/lib/auth/oauth-model.ts): the token's user, or null. */
  authenticate(accessToken: string): Promise<PeerTubeUser | null>;
  /** Forgets every pending externalAuthToken and the token cache, as a restart of PeerTube does. */
  restart(): void;
}

export function createExternalAuthSystem(options: {
  npmName: string;
  behaviour: VersionBehaviour;
  users: UserStore;
  pool: pg.Pool;
  hooks: HookRegistry;
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void };
  localClient: { client_id: string; client_secret: string };
}): ExternalAuthSystem {
  const { npmName, behaviour, users, pool, hooks, logger, localClient } = options;
  const auths = new Map<string, ExternalAuthOptions>();
  const tokens = new Map<string, BypassToken>();
  const tokenCache = new Map<string, CachedToken>();

  function validate(authName: string, result: AuthenticatedResult): boolean {
    const invalid = (field: string) => {
      logger.error(`Auth method ${authName} of plugin ${npmName} did not provide a valid ${field}.`);
      return false;
    };
    const { username, email } = result;
    if (typeof username !== 'string' || username.length > 50 || !USERNAME.test(username)) return invalid('username');
    if (!email) return invalid('email');
    for (const [field, check] of Object.entries(validators)) {
      const value = result[field as keyof AuthenticatedResult];
      const present = behaviour.validateDefinedFields ? value !== undefined : Boolean(value);
      if (present && !check(value)) return invalid(field);
    }
    if (result.userUpdater && typeof result.userUpdater !== 'function') return invalid('user updater function');
    if (
      behaviour.externalId &&
      result.externalId &&
      (typeof result.externalId !== 'string' || result.externalId.length > 255)
    )
      return invalid('externalId');
    return true;
  }

  async function onAuthenticated(authName: string, result: AuthenticatedResult) {
    const { res } = result;
    if (!result.req || !res) {
      logger.error(
        `Cannot authenticate external user for auth ${authName} of plugin ${npmName}: no req or res are provided.`,
      );
      return;
    }
    if (!validate(authName, result)) return res.redirect('/login?externalAuthError=true');
    const token = randomBytes(32).toString('hex');
    const user: ExternalUser = {
      username: result.username as string,
      email: String(result.email),
      role: (result.role as number | undefined) ?? 2,
      displayName: (result.displayName as string | undefined) || (result.username as string),
      adminFlags: (result.adminFlags as number | undefined) ?? 0,
      ...(result.videoQuota === undefined ? {} : { videoQuota: Number(result.videoQuota) }),
      ...(result.videoQuotaDaily === undefined ? {} : { videoQuotaDaily: Number(result.videoQuotaDaily) }),
      ...(behaviour.externalId && result.externalId ? { externalId: String(result.externalId) } : {}),
    };
    tokens.set(token, {
      expires: Date.now() + TOKEN_LIFETIME_MS,
      user,
      authName,
      ...(typeof result.userUpdater === 'function' ? { userUpdater: result.userUpdater as Updater } : {}),
    });
    for (const [key, value] of tokens) if (value.expires < Date.now()) tokens.delete(key);
    if (behaviour.externalRedirectUri && result.externalRedirectUri) {
      // new URL() throws on an invalid URL: the error is logged and the request never gets an answer, as in 8.x.
      const url = new URL(String(result.externalRedirectUri));
      url.searchParams.set('externalAuthToken', token);
      url.searchParams.set('username', user.username);
      return res.redirect(url.href);
    }
    res.redirect(`/login?externalAuthToken=${token}&username=${user.username}`);
  }

  class GrantError extends Error {
    constructor(
      readonly status: number,
      readonly type: string,
      message: string,
    ) {
      super(message);
    }
  }

  /** getUser with a bypass (6.3.3 oauth-model.ts; 8.x oauth-user.ts findExternalUserOrThrow). */
  async function userFor(bypass: BypassToken): Promise<PeerTubeUser> {
    const { user: external, userUpdater } = bypass;
    let user: PeerTubeUser | null = null;
    if (external.externalId) {
      user = await users.byExternalId(npmName, external.externalId);
      if (user) return update(user, external, userUpdater, true);
    }
    user = await users.byEmail(external.email, behaviour.caseInsensitiveEmail);
    if (!user) {
      try {
        return await users.create({
          ...external,
          pluginAuth: npmName,
          pluginAuthExternalId: external.externalId ?? null,
        });
      } catch (error) {
        if (error instanceof ActorNameUnavailable) throw new GrantError(400, 'Error', error.message);
        throw error;
      }
    }
    if (user.pluginAuth === npmName) {
      if (
        external.externalId &&
        user.pluginAuthExternalId !== null &&
        user.pluginAuthExternalId !== external.externalId
      ) {
        throw new GrantError(
          400,
          'access_denied',
          `Refusing external auth bypass for plugin ${npmName}: ${external.email} is already linked to a different external id.`,
        );
      }
      user = await update(user, external, userUpdater, false);
    }
    if (user.pluginAuth !== npmName) {
      // A local user (no password given) or another plugin's: the regular login fails.
      throw new GrantError(400, 'invalid_grant', 'Invalid grant: user credentials are invalid');
    }
    if (user.blocked) throw new GrantError(400, 'access_denied', 'User is blocked.');
    return user;
  }

  async function update(user: PeerTubeUser, external: ExternalUser, updater: Updater | undefined, syncEmail: boolean) {
    const fields: Record<string, unknown> = {};
    if (updater) {
      const names = ['role', 'adminFlags', 'videoQuota', 'videoQuotaDaily', 'displayName'] as const;
      for (const fieldName of names) {
        fields[fieldName] = updater({
          fieldName,
          currentValue: user[fieldName],
          newValue: external[fieldName],
        });
      }
      // Sequelize refuses a null or undefined value (the account's name is saved first).
      const empty = (name: string) => fields[name] === undefined || fields[name] === null;
      if (empty('displayName'))
        throw new GrantError(400, 'SequelizeValidationError', 'notNull Violation: AccountModel.name cannot be null');
      const bad = names.find(empty);
      if (bad)
        throw new GrantError(400, 'SequelizeValidationError', `notNull Violation: UserModel.${bad} cannot be null`);
    }
    if (external.externalId && user.pluginAuthExternalId !== external.externalId)
      fields.pluginAuthExternalId = external.externalId;
    if (syncEmail && external.email !== user.email) fields.email = external.email;
    return Object.keys(fields).length > 0 ? users.update(user.id, fields) : user;
  }

  return {
    auths,
    register(auth) {
      if (!auth.authName || typeof auth.authDisplayName !== 'function' || typeof auth.onAuthRequest !== 'function') {
        logger.error(
          `Cannot register auth plugin ${npmName}: authName, authDisplayName or onAuthRequest are not valid.`,
        );
        return undefined;
      }
      const registered = auth as ExternalAuthOptions;
      auths.set(registered.authName, registered);
      return {
        userAuthenticated(result: AuthenticatedResult): void {
          onAuthenticated(registered.authName, result ?? {}).catch((error) =>
            logger.error(
              `Cannot execute onExternalUserAuthenticated. ${error instanceof Error ? error.message : error}`,
            ),
          );
        },
      };
    },
    unregister(authName) {
      auths.delete(authName);
    },
    authRequest(req, res) {
      const auth = auths.get(String(req.params.authName));
      if (!auth) return fail(res, { status: 404, message: 'No external auths were found for this plugin' });
      try {
        auth.onAuthRequest(req, res);
      } catch (error) {
        // server/core/controllers/plugins.ts, handleAuthInPlugin: a synchronous throw is logged, the request hangs.
        logger.error(`Forward request error in auth ${auth.authName} of plugin ${npmName}. ${error}`);
      }
    },
    async exchange(req, res) {
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      const failed = (error: GrantError) =>
        fail(res, { status: error.status, message: error.message, type: error.type, docs: 'getOAuthToken' });
      try {
        let bypass: BypassToken | undefined;
        if (body.grant_type === 'password' && body.externalAuthToken) {
          bypass = tokens.get(body.externalAuthToken);
          if (!bypass) throw new GrantError(400, 'Error', 'Cannot authenticate user with unknown bypass token');
          if (behaviour.singleUseAuthToken) tokens.delete(body.externalAuthToken);
          if (Date.now() > bypass.expires)
            throw new GrantError(400, 'Error', 'Cannot authenticate user with an expired external auth token');
          if (bypass.user.username !== body.username) {
            throw new GrantError(
              400,
              'Error',
              `Cannot authenticate user ${bypass.user.username} with invalid username ${body.username}`,
            );
          }
        }
        if (!req.is('application/x-www-form-urlencoded'))
          throw new GrantError(
            400,
            'invalid_request',
            'Invalid request: content must be application/x-www-form-urlencoded',
          );
        if (!body.client_id || !body.client_secret)
          throw new GrantError(400, 'invalid_client', 'Invalid client: cannot retrieve client credentials');
        if (body.client_id !== localClient.client_id || body.client_secret !== localClient.client_secret)
          throw new GrantError(400, 'invalid_client', 'Invalid client: client is invalid');
        if (body.grant_type !== 'password' || !body.username || !bypass)
          throw new GrantError(400, 'invalid_grant', 'Invalid grant: user credentials are invalid');
        const user = await userFor(bypass);
        const accessToken = randomBytes(20).toString('hex');
        const refreshToken = randomBytes(20).toString('hex');
        await pool.query(
          `INSERT INTO "oAuthToken" ("accessToken", "refreshToken", "accessTokenExpiresAt", "refreshTokenExpiresAt", "authName", "userId")
           VALUES ($1, $2, now() + interval '1 day', now() + interval '14 days', $3, $4)`,
          [accessToken, refreshToken, bypass.authName, user.id],
        );
        await pool.query('UPDATE "user" SET "lastLoginDate" = now() WHERE id = $1', [user.id]);
        res.set('Cache-Control', 'no-store');
        hooks.fire('action:api.user.oauth2-got-token', { username: user.username, ip: req.ip, req, res });
        res.json({
          token_type: 'Bearer',
          access_token: accessToken,
          refresh_token: refreshToken,
          expires_in: 86399,
          refresh_token_expires_in: 1209599,
        });
      } catch (error) {
        if (error instanceof GrantError) return failed(error);
        throw error;
      }
    },
    async revoke(req, res) {
      const header = req.headers.authorization ?? '';
      const token = /^Bearer (.+)$/i.exec(header)?.[1];
      if (!token)
        return fail(res, {
          status: 400,
          message: 'Token is invalid',
          type: 'invalid_request',
          docs: 'revokeOAuthToken',
        });
      const found = await pool.query<{ authName: string | null; userId: number }>(
        'SELECT "authName", "userId" FROM "oAuthToken" WHERE "accessToken" = $1 AND "accessTokenExpiresAt" > now()',
        [token],
      );
      const row = found.rows[0];
      const user = row ? await users.byId(row.userId) : null;
      if (!row || !user)
        return fail(res, { status: 401, message: 'Token is invalid', type: 'invalid_token', docs: 'revokeOAuthToken' });
      let redirectUrl: string | undefined;
      const auth = row.authName && user.pluginAuth === npmName ? auths.get(row.authName) : undefined;
      if (auth?.onLogout) {
        try {
          const url = await auth.onLogout(user, req);
          if (typeof url === 'string') redirectUrl = url;
        } catch (error) {
          logger.warn(`Cannot run onLogout function from auth ${auth.authName} of plugin ${npmName}. ${error}`);
        }
      }
      await pool.query('DELETE FROM "oAuthToken" WHERE "accessToken" = $1', [token]);
      tokenCache.delete(token);
      res.json({ success: true, ...(redirectUrl ? { redirectUrl } : {}) });
    },
    async authenticate(accessToken) {
      let cached = tokenCache.get(accessToken);
      if (!cached) {
        const found = await pool.query<{
          authName: string | null;
          userId: number;
          createdAt: Date;
          accessTokenExpiresAt: Date;
        }>(
          'SELECT "authName", "userId", "createdAt", "accessTokenExpiresAt" FROM "oAuthToken" WHERE "accessToken" = $1',
          [accessToken],
        );
        const row = found.rows[0];
        const user = row ? await users.byId(row.userId) : null;
        if (!row || !user) return null;
        cached = { accessToken, ...row, User: user };
        tokenCache.set(accessToken, cached);
      }
      if (cached.accessTokenExpiresAt.getTime() <= Date.now()) return null;
      const user = cached.User;
      const auth = user.pluginAuth === npmName && cached.authName ? auths.get(cached.authName) : undefined;
      if (auth?.hookTokenValidity) {
        try {
          const { valid } = await auth.hookTokenValidity({ token: cached, type: 'access' });
          if (valid !== true) {
            logger.info(`Rejecting access token validity from auth ${auth.authName} of plugin ${npmName}`);
            return null;
          }
        } catch (error) {
          logger.warn(`Cannot run check token validity from auth ${auth.authName} of plugin ${npmName}. ${error}`);
        }
      }
      return user;
    },
    restart() {
      tokens.clear();
      tokenCache.clear();
    },
  };
}
