import {
  createAccountStore,
  createGuard,
  type Database,
  decideSignIn,
  errorMessage,
  refusalPage,
  registerAccountHooks,
  registerSettings,
} from '@apps-education/peertube-accounts';
import {
  createMetadataSource,
  type IdpMetadata,
  type MetadataSource,
  parseIdpMetadata,
} from '@apps-education/saml-login';
import type { RegisterServerAuthExternalOptions, RegisterServerOptions } from '@peertube/peertube-types';
import {
  createServiceProvider,
  REQUEST_TTL_MS,
  SamlRefusal,
  type ServiceProvider,
  type SpEndpoints,
  type SpKeyPair,
  spMetadataXml,
} from '../adapters/saml.js';
import { createSessionStore } from '../adapters/sessions.js';
import { loadOrCreateSpKey } from '../adapters/sp-keys.js';
import { type Localized, t } from '../core/i18n.js';
import { parseSettings, type SamlSettings, SETTINGS, type SpSettings } from '../core/settings.js';

/**
 * peertube-plugin-apps-auth-saml2: sign-in to PeerTube through a SAML 2.0 identity provider (Shibboleth,
 * SimpleSAMLphp, ADFS, LemonLDAP::NG), with the claim-to-user logic of the OIDC plugin (identity-mapping) and its
 * per-user state design (packages/peertube-accounts: tables of the plugin's own, nothing per person in storageManager).
 * - Nothing is stored for an anonymous visitor: the AuthnRequest's id carries its expiry and a MAC; the browser keeps
 *   it in a cookie, the IdP echoes it in InResponseTo and RelayState; it is claimed once at the ACS.
 * - No route, hook or callback may reject unhandled (on PeerTube 6.3.x that ends the process): every entry point goes
 *   through `guard`; only helpers present in PeerTube 6.3 are used.
 */
type Request = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[0];
type Response = Parameters<RegisterServerAuthExternalOptions['onAuthRequest']>[1];

export const AUTH_NAME = 'apps-saml2';
const SHORT_NAME = 'apps-auth-saml2';
const NPM_NAME = `peertube-plugin-${SHORT_NAME}`;
/** The id of the sign-in this browser started; its path covers the auth entry and the ACS. */
const REQUEST_COOKIE = 'apps-saml2-request';
const LOG = `[${SHORT_NAME}]`;
/** A failed first fetch of the metadata is tried again at a sign-in, at most this often. */
const METADATA_RETRY_MS = 60_000;
const DAY_MS = 24 * 3_600_000;

interface Current {
  readonly settings: SamlSettings;
  readonly key: SpKeyPair;
  readonly source: MetadataSource;
  readonly userAuthenticated: (result: Record<string, unknown>) => void;
  provider: { metadata: IdpMetadata; sp: ServiceProvider } | null;
  lastFetch: number;
}

let stopped = false;
let stopCurrent: (() => void) | null = null;

