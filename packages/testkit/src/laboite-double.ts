import { randomInt } from 'node:crypto';
import { escapeHtml } from '@apps-education/i18n';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * A strict double of LaBoite's `POST /api/notifications` (LaBoite 5.8.1, `app/imports/api/restApi.js` and
 * `notifications/server/rest.js`; facts in shared/reference/laboite-nextcloud.md):
 * - the key must be one of the portal's keys, in `X-API-KEY`, else 401 `API_KEY is required.`;
 * - the branch is chosen by which key is *present*: `userId` (then `email`, `username`, or `userId` itself identifies
 *   the user), else `groupId`, else `groupsId`, else a Meteor error;
 * - an unknown user or group is a Meteor error, which connect-rest answers with HTTP 500;
 * - the notification document is checked like LaBoite's schema: title, content strings, type in the enum.
 * - like LaBoite 5.8, it ignores `Idempotency-Key`: every accepted POST is stored, a retry of a notification whose
 *   answer was lost is stored again (`honourIdempotencyKey: true` makes a portal that would dedupe by the key).
 * What the real portal does not do and the double adds for tests: that opt-in, modes (down, slow, failing) and a page
 * listing what it received.
 */
export interface LaboiteUser {
  readonly _id: string;
  readonly username: string;
  readonly email: string;
}
export interface LaboiteGroup {
  readonly _id: string;
  readonly name: string;
  readonly slug: string;
  readonly members: readonly string[];
}

export interface ReceivedNotification {
  readonly id: string;
  readonly form: 'user' | 'group' | 'groups';
  /** The user's `_id` (user form). */
  readonly userId: string | null;
  readonly groupIds: readonly string[];
  readonly title: string;
  readonly content: string;
  readonly type: string | null;
  readonly link: string | null;
  readonly idempotencyKey: string | null;
  readonly receivedAt: number;
}

export type LaboiteMode =
  | { readonly kind: 'up' }
  /** The TCP connection is cut without an answer, as when the portal's process is gone. */
  | { readonly kind: 'down' }
  /** Every request gets this status (502 from a proxy in front of a stopped portal, say). */
  | { readonly kind: 'failing'; readonly status: number }
  /** The notification is stored, then the answer waits this long (a client timeout loses the answer, not the effect). */
  | { readonly kind: 'slow'; readonly delayMs: number };

export const NOTIFICATION_TYPES = ['message', 'info', 'warning', 'error', 'request', 'setRole', 'unsetRole', 'group'];
const METEOR_ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';

export function meteorId(): string {
  let id = '';
  for (let i = 0; i < 17; i++) id += METEOR_ID_ALPHABET[randomInt(METEOR_ID_ALPHABET.length)];
  return id;
}

export interface LaboiteDoubleOptions {
  readonly apiKeys?: readonly string[];
  readonly users?: readonly LaboiteUser[];
  readonly groups?: readonly LaboiteGroup[];
  readonly port?: number;
  readonly host?: string;
  /** Store a repeated `Idempotency-Key` once and answer it as the first time (LaBoite does not: false by default). */
  readonly honourIdempotencyKey?: boolean;
}

export interface LaboiteDouble {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly users: readonly LaboiteUser[];
  readonly groups: readonly LaboiteGroup[];
  /** Stored notifications, in order: a retried one twice, unless the double honours `Idempotency-Key`. */
  readonly received: ReceivedNotification[];
  /** Every POST that reached the handler, accepted or not, repeats included (status 0 while unanswered). */
  readonly requests: { idempotencyKey: string | null; status: number }[];
  setMode(mode: LaboiteMode): void;
  /** How many stored notifications repeat an earlier one's `Idempotency-Key` (what a person would see twice). */
  duplicates(): number;
  /** Notifications a user sees: addressed to them, or to a group they belong to. */
  notificationsFor(username: string): ReceivedNotification[];
  /** The person signed in to the portal in the browser, as the lite widget (GET /widget/load) sees them. */
  signedIn: string | null;
  close(): Promise<void>;
}

