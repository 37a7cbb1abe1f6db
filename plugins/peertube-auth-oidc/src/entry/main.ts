import {
  createIdentityProvider,
  createLoginFlow,
  type IdentityProvider,
  LoginError,
  type LoginFlow,
} from '@apps-education/oidc-login';
import {
  createAccountStore,
  createGuard,
  type Database,
  decideSignIn,
  errorMessage,
  registerAccountHooks,
  registerSettings,
} from '@apps-education/peertube-accounts';
import type { RegisterServerAuthExternalOptions, RegisterServerOptions } from '@peertube/peertube-types';
import { refusalPage } from '../adapters/pages.js';
import { type Localized, t } from '../core/i18n.js';
import { type OidcSettings, parseSettings, SETTINGS } from '../core/settings.js';

/**
 * peertube-plugin-apps-auth-oidc: sign-in to PeerTube through an OpenID provider (Keycloak).
 * - The login in progress is sealed in a cookie (packages/oidc-login): nothing is stored for an anonymous visitor; a
 *   restart or a second PeerTube process does not break it; a completed login's id is kept until it expires, so a
 *   callback works once.
 * - Accounts are linked by the IdP subject to PeerTube's user id, in a table of the plugin's own in PeerTube's
 *   database (packages/peertube-accounts), never in storageManager; the rules are in identity-mapping's
 *   account-linking.ts.
 * - No route, hook or callback may reject unhandled: on PeerTube 6.3.x that ends the whole process. Every entry point
 *   below goes through `guard`, which logs the error and answers a page.
 * - Only helpers present in PeerTube 6.3 are used (storageManager.deleteData is not: it does not exist there).
 */
type Request = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[0];
type Response = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[1];

const AUTH_NAME = 'apps-oidc';
const SHORT_NAME = 'apps-auth-oidc';
const NPM_NAME = `peertube-plugin-${SHORT_NAME}`;
/** The sealed login state; its path covers the auth entry (/plugins/<name>/<version>/auth/) and the callback. */
const LOGIN_COOKIE = 'apps-oidc-login';
const LOGIN_TTL_MS = 10 * 60_000;
const LOG = `[${SHORT_NAME}]`;

interface LoginExtra {
  /** An app's return URL, kept only when it is exactly one of the allowed ones. */
  readonly externalRedirectUri: string | null;
}

interface Current {
  readonly settings: OidcSettings;
  readonly idp: IdentityProvider;
  readonly flow: LoginFlow<LoginExtra>;
  readonly userAuthenticated: (result: Record<string, unknown>) => void;
}

let stopped = false;

