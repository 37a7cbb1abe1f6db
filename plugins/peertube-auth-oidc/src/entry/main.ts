import { randomBytes } from 'node:crypto';
import {
  type AccountLink,
  applyLink,
  mapIdentity,
  translate,
  usernameCandidates,
  userUpdater,
} from '@apps-education/identity-mapping';
import { createIdentityProvider, type IdentityProvider } from '@apps-education/oidc-login';
import type { RegisterServerAuthExternalOptions, RegisterServerOptions } from '@peertube/peertube-types';
import { refusalPage } from '../adapters/pages.js';
import { t } from '../core/i18n.js';
import { type OidcSettings, parseSettings, SETTINGS } from '../core/settings.js';

/**
 * peertube-plugin-apps-auth-oidc: sign-in to PeerTube through an OpenID provider (Keycloak). The login state is
 * kept in PeerTube's database (storageManager), single use and 10 minutes, so a restart or a second PeerTube
 * process does not break a login in progress. Accounts are linked by the IdP subject.
 */
type Request = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[0];
type Response = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[1];

const AUTH_NAME = 'apps-oidc';
/** Binds a login in progress to the browser that started it (against login CSRF). */
const STATE_COOKIE = 'apps-oidc-state';
const LOGIN_TTL_MS = 10 * 60_000;
const SHORT_NAME = 'apps-auth-oidc';

interface LoginState {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** An app's return URL, kept only when it is exactly one of the allowed ones. */
  externalRedirectUri: string | null;
  expiresAt: number;
}

const TITLE_REFUSED = t('title.refused');
const TITLE_FAILED = t('title.failed');
const EXPIRED = t('login.expired');
const IDP_FAILED = t('idp.failed');

let stopped = false;

