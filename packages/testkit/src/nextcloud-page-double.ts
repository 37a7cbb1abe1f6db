import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { escapeHtml } from '@apps-education/i18n';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Nextcloud as the front end of nextcloud-laboite sees it, for browser tests and the sandbox: the pages that load the
 * app's built scripts (Administration settings > Additional settings, the Files app reduced to a list of files
 * with their registered file actions, the Dashboard reduced to its widgets), the globals and initial state those scripts read, and a strict OCS API.
 *
 * What it follows, as Nextcloud 32 answered on this machine (shared/reference/laboite-nextcloud.md):
 * - OCS envelope `{ocs: {meta: {status, statuscode, message}, data}}`; v1 answers statuscode 100 and HTTP 200 on
 *   success, v2 200 and the HTTP status follows the statuscode.
 * - A call without the session (cookie) or without `OCS-APIRequest: true` and a valid `requesttoken` is 401 with
 *   statuscode 997 "Current user is not logged in".
 * - The app's settings calls are for administrators only: 403 "Logged in account must be an admin".
 * - `POST apps/files_sharing/api/v1/shares`: a path the user does not have is 404 "Wrong path, file/folder does not
 *   exist"; an unknown group 404 "Please specify a valid group"; sharing the same file with a group again is
 *   accepted (200), as Nextcloud 32 did.
 * - `PUT apps/laboite/api/v1/settings` checks the fields with the rules of the app's `lib/Service/Settings.php`, and
 *   answers 400 with the first broken rule's message; `POST .../settings/test` answers what `testReport` says.
 */
export interface NextcloudPageDoubleOptions {
  /** The unpacked app (`unpackNextcloudApp`): its js/ and l10n/ are served as Nextcloud serves them. */
  readonly appDir: string;
  /** uid => display name; `admin` is an administrator. */
  readonly users: Readonly<Record<string, string>>;
  /** The synced portal groups, with their members' uids. */
  readonly portalGroups: readonly { id: string; name: string; slug: string; members: readonly string[] }[];
  /** The files each user sees in Files: name => permissions (OCP\Constants, 31 all, 17 read + share...). */
  readonly files?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly port?: number;
}

export interface AdminSettingsState {
  portalUrl: string;
  apiKeySet: boolean;
  syncSecretSet: boolean;
  notifyUserShares: boolean;
  notifyGroupShares: boolean;
  notifyTeamShares: boolean;
  excludedAccounts: string;
  maxGroupRecipients: number;
  portalLanguage: 'fr' | 'en';
  groupFolders: boolean;
  membersCanShare: boolean;
  removedFolders: 'archive' | 'delete';
}