export async function register(options: RegisterServerOptions): Promise<void> {
  stopped = false;
  const { registerSetting, settingsManager, registerExternalAuth, unregisterExternalAuth, peertubeHelpers } = options;
  const logger = peertubeHelpers.logger;
  registerSettings(registerSetting as (setting: never) => void, SETTINGS);
  const webserver = peertubeHelpers.config.getWebserverUrl();
  const routerUrl = `${webserver}/plugins/${SHORT_NAME}/router`;
  const loginUrl = `${webserver}/login`;
  const https = webserver.startsWith('https:');
  // The IdP posts the response from its own site: a Lax cookie would not come with it, so None (which needs Secure).
  const cookieOptions = {
    httpOnly: true,
    secure: https,
    sameSite: https ? ('none' as const) : ('lax' as const),
    path: `/plugins/${SHORT_NAME}`,
  };
  const database = peertubeHelpers.database as unknown as Database;
  const accounts = createAccountStore(database, {
    npmName: NPM_NAME,
    shortName: SHORT_NAME,
    log: (text) => logger.info(`${LOG} ${text}`),
  });
  const sessions = createSessionStore(database, { shortName: SHORT_NAME });
  const ready = async () => {
    await accounts.ready();
    await sessions.ready();
  };
  const endpoints = (settings: SpSettings): SpEndpoints => ({
    entityId: settings.spEntityId ?? `${routerUrl}/metadata.xml`,
    acsUrl: `${routerUrl}/assertion-consumer`,
    sloUrl: `${routerUrl}/logout`,
  });

  let current: Current | null = null;
  /** The SP's metadata is served as soon as its own settings are good, before the IdP's are. */
  let spSide: { settings: SpSettings; key: SpKeyPair } | null = null;
  /** Settings are applied one at a time, in order: a slow key generation never lets an older change win. */
  let applying: Promise<void> = Promise.resolve();

  const page = (req: Request, res: Response, status: number, title: Localized, text: Localized) => {
    if (!res.headersSent)
      res
        .status(status)
        .send(refusalPage(req.headers['accept-language'], { title, message: text, back: t('page.back') }, loginUrl));
  };
  /** Runs an entry point; whatever fails is logged and answered with a page, never left to reject. */
  const guard = createGuard<Request, Response>(logger, LOG, (req, res) =>
    page(req, res, 503, t('title.failed'), t('unavailable')),
  );

  /** The service provider for the IdP's metadata of now (a new one after a refresh that changed it). */
  async function provider(running: Current): Promise<ServiceProvider | null> {
    let metadata = running.source.current();
    if (!metadata && running.settings.metadataUrl && Date.now() - running.lastFetch > METADATA_RETRY_MS) {
      running.lastFetch = Date.now();
      await running.source.refresh();
      metadata = running.source.current();
    }
    if (!metadata) return null;
    if (running.provider?.metadata !== metadata) {
      running.provider = {
        metadata,
        sp: createServiceProvider({
          metadata,
          settings: running.settings,
          sp: endpoints(running.settings),
          key: running.key,
          keys: () => accounts.keys(),
          singleUse: { claim: (key, expiresAt) => accounts.claimLogin(key, expiresAt) },
        }),
      };
    }
    return running.provider.sp;
  }

  async function apply(raw: Record<string, unknown>) {
    const parsed = parseSettings(raw);
    if (current) unregisterExternalAuth(AUTH_NAME);
    stopCurrent?.();
    stopCurrent = null;
    current = null;
    spSide = null;
    const sp = parsed.ok ? parsed.settings : parsed.sp;
    const spKey = sp
      ? (sp.spKey ??
        (await loadOrCreateSpKey(peertubeHelpers.plugin.getDataDirectoryPath(), new URL(webserver).hostname)))
      : null;
    if (sp && spKey) spSide = { settings: sp, key: spKey };
    if (!parsed.ok || !spKey) {
      for (const error of parsed.ok ? [] : parsed.errors)
        logger.error(`${LOG} settings refused: ${error.en} / ${error.fr}`);
      return;
    }
    const { settings } = parsed;
    if (settings.metadataXml !== null) {
      // Pasted metadata is configuration: wrong, the button goes and the log says why.
      const pasted = parseIdpMetadata(settings.metadataXml);
      if (!pasted.ok) {
        logger.error(`${LOG} settings refused: ${pasted.error.en} / ${pasted.error.fr}`);
        return;
      }
    }
    const source = createMetadataSource({
      ...(settings.metadataUrl ? { url: settings.metadataUrl } : { xml: settings.metadataXml ?? '' }),
      refreshMs: settings.metadataRefreshMs,
      log: (level, text) => logger[level](`${LOG} ${text.en} / ${text.fr}`),
    });
    await source.refresh();
    if (stopped) return source.stop();
    const result = registerExternalAuth({
      authName: AUTH_NAME,
      authDisplayName: () => settings.buttonLabel,
      onAuthRequest: guard('sign-in start', startLogin),
      onLogout: async (user: { id?: unknown }) => {
        try {
          return await logoutAtIdp(user);
        } catch (error) {
          logger.warn(`${LOG} no IdP logout address: ${errorMessage(error)}`);
          return webserver;
        }
      },
      // PeerTube asks at every authenticated request (server/core/lib/auth/oauth-model.ts): anything but true refuses.
      hookTokenValidity: async ({
        token,
      }: {
        token: { User?: { id?: unknown }; userId?: unknown; createdAt?: unknown };
      }) => {
        const userId = Number(token.User?.id ?? token.userId);
        const issued =
          token.createdAt instanceof Date ? token.createdAt.getTime() : Date.parse(String(token.createdAt));
        return {
          valid: !(Number.isInteger(userId) && Number.isFinite(issued) && sessions.revokedAfter(userId, issued)),
        };
      },
    } as unknown as RegisterServerAuthExternalOptions);
    if (!result) {
      source.stop();
      logger.error(`${LOG} PeerTube refused the external authentication`);
      return;
    }
    current = {
      settings,
      key: spKey,
      source,
      userAuthenticated: result.userAuthenticated as unknown as Current['userAuthenticated'],
      provider: null,
      lastFetch: Date.now(),
    };
    stopCurrent = () => source.stop();
  }

  const applyInTurn = (raw: Record<string, unknown>) => {
    applying = applying
      .then(() => apply(raw))
      .catch((error: unknown) => {
        logger.error(`${LOG} settings could not be applied: ${errorMessage(error)}`);
      });
    return applying;
  };

  async function startLogin(req: Request, res: Response) {
    const running = current;
    const sp = running ? await provider(running) : null;
    if (!sp) return page(req, res, 503, t('title.failed'), t('idp.failed'));
    await ready();
    const { url, requestId } = await sp.loginUrl();
    res.cookie(REQUEST_COOKIE, requestId, { ...cookieOptions, maxAge: REQUEST_TTL_MS });
    res.redirect(url);
  }

  async function assertionConsumer(req: Request, res: Response) {
    res.clearCookie(REQUEST_COOKIE, cookieOptions);
    const running = current;
    const sp = running ? await provider(running) : null;
    if (!running || !sp) return page(req, res, 503, t('title.failed'), t('idp.failed'));
    await ready();
    const cookie = new RegExp(`(?:^|;\\s*)${REQUEST_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1] ?? null;
    const form = (req.body ?? {}) as { SAMLResponse?: unknown; RelayState?: unknown };
    let person: Awaited<ReturnType<ServiceProvider['finishLogin']>>;
    try {
      person = await sp.finishLogin(form, cookie);
    } catch (error) {
      if (!(error instanceof SamlRefusal)) throw error;
      logger.warn(`${LOG} response refused (${error.message})`);
      const expired = ['request_unknown', 'other_browser', 'replayed', 'relay_state'].includes(error.code);
      const text =
        error.code === 'idp_error'
          ? t('idp.failed')
          : error.code === 'unsolicited'
            ? t('login.unsolicited')
            : expired
              ? t('login.expired')
              : t('login.invalid');
      return page(req, res, 400, t('title.failed'), text);
    }
    const { settings } = running;
    // Linked by the persistent NameID; a transient one changes at every sign-in, so the username attribute links.
    const transient = settings.nameIdFormat === 'transient';
    const usernameValue = person.attributes[settings.mapping.usernameClaim]?.[0];
    const subject = transient ? (usernameValue ? `attr:${usernameValue}` : '') : person.nameId;
    if (subject === '' || subject.length > 255) {
      logger.info(`${LOG} sign-in refused: no usable subject (NameID or username attribute)`);
      return page(req, res, 403, t('title.refused'), t('login.invalid'));
    }
    const outcome = await decideSignIn(accounts, {
      subject,
      claims: person.attributes,
      mapping: settings.mapping,
      // SAML has no email_verified: the IdP the administrator trusts vouches for what it sends.
      emailVerified: null,
      requireVerifiedEmail: false,
      npmName: NPM_NAME,
    });
    if (!outcome.ok) {
      logger[outcome.level](`${LOG} sign-in refused: ${outcome.log}`);
      return page(req, res, 403, t('title.refused'), outcome.message);
    }
    await sessions.remember(subject, person, person.sessionNotOnOrAfter ?? Date.now() + DAY_MS);
    running.userAuthenticated({ req, res, ...outcome.result });
  }

  /** SP-initiated single logout: the IdP's SLO address with the NameID, format and SessionIndex of the sign-in. */
  async function logoutAtIdp(user: { id?: unknown }): Promise<string> {
    const running = current;
    const userId = Number(user.id);
    if (!running || !Number.isInteger(userId)) return webserver;
    await ready();
    const session = await sessions.takeForUser(userId);
    const sp = session ? await provider(running) : null;
    if (!session || !sp) return webserver;
    return (await sp.logoutUrl(session, webserver)) ?? webserver;
  }

  /**
   * The IdP's LogoutRequest (IdP-initiated logout: the person's PeerTube tokens go), or its LogoutResponse after a
   * logout from PeerTube: the session was already ended here, so the browser just comes home (an IdP that does not
   * sign its responses still works; nothing is changed on the strength of one).
   */
  async function logoutEndpoint(req: Request, res: Response) {
    if (req.query.SAMLRequest === undefined && req.query.SAMLResponse !== undefined) return res.redirect(webserver);
    const running = current;
    const sp = running ? await provider(running) : null;
    if (!sp) return page(req, res, 503, t('title.failed'), t('idp.failed'));
    await ready();
    const rawQuery = req.originalUrl.split('?')[1] ?? '';
    let read: Awaited<ReturnType<ServiceProvider['readLogoutRequest']>>;
    try {
      read = await sp.readLogoutRequest(req.query as Record<string, unknown>, rawQuery);
    } catch (error) {
      if (!(error instanceof SamlRefusal)) throw error;
      logger.warn(`${LOG} logout request refused (${error.message})`);
      return page(req, res, 400, t('title.logout'), t('logout.invalid'));
    }
    const userIds = await sessions.endByNameId(read.subject);
    logger.info(`${LOG} IdP logout: tokens of ${userIds.length} account(s) revoked`);
    res.redirect(await read.answer(true));
  }

  const router = options.getRouter();
  router.get(
    '/metadata.xml',
    guard('SP metadata', async (req, res) => {
      const side = spSide;
      if (!side) return page(req, res, 503, t('title.failed'), t('unavailable'));
      res.type('application/samlmetadata+xml').send(spMetadataXml(side.settings, endpoints(side.settings), side.key));
    }),
  );
  router.post('/assertion-consumer', guard('sign-in callback', assertionConsumer));
  router.get('/logout', guard('single logout', logoutEndpoint));

  registerAccountHooks(options.registerHook as never, accounts, logger, LOG);

  try {
    await ready();
  } catch (error) {
    logger.error(`${LOG} cannot prepare the plugin's tables yet: ${errorMessage(error)}`);
  }
  await applyInTurn(await settingsManager.getSettings(SETTINGS.map((s) => s.name)));
  settingsManager.onSettingsChange(async (settings) => {
    if (!stopped) await applyInTurn(settings);
  });
}

export async function unregister(): Promise<void> {
  stopped = true;
  stopCurrent?.();
  stopCurrent = null;
}