export async function register(options: RegisterServerOptions): Promise<void> {
  stopped = false;
  const {
    registerSetting,
    settingsManager,
    storageManager,
    registerExternalAuth,
    unregisterExternalAuth,
    peertubeHelpers,
  } = options;
  const logger = peertubeHelpers.logger;
  for (const setting of SETTINGS)
    registerSetting({ ...setting, options: setting.options ? [...setting.options] : undefined } as Parameters<
      typeof registerSetting
    >[0]);
  const webserver = peertubeHelpers.config.getWebserverUrl();
  const redirectUri = `${webserver}/plugins/${SHORT_NAME}/router/callback`;
  const loginUrl = `${webserver}/login`;

  let current: { settings: OidcSettings; idp: IdentityProvider; userAuthenticated: (result: never) => void } | null =
    null;

  async function apply(raw: Record<string, unknown>) {
    const parsed = parseSettings(raw);
    if (current) unregisterExternalAuth(AUTH_NAME);
    current = null;
    if (!parsed.ok) {
      for (const error of parsed.errors) logger.error(`[${SHORT_NAME}] settings refused: ${error.en} / ${error.fr}`);
      return;
    }
    const { settings } = parsed;
    const idp = createIdentityProvider({
      issuer: settings.issuer,
      clientId: settings.clientId,
      ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
      scopes: settings.scopes,
      redirectUri,
      timeoutMs: 5_000,
      allowHttp: settings.issuer.startsWith('http:'),
    });
    const result = registerExternalAuth({
      authName: AUTH_NAME,
      authDisplayName: () => settings.buttonLabel,
      onAuthRequest: (req, res) => void startLogin(req, res),
      onLogout: async (user) => {
        const session = await storageManager.getData<{ idToken: string }>(`session:${user.username}`);
        await storageManager.deleteData(`session:${user.username}`);
        const url = await idp.endSessionUrl(session?.idToken ?? null, webserver);
        return url?.href ?? webserver;
      },
    });
    current = { settings, idp, userAuthenticated: result.userAuthenticated as (result: never) => void };
  }

  async function startLogin(req: Request, res: Response) {
    if (!current)
      return res.status(503).send(refusalPage(req.headers['accept-language'], TITLE_FAILED, IDP_FAILED, loginUrl));
    const login: LoginState = {
      state: randomBytes(32).toString('base64url'),
      nonce: randomBytes(32).toString('base64url'),
      codeVerifier: randomBytes(48).toString('base64url'),
      externalRedirectUri:
        typeof req.query.externalRedirectUri === 'string' &&
        current.settings.externalRedirectUris.includes(req.query.externalRedirectUri)
          ? req.query.externalRedirectUri
          : null,
      expiresAt: Date.now() + LOGIN_TTL_MS,
    };
    try {
      const url = await current.idp.authorizationUrl({ ...login, renew: false, gateway: false });
      await storageManager.storeData(`login:${login.state}`, login);
      res.cookie(STATE_COOKIE, login.state, {
        httpOnly: true,
        secure: webserver.startsWith('https:'),
        sameSite: 'lax',
        maxAge: LOGIN_TTL_MS,
        path: `/plugins/${SHORT_NAME}`,
      });
      res.redirect(url.href);
    } catch (error) {
      logger.error(`[${SHORT_NAME}] IdP unreachable: ${error instanceof Error ? error.message : error}`);
      res.status(503).send(refusalPage(req.headers['accept-language'], TITLE_FAILED, IDP_FAILED, loginUrl));
    }
  }

  /** A username not already linked to another person: name, name-2 ... (see identity-mapping's README). */
  async function freeUsername(base: string, subject: string): Promise<string | null> {
    for (const candidate of usernameCandidates(base)) {
      const owner = await storageManager.getData<string>(`username:${candidate}`);
      if (owner === undefined || owner === null || owner === subject) return candidate;
    }
    return null;
  }

  const router = options.getRouter();
  router.get('/callback', async (req, res) => {
    const lang = req.headers['accept-language'];
    const state = typeof req.query.state === 'string' ? req.query.state : '';
    // The state must come back to the browser that started the login: a callback URL sent to someone else
    // (login CSRF) finds no matching cookie there.
    const cookieState = /(?:^|;\s*)apps-oidc-state=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    res.clearCookie(STATE_COOKIE, { path: `/plugins/${SHORT_NAME}` });
    const login =
      state && state === cookieState ? await storageManager.getData<LoginState>(`login:${state}`) : undefined;
    if (login) await storageManager.deleteData(`login:${state}`);
    if (!current || !login || login.expiresAt < Date.now())
      return res.status(400).send(refusalPage(lang, TITLE_FAILED, EXPIRED, loginUrl));
    const { settings, idp } = current;
    let authenticated: Awaited<ReturnType<IdentityProvider['finish']>>;
    try {
      const callback = new URL(redirectUri);
      callback.search = new URL(req.originalUrl, webserver).search;
      authenticated = await idp.finish(callback, { ...login, renew: false });
    } catch (error) {
      logger.warn(`[${SHORT_NAME}] callback refused: ${error instanceof Error ? error.message : error}`);
      return res.status(400).send(refusalPage(lang, TITLE_FAILED, IDP_FAILED, loginUrl));
    }
    const mapped = mapIdentity(authenticated.subject, authenticated.claims, settings.mapping);
    if (!mapped.ok) {
      logger.info(`[${SHORT_NAME}] sign-in refused: ${mapped.reason}`);
      return res.status(403).send(refusalPage(lang, TITLE_REFUSED, mapped.message, loginUrl));
    }
    const link = (await storageManager.getData<AccountLink>(`link:${authenticated.subject}`)) ?? null;
    let identity = applyLink(mapped.identity, link);
    if (!link) {
      const username = await freeUsername(identity.username, identity.subject);
      if (!username) {
        return res
          .status(403)
          .send(
            refusalPage(lang, TITLE_REFUSED, translate('deny.noFreeUsername', { value: identity.username }), loginUrl),
          );
      }
      identity = { ...identity, username };
      await storageManager.storeData(`link:${identity.subject}`, {
        subject: identity.subject,
        username,
        email: identity.email,
      });
      await storageManager.storeData(`username:${username}`, identity.subject);
    }
    if (authenticated.idToken)
      await storageManager.storeData(`session:${identity.username}`, { idToken: authenticated.idToken });
    const { subject: _subject, ...fields } = identity;
    (current.userAuthenticated as (r: unknown) => void)({
      req,
      res,
      ...fields,
      userUpdater: userUpdater(settings.mapping.sync),
      // Checked again against today's allow-list: it may have changed during the login.
      ...(login.externalRedirectUri && settings.externalRedirectUris.includes(login.externalRedirectUri)
        ? { externalRedirectUri: login.externalRedirectUri }
        : {}),
    });
  });

  // GDPR: what the plugin kept about a person goes with their PeerTube account.
  options.registerHook({
    target: 'action:api.user.deleted',
    handler: async (...args: unknown[]) => {
      const username = (args[0] as { user?: { username?: unknown } } | undefined)?.user?.username;
      if (typeof username !== 'string') return;
      const subject = await storageManager.getData<string>(`username:${username}`);
      await storageManager.deleteData(`username:${username}`);
      await storageManager.deleteData(`session:${username}`);
      if (typeof subject === 'string') await storageManager.deleteData(`link:${subject}`);
    },
  });

  await apply(await settingsManager.getSettings(SETTINGS.map((s) => s.name)));
  settingsManager.onSettingsChange(async (settings) => {
    if (!stopped) await apply(settings);
  });
}

export async function unregister(): Promise<void> {
  stopped = true;
}