export interface NextcloudPageDouble {
  readonly url: string;
  /** The settings as saved (the secrets only as set or not, as the page sees them). */
  settings: AdminSettingsState;
  /** What the connection test answers. */
  testReport: { ok: boolean; message: string };
  /** Every OCS call that reached the double, with its answer's statuscode. */
  readonly calls: { method: string; path: string; body: unknown; statuscode: number }[];
  /** The shares made through files_sharing. */
  readonly shares: { owner: string; path: string; shareType: number; shareWith: string }[];
  /** The address that signs this user in and opens the page (`settings` or `files`). */
  pageFor(uid: string, page: 'settings' | 'files' | 'dashboard', language?: 'fr' | 'en'): string;
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: AdminSettingsState = {
  portalUrl: '',
  apiKeySet: false,
  syncSecretSet: false,
  notifyUserShares: true,
  notifyGroupShares: true,
  notifyTeamShares: true,
  excludedAccounts: '',
  maxGroupRecipients: 200,
  portalLanguage: 'fr',
  groupFolders: true,
  membersCanShare: false,
  removedFolders: 'archive',
};

/**
 * Nextcloud's CSS variables the @nextcloud/vue components use, with the values of Nextcloud 32's default theme
 * (apps/theming/lib/Themes/DefaultTheme.php), a few of them.
 */
const THEME = `:root {
  --color-main-background: #ffffff; --color-main-background-rgb: 255,255,255; --color-main-text: #222222;
  --color-text-maxcontrast: #6b6b6b; --color-background-hover: #f5f5f5; --color-background-dark: #ededed;
  --color-border: #ededed; --color-border-dark: #dbdbdb; --color-border-maxcontrast: #7d7d7d;
  --color-primary-element: #00679e; --color-primary-element-hover: #005a8a; --color-primary-element-text: #ffffff;
  --color-primary-element-light: #e5eff5; --color-primary-element-light-text: #00293f;
  --color-primary-element-light-hover: #dbe4ea; --color-error: #ffe7e7; --color-error-text: #8a0000;
  --color-element-error: #c90000; --color-text-error: #bf0000; --color-border-error: var(--color-element-error);
  --color-border-success: var(--color-element-success); --color-success: #d8f3da; --color-success-text: #005416;
  --color-element-success: #099f05; --color-warning: #ffeec5; --color-warning-text: #664700;
  --color-info: #d5f1fa; --color-info-text: #0066ac; --color-loading-light: #cccccc; --color-loading-dark: #444444;
  --color-box-shadow-rgb: 77,77,77; --color-box-shadow: rgba(77,77,77,0.5);
  --font-face: system-ui, sans-serif; --default-font-size: 15px; --font-size-small: 13px;
  --default-clickable-area: 34px; --clickable-area-small: 24px; --clickable-area-large: 48px;
  --default-grid-baseline: 4px; --default-line-height: 1.5; --border-width-input: 1px;
  --border-width-input-focused: 2px; --border-radius: 3px; --border-radius-element: 8px; --border-radius-large: 10px;
  --border-radius-container: 12px; --border-radius-rounded: 28px; --border-radius-pill: 100px;
  --animation-quick: 100ms; --animation-slow: 300ms;
}
body { font-family: var(--font-face); font-size: var(--default-font-size); color: var(--color-main-text);
  background: var(--color-main-background); margin: 0; }
main { padding: 16px; }
table { border-collapse: collapse; } td, th { padding: 8px 12px; text-align: start; }`;

function envelope(version: 1 | 2, statuscode: number, message: string, data: unknown) {
  const ok = statuscode === 200;
  return {
    http: ok ? 200 : version === 1 && statuscode !== 997 ? 200 : statuscode,
    body: {
      ocs: {
        meta: {
          status: ok ? 'ok' : 'failure',
          statuscode: ok && version === 1 ? 100 : statuscode,
          message: ok ? 'OK' : message,
        },
        data: data ?? [],
      },
    },
  };
}

/** The rules of lib/Service/Settings.php::update, with its English messages: the first broken one, or null. */
function settingsProblem(input: Record<string, unknown>): string | null {
  const url = input.portalUrl;
  if (typeof url !== 'string')
    return 'Give the portal address starting with https://, for example https://portail.ac-exemple.fr';
  if (url !== '') {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (
      parsed === null ||
      parsed.protocol !== 'https:' ||
      parsed.search !== '' ||
      parsed.hash !== '' ||
      parsed.username !== ''
    ) {
      return 'Give the portal address starting with https://, for example https://portail.ac-exemple.fr';
    }
  }
  const key = input.apiKey ?? '';
  if (
    typeof key !== 'string' ||
    key.length > 512 ||
    [...key].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f)
  ) {
    return 'The API key is the text the portal gave, without spaces.';
  }
  const secret = input.syncSecret ?? '';
  if (typeof secret !== 'string' || (secret !== '' && (secret.length < 32 || secret.length > 512))) {
    return 'The shared secret needs 32 characters at least: use the one the portal shows.';
  }
  for (const field of [
    'notifyUserShares',
    'notifyGroupShares',
    'notifyTeamShares',
    'groupFolders',
    'membersCanShare',
  ]) {
    if (typeof input[field] !== 'boolean') return 'Choose on or off.';
  }
  if (typeof input.excludedAccounts !== 'string') return 'List the accounts separated by commas.';
  const max = input.maxGroupRecipients;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100000) {
    return 'Give a whole number from 1 to 100000.';
  }
  if (input.portalLanguage !== 'fr' && input.portalLanguage !== 'en') return 'Choose French or English.';
  if (input.removedFolders !== 'archive' && input.removedFolders !== 'delete') return 'Choose to archive or to delete.';
  return null;
}