function meteorError(error: string, reason: string) {
  return { error, reason, message: `${reason} [${error}]`, errorType: 'Meteor.Error' };
}

export const DEFAULT_USERS: readonly LaboiteUser[] = [
  { _id: 'aliceXXXXXXXXXXXX', username: 'alice', email: 'alice@ac-test.fr' },
  { _id: 'bobXXXXXXXXXXXXXX', username: 'bob', email: 'bob@ac-test.fr' },
  { _id: 'chloeXXXXXXXXXXXX', username: 'chloe', email: 'chloe@ac-test.fr' },
];
export const DEFAULT_GROUPS: readonly LaboiteGroup[] = [
  { _id: 'grpMathsXXXXXXXXX', name: 'Maths 4e B', slug: 'maths-4e-b', members: ['alice', 'bob'] },
  { _id: 'grpSciencesXXXXXX', name: 'Sciences', slug: 'sciences', members: ['chloe'] },
];

export async function startLaboiteDouble(options: LaboiteDoubleOptions = {}): Promise<LaboiteDouble> {
  const apiKeys = new Set(options.apiKeys ?? ['test-api-key']);
  const users = options.users ?? DEFAULT_USERS;
  const groups = options.groups ?? DEFAULT_GROUPS;
  const received: ReceivedNotification[] = [];
  const requests: { idempotencyKey: string | null; status: number }[] = [];
  const honourKey = options.honourIdempotencyKey ?? false;
  const answers = new Map<string, { status: number; body: unknown }>();
  let mode: LaboiteMode = { kind: 'up' };

  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/') && mode.kind === 'down') {
      request.raw.socket.destroy();
      return reply.hijack();
    }
  });

  app.post('/api/notifications', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : null;
    // Recorded on arrival: a client killed before the answer still left its trace here.
    const entry = { idempotencyKey, status: 0 };
    requests.push(entry);
    const answer = (status: number, body: unknown) => {
      entry.status = status;
      return reply.code(status).send(body);
    };
    if (mode.kind === 'failing') return answer(mode.status, 'Bad Gateway');
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey !== 'string' || !apiKeys.has(apiKey)) {
      return answer(401, 'API_KEY is required.');
    }
    if (honourKey && idempotencyKey !== null) {
      const previous = answers.get(idempotencyKey);
      if (previous) return answer(previous.status, previous.body);
    }
    const outcome = addNotification(request.body);
    if (honourKey && outcome.status === 200 && idempotencyKey !== null) answers.set(idempotencyKey, outcome);
    if (typeof outcome.body === 'string') reply.type(outcome.body.startsWith('"') ? 'application/json' : 'text/plain');
    if (outcome.status === 200 && outcome.record) received.push({ ...outcome.record, idempotencyKey });
    if (mode.kind === 'slow')
      await new Promise((resolve) => setTimeout(resolve, mode.kind === 'slow' ? mode.delayMs : 0));
    return answer(outcome.status, outcome.body);
  });

  type Outcome = { status: number; body: unknown; record?: Omit<ReceivedNotification, 'idempotencyKey'> };

  function addNotification(content: unknown): Outcome {
    if (typeof content !== 'object' || content === null || Array.isArray(content)) {
      return {
        status: 500,
        body: meteorError(
          'restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId',
          'Notification sent by API with neither userId nor groupId',
        ),
      };
    }
    const c = content as Record<string, unknown>;
    const base = {
      id: meteorId(),
      title: c.title,
      content: c.content,
      link: typeof c.link === 'string' ? c.link : null,
      receivedAt: Date.now(),
    };
    const invalid = (field: string) => ({
      status: 500,
      body: { error: 'validation-error', reason: `${field} is required`, errorType: 'ClientError' },
    });
    if (typeof base.title !== 'string' || base.title === '') return invalid('Title');
    if (typeof base.content !== 'string' || base.content === '') return invalid('Content');
    const checked = { ...base, title: base.title, content: base.content };
    if ('userId' in c) {
      let user: LaboiteUser | undefined;
      if (c.email) user = users.find((u) => u.email === c.email);
      else if (c.username) user = users.find((u) => u.username === c.username);
      else if (c.userId) user = users.find((u) => u._id === c.userId);
      if (user === undefined) {
        return { status: 500, body: meteorError('restapi.notifications.addNotifications.unknownUser', 'Unknown user') };
      }
      if (typeof c.type !== 'string' || !NOTIFICATION_TYPES.includes(c.type)) return invalid('Type');
      return {
        status: 200,
        body: JSON.stringify(checked.id),
        record: { ...checked, form: 'user', userId: user._id, groupIds: [], type: c.type },
      };
    }
    if ('groupId' in c) {
      const group = groups.find((g) => g._id === c.groupId);
      if (group === undefined) {
        return {
          status: 500,
          body: meteorError('restapi.notifications.addNotifications.unknownGroup', 'Unknown group'),
        };
      }
      return {
        status: 200,
        body: `Group Notification for ${group.name} sent by API`,
        record: { ...checked, form: 'group', userId: null, groupIds: [group._id], type: 'group' },
      };
    }
    if ('groupsId' in c) {
      // LaBoite does not check the ids of the several-groups form; unknown ones simply reach nobody.
      const ids = Array.isArray(c.groupsId) ? c.groupsId.filter((id): id is string => typeof id === 'string') : [];
      return {
        status: 200,
        body: 'Multi Group Notification sent by API',
        record: { ...checked, form: 'groups', userId: null, groupIds: ids, type: 'group' },
      };
    }
    return {
      status: 500,
      body: meteorError(
        'restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId',
        'Notification sent by API with neither userId nor groupId',
      ),
    };
  }

  app.get('/', async (_request, reply) => {
    const rows = received
      .map(
        (n) =>
          `<tr><td>${escapeHtml(new Date(n.receivedAt).toISOString())}</td><td>${n.form}</td><td>${escapeHtml(n.userId ?? n.groupIds.join(', '))}</td><td>${escapeHtml(n.title)}</td><td>${escapeHtml(n.content)}</td><td>${n.link ? `<a href="${escapeHtml(n.link)}">${escapeHtml(n.link)}</a>` : ''}</td></tr>`,
      )
      .join('\n');
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>LaBoite (double de test) : notifications reçues</title></head><body><main><h1>Notifications reçues / Received notifications (${received.length})</h1><table><caption>POST /api/notifications</caption><thead><tr><th scope="col">Date</th><th scope="col">Forme / Form</th><th scope="col">Destinataire / Recipient</th><th scope="col">Titre / Title</th><th scope="col">Contenu / Content</th><th scope="col">Lien / Link</th></tr></thead><tbody>${rows}</tbody></table></main></body></html>`,
      );
  });
  app.get('/api/_received', async () => received);
  // LaBoite's lite widget ("La Pastille", GET /widget/load): on the portal's origin, it reads the person's portal
  // session and shows their unread notifications. Here the session is whoever `signedIn` names.
  app.get('/widget/load', async (_request, reply) => {
    const user = double.signedIn;
    const body =
      user === null
        ? '<p>Non connecté au portail</p>'
        : `<p><span id="unread">${double.notificationsFor(user).length}</span> notification(s) non lue(s)</p>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>LaBoite</title></head><body>${body}</body></html>`,
      );
  });

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('LaBoite double: no TCP address');

  const double: LaboiteDouble = {
    signedIn: null,
    url: `http://127.0.0.1:${address.port}`,
    app,
    users,
    groups,
    received,
    requests,
    setMode(next) {
      mode = next;
    },
    duplicates() {
      const keys = received.map((n) => n.idempotencyKey).filter((key) => key !== null);
      return keys.length - new Set(keys).size;
    },
    notificationsFor(username) {
      const user = users.find((u) => u.username === username);
      if (user === undefined) return [];
      const mine = new Set(groups.filter((g) => g.members.includes(username)).map((g) => g._id));
      return received.filter((n) => n.userId === user._id || n.groupIds.some((id) => mine.has(id)));
    },
    async close() {
      await app.close();
    },
  };
  return double;
}