export async function register(options: RegisterServerOptions): Promise<void> {
  stopped = false;
  const { registerSetting, settingsManager, registerExternalAuth, unregisterExternalAuth, peertubeHelpers } = options;
  const logger = peertubeHelpers.logger;
  registerSettings(registerSetting as (setting: never) => void, SETTINGS);
  const webserver = peertubeHelpers.config.getWebserverUrl();
  const redirectUri = `${webserver}/plugins/${SHORT_NAME}/router/callback`;
  const loginUrl = `${webserver}/login`;
  const cookieOptions = {
    httpOnly: true,
    secure: webserver.startsWith('https:'),
    sameSite: 'lax' as const,
    path: `/plugins/${SHORT_NAME}`,
  };
  const accounts = createAccountStore(peertubeHelpers.database as unknown as Database, {
    npmName: NPM_NAME,
    shortName: SHORT_NAME,
    log: (text) => logger.info(`${LOG} ${text}`),
    // 0.1.0 kept its links in storageManager.
    migrateStorageLinks: true,
  });

  let current: Current | null = null;

  const page = (req: Request, res: Response, status: number, title: Localized, text: Localized) => {
    if (!res.headersSent) res.status(status).send(refusalPage(req.headers['accept-language'], title, text, loginUrl));
  };
  /** Runs an entry point; whatever fails is logged and answered with a page, never left to reject. */
  const guard = createGuard<Request, Response>(logger, LOG, (req, res) =>
    page(req, res, 503, t('title.failed'), t('unavailable')),
  );

  function apply(raw: Record<string, unknown>) {
    const parsed = parseSettings(raw);
    if (current) unregisterExternalAuth(AUTH_NAME);
    current = null;
    if (!parsed.ok) {
      for (const error of parsed.errors) logger.error(`${LOG} settings refused: ${error.en} / ${error.fr}`);
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
    const flow = createLoginFlow<LoginExtra>({
      idp,
      keys: () => accounts.keys(),
      ttlMs: LOGIN_TTL_MS,
      claimOnce: (id, expiresAt) => accounts.claimLogin(id, expiresAt),
    });
    const result = registerExternalAuth({
      authName: AUTH_NAME,
      authDisplayName: () => settings.buttonLabel,
      onAuthRequest: guard('sign-in start', startLogin),
      // PeerTube catches onLogout's errors; no ID token is kept, so the IdP gets client_id and the return address.
      onLogout: async () => {
        try {
          return (await idp.endSessionUrl(null, webserver))?.href ?? webserver;
        } catch (error) {
          logger.warn(`${LOG} no IdP logout address: ${errorMessage(error)}`);
          return webserver;
        }
      },
    });
    if (!result) {
      logger.error(`${LOG} PeerTube refused the external authentication`);
      return;
    }
    current = {
      settings,
      idp,
      flow,
      userAuthenticated: result.userAuthenticated as unknown as Current['userAuthenticated'],
    };
  }

  async function startLogin(req: Request, res: Response) {
    const running = current;
    if (!running) return page(req, res, 503, t('title.failed'), t('idp.failed'));
    await accounts.ready();
    const asked = req.query.externalRedirectUri;
    const externalRedirectUri =
      typeof asked === 'string' && running.settings.externalRedirectUris.includes(asked) ? asked : null;
    let login: { url: URL; cookie: string };
    try {
      login = await running.flow.begin({ extra: { externalRedirectUri } });
    } catch (error) {
      logger.error(`${LOG} IdP unreachable: ${errorMessage(error)}`);
      return page(req, res, 503, t('title.failed'), t('idp.failed'));
    }
    res.cookie(LOGIN_COOKIE, login.cookie, { ...cookieOptions, maxAge: LOGIN_TTL_MS });
    res.redirect(login.url.href);
  }

  async function callback(req: Request, res: Response) {
    res.clearCookie(LOGIN_COOKIE, cookieOptions);
    const running = current;
    if (!running) return page(req, res, 503, t('title.failed'), t('idp.failed'));
    await accounts.ready();
    const cookie = new RegExp(`(?:^|;\\s*)${LOGIN_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
    const url = new URL(redirectUri);
    url.search = new URL(req.originalUrl, webserver).search;
    let finished: Awaited<ReturnType<LoginFlow<LoginExtra>['finish']>>;
    try {
      finished = await running.flow.finish(url, cookie);
    } catch (error) {
      if (!(error instanceof LoginError)) throw error;
      logger.warn(`${LOG} callback refused (${error.code}): ${error.message}`);
      const idpSide = error.code === 'idp_error' || error.code === 'idp_refused';
      return page(req, res, 400, t('title.failed'), idpSide ? t('idp.failed') : t('login.expired'));
    }
    const { authenticated, extra } = finished;
    const { settings } = running;
    const outcome = await decideSignIn(accounts, {
      subject: authenticated.subject,
      claims: authenticated.claims,
      mapping: settings.mapping,
      emailVerified: authenticated.emailVerified,
      requireVerifiedEmail: settings.requireVerifiedEmail,
      npmName: NPM_NAME,
    });
    if (!outcome.ok) {
      logger[outcome.level](`${LOG} sign-in refused: ${outcome.log}`);
      return page(req, res, 403, t('title.refused'), outcome.message);
    }
    running.userAuthenticated({
      req,
      res,
      ...outcome.result,
      // Checked again against today's allow-list: it may have changed during the login.
      ...(extra.externalRedirectUri && settings.externalRedirectUris.includes(extra.externalRedirectUri)
        ? { externalRedirectUri: extra.externalRedirectUri }
        : {}),
    });
  }

  options.getRouter().get('/callback', guard('sign-in callback', callback));

  registerAccountHooks(options.registerHook as never, accounts, logger, LOG);

  try {
    await accounts.ready();
  } catch (error) {
    // Retried at the next sign-in; PeerTube goes on.
    logger.error(`${LOG} cannot prepare the plugin's tables yet: ${errorMessage(error)}`);
  }
  apply(await settingsManager.getSettings(SETTINGS.map((s) => s.name)));
  settingsManager.onSettingsChange(async (settings) => {
    try {
      if (!stopped) apply(settings);
    } catch (error) {
      logger.error(`${LOG} settings change failed: ${errorMessage(error)}`);
    }
  });
}

export async function unregister(): Promise<void> {
  stopped = true;
}