export async function startNextcloudPageDouble(options: NextcloudPageDoubleOptions): Promise<NextcloudPageDouble> {
  const sessions = new Map<string, { uid: string; token: string; language: 'fr' | 'en' }>();
  const calls: NextcloudPageDouble['calls'] = [];
  const shares: NextcloudPageDouble['shares'] = [];
  const files = options.files ?? {};
  const app = Fastify({ logger: false, forceCloseConnections: true });

  const sessionOf = (request: FastifyRequest) => {
    const cookie = /(?:^|;\s*)nc_session=([a-f0-9]+)/.exec(request.headers.cookie ?? '')?.[1];
    return cookie === undefined ? undefined : sessions.get(cookie);
  };
  const groupsOf = (uid: string) =>
    options.portalGroups
      .filter((g) => g.members.includes(uid))
      .map(({ id, name, slug }) => ({ id, name, slug }))
      .sort((a, b) => a.name.localeCompare(b.name));

  const page = (
    reply: FastifyReply,
    session: { uid: string; token: string; language: string },
    body: string,
    states: Record<string, unknown>,
    script: string,
  ) => {
    const stateInputs = Object.entries(states)
      .map(
        ([key, value]) =>
          `<input type="hidden" id="initial-state-laboite-${key}" value="${Buffer.from(JSON.stringify(value)).toString('base64')}">`,
      )
      .join('\n');
    const l10n = session.language === 'fr' ? '<script src="/apps/laboite/l10n/fr.js"></script>' : '';
    return reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="${session.language}" data-locale="${session.language}">
<head data-user="${escapeHtml(session.uid)}" data-user-displayname="${escapeHtml(options.users[session.uid] ?? session.uid)}" data-requesttoken="${session.token}">
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Nextcloud</title>
<style>${THEME}</style>
<script>
  window._oc_webroot = '';
  window._oc_appswebroots = { laboite: '/apps/laboite', files: '/apps/files' };
  window.OC = { webroot: '', config: { modRewriteWorking: false }, L10N: { register(app, translations) {
    window._oc_l10n_registry_translations = window._oc_l10n_registry_translations || {};
    window._oc_l10n_registry_plural_functions = window._oc_l10n_registry_plural_functions || {};
    window._oc_l10n_registry_translations[app] = translations;
    window._oc_l10n_registry_plural_functions[app] = (n) => (n > 1 ? 1 : 0);
  } } };
</script>
${l10n}
</head>
<body>
${stateInputs}
<main id="content">${body}</main>
<script type="module">${script}</script>
</body>
</html>`);
  };

  app.get<{ Params: { uid: string }; Querystring: { page?: string; lang?: string } }>(
    '/index.php/login/as/:uid',
    async (request, reply) => {
      const uid = request.params.uid;
      if (!(uid in options.users)) return reply.code(404).send('no such user');
      const id = randomBytes(16).toString('hex');
      sessions.set(id, {
        uid,
        token: randomBytes(16).toString('hex'),
        language: request.query.lang === 'en' ? 'en' : 'fr',
      });
      reply.header('set-cookie', `nc_session=${id}; Path=/; HttpOnly; SameSite=Lax`);
      const pages: Record<string, string> = {
        files: '/index.php/apps/files/',
        dashboard: '/index.php/apps/dashboard/',
      };
      return reply.redirect(pages[request.query.page ?? ''] ?? '/index.php/settings/admin/additional');
    },
  );

  app.get('/index.php/settings/admin/additional', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).send('sign in first');
    if (session.uid !== 'admin') return reply.code(403).send('administrators only');
    return page(
      reply,
      session,
      '<h1>Paramètres supplémentaires</h1><div id="laboite-admin-settings"></div>',
      { 'admin-settings': double.settings },
      "import '/apps/laboite/js/laboite-admin.mjs';",
    );
  });

  // The Files app, reduced to the file list and the file actions registered in window._nc_fileactions (what
  // @nextcloud/files 3 registerFileAction fills): an action shows as a button on a row when its enabled() says so.
  app.get('/index.php/apps/files/', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).send('sign in first');
    const mine = Object.entries(files[session.uid] ?? {}).map(([name, permissions]) => ({ name, permissions }));
    return page(
      reply,
      session,
      '<h1>Fichiers</h1><table><caption>Tous les fichiers</caption><thead><tr><th scope="col">Nom</th><th scope="col">Actions</th></tr></thead><tbody id="files"></tbody></table>',
      { 'portal-groups': groupsOf(session.uid) },
      `await import('/apps/laboite/js/laboite-files.mjs');
const files = ${JSON.stringify(mine)};
const view = { id: 'files', name: 'Files' };
const body = document.getElementById('files');
for (const file of files) {
  const node = { basename: file.name, path: '/' + file.name, permissions: file.permissions, type: 'file' };
  const row = body.insertRow();
  row.insertCell().textContent = file.name;
  const cell = row.insertCell();
  for (const action of window._nc_fileactions || []) {
    if (action.enabled && !action.enabled([node], view)) continue;
    const button = document.createElement('button');
    button.type = 'button';
    const label = action.displayName([node], view);
    button.textContent = label;
    button.setAttribute('aria-label', label + ' : ' + file.name);
    button.dataset.action = action.id;
    button.addEventListener('click', () => action.exec(node, view, '/'));
    cell.append(button);
  }
}
document.body.dataset.ready = 'true';`,
    );
  });

  // The Dashboard app, reduced to its widget registry (OCA.Dashboard.register(id, (element, {widget}) => ...)): each
  // registered widget gets a panel with its title, as Nextcloud's dashboard draws it.
  app.get('/index.php/apps/dashboard/', async (request, reply) => {
    const session = sessionOf(request);
    if (session === undefined) return reply.code(401).send('sign in first');
    const title = session.language === 'fr' ? 'Portail LaBoite' : 'LaBoite portal';
    return page(
      reply,
      session,
      '<h1>Tableau de bord</h1><div id="panels"></div>',
      { dashboard: { portalUrl: double.settings.portalUrl } },
      `const callbacks = {};
window.OCA = Object.assign(window.OCA || {}, { Dashboard: { register: (id, callback) => { callbacks[id] = callback; }, registerStatus() {} } });
await import('/apps/laboite/js/laboite-dashboard.mjs');
const titles = ${JSON.stringify({ laboite: title })};
for (const [id, callback] of Object.entries(callbacks)) {
  const panel = document.createElement('section');
  panel.className = 'panel';
  panel.setAttribute('aria-labelledby', 'panel-' + id);
  const heading = document.createElement('h2');
  heading.id = 'panel-' + id;
  heading.textContent = titles[id] || id;
  const content = document.createElement('div');
  panel.append(heading, content);
  document.getElementById('panels').append(panel);
  callback(content, { widget: { id, title: titles[id] } });
}
document.body.dataset.ready = 'true';`,
    );
  });

  app.get<{ Params: { '*': string } }>('/apps/laboite/*', async (request, reply) => {
    const relative = normalize(request.params['*']);
    if (relative.startsWith('..') || !/^(js|l10n)\//.test(relative)) return reply.code(404).send();
    const file = join(options.appDir, relative);
    if (!existsSync(file)) return reply.code(404).send();
    return reply.type(file.endsWith('.json') ? 'application/json' : 'text/javascript').send(readFileSync(file));
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/ocs/:version/*',
    handler: async (request, reply) => {
      const version = (request.params as { version: string }).version === 'v1.php' ? 1 : 2;
      const path = `/${(request.params as { '*': string })['*']}`;
      const answer = (statuscode: number, message: string, data?: unknown) => {
        calls.push({ method: request.method, path, body: request.body ?? null, statuscode });
        const { http, body } = envelope(version, statuscode, message, data);
        return reply.code(http).type('application/json; charset=utf-8').send(body);
      };
      if ((request.params as { version: string }).version.match(/^v[12]\.php$/) === null) return reply.code(404).send();
      const session = sessionOf(request);
      if (
        session === undefined ||
        request.headers['ocs-apirequest'] !== 'true' ||
        request.headers.requesttoken !== session.token
      ) {
        return answer(997, 'Current user is not logged in');
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      const route = `${request.method} ${path}`;
      if (route === 'GET /apps/laboite/api/v1/my-groups') return answer(200, '', { groups: groupsOf(session.uid) });
      if (route === 'PUT /apps/laboite/api/v1/settings' || route === 'POST /apps/laboite/api/v1/settings/test') {
        if (session.uid !== 'admin') return answer(403, 'Logged in account must be an admin');
        if (route.startsWith('POST')) return answer(200, '', double.testReport);
        const problem = settingsProblem(body);
        if (problem !== null) return answer(400, problem);
        const { apiKey, syncSecret, ...rest } = body as unknown as AdminSettingsState & {
          apiKey: string;
          syncSecret: string;
        };
        double.settings = {
          ...rest,
          portalUrl: rest.portalUrl.replace(/\/+$/, ''),
          apiKeySet: double.settings.apiKeySet || apiKey !== '',
          syncSecretSet: double.settings.syncSecretSet || syncSecret !== '',
        };
        return answer(200, '', double.settings);
      }
      if (route === 'POST /apps/files_sharing/api/v1/shares') {
        const name = typeof body.path === 'string' ? body.path.replace(/^\//, '') : '';
        if (!(name in (files[session.uid] ?? {}))) return answer(404, 'Wrong path, file/folder does not exist');
        if (body.shareType !== 1 && body.shareType !== '1') return answer(400, 'Unknown share type');
        if (!options.portalGroups.some((g) => g.id === body.shareWith))
          return answer(404, 'Please specify a valid group');
        const share = { owner: session.uid, path: `/${name}`, shareType: 1, shareWith: String(body.shareWith) };
        shares.push(share);
        return answer(200, '', {
          id: String(shares.length),
          share_type: 1,
          share_with: share.shareWith,
          path: share.path,
        });
      }
      return answer(
        404,
        'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.',
      );
    },
  });

  const address = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const double: NextcloudPageDouble = {
    url: address,
    settings: { ...DEFAULT_SETTINGS },
    testReport: { ok: true, message: 'Connected: the portal answered and accepted the API key.' },
    calls,
    shares,
    pageFor: (uid, which, language = 'fr') =>
      `${address}/index.php/login/as/${encodeURIComponent(uid)}?page=${which}&lang=${language}`,
    close: () => app.close(),
  };
  return double;
}
