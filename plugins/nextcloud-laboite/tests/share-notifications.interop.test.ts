import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  type LaboiteDouble,
  requireCommand,
  startLaboiteDouble,
  tempDir,
  unpackNextcloudApp,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The app's share notification job (from the tarball, in PHP) against the LaBoite double over real HTTP: the body
 * LaBoite 5.8 takes (`userId: ""` + `username`), its API key, its Meteor errors, a portal down then back. Nextcloud
 * itself is played by the PHPUnit stand-ins (tests/php/run-share-job.php runs the job as cron would).
 */
const API_KEY = 'portal-api-key';
const NOW = 1_796_464_800;

let dir: Awaited<ReturnType<typeof tempDir>>;
let app: string;
let portal: LaboiteDouble;
beforeAll(async () => {
  dir = await tempDir('nextcloud-laboite-share-');
  app = unpackNextcloudApp('laboite', dir.path);
  portal = await startLaboiteDouble({ apiKeys: [API_KEY] });
});
afterAll(async () => {
  await portal?.close();
  await dir?.remove();
});

const nextcloud = {
  users: { alice: 'Alice Martin', bob: 'Bob Durand', chloe: 'Chloé Petit', dave: 'Dave Inconnu' },
  groups: { maths: ['alice', 'bob', 'chloe', 'dave'], grpMathsXXXXXXXXX: ['alice', 'bob'] },
  portalGroups: ['grpMathsXXXXXXXXX'],
  shares: [
    { id: 'ocinternal:1', type: 0, with: 'alice', by: 'bob', nodeId: 42, nodeType: 'file', target: '/Cours.pdf' },
    { id: 'ocinternal:2', type: 1, with: 'maths', by: 'bob', nodeId: 77, nodeType: 'folder', target: '/Maths 4e B' },
    {
      id: 'ocinternal:3',
      type: 1,
      with: 'grpMathsXXXXXXXXX',
      by: 'bob',
      nodeId: 78,
      nodeType: 'file',
      target: '/Sujet.pdf',
    },
  ],
};

interface JobRun {
  jobs: { job: string; argument: { shareId: string; attempt: number }; after: number | null }[];
  log: string[];
}

/** Runs the job in its own PHP process, asynchronously: the portal double answers from this one. */
async function runJob(
  shareId: string,
  options: { attempt?: number; now?: number; db?: string; check?: boolean; settings?: Record<string, string> } = {},
): Promise<JobRun> {
  const input = {
    ...nextcloud,
    now: options.now ?? NOW,
    settings: options.settings ?? { portal_url: portal.url, api_key: API_KEY },
    argument: { shareId, attempt: options.attempt ?? 1 },
    ...(options.check ? { check: true } : {}),
  };
  const { stdout } = await promisify(execFile)(
    requireCommand('php', 'php-cli'),
    [
      new URL('./php/run-share-job.php', import.meta.url).pathname,
      JSON.stringify(input),
      options.db ?? join(dir.path, 'nextcloud.db'),
    ],
    { env: { ...process.env, LABOITE_APP_DIR: app } },
  );
  return JSON.parse(stdout) as JobRun;
}

const usernameOf = (userId: string | null) => portal.users.find((u) => u._id === userId)?.username;

describe('share notifications from the app to the portal', () => {
  it('puts a user share in the portal, in French, with the link to the file, once', async () => {
    portal.received.length = 0;
    expect(await runJob('ocinternal:1')).toEqual({ jobs: [], log: [] });
    expect(await runJob('ocinternal:1')).toEqual({ jobs: [], log: [] });
    expect(portal.received).toHaveLength(1);
    const [notification] = portal.received;
    expect(notification).toMatchObject({
      form: 'user',
      title: 'Nouveau fichier partagé',
      content: 'Bob Durand a partagé le fichier « Cours.pdf » avec vous.',
      type: 'info',
      link: 'https://nuage.ac-test.fr/index.php/f/42',
    });
    expect(usernameOf(notification?.userId ?? null)).toBe('alice');
  });

  it('tells each member of a group share the portal knows, and logs once the one it does not', async () => {
    portal.received.length = 0;
    const result = await runJob('ocinternal:2', { db: join(dir.path, 'group.db') });
    expect(portal.received.map((n) => usernameOf(n.userId)).sort()).toEqual(['alice', 'chloe']);
    expect(result.jobs).toEqual([]);
    expect(result.log).toEqual([
      'warning: laboite: share ocinternal:2 not notified to one recipient, for good: HTTP 500 restapi.notifications.addNotifications.unknownUser',
    ]);
  });

  it('tells a synced portal group as one group notification in the portal', async () => {
    portal.received.length = 0;
    expect(await runJob('ocinternal:3', { db: join(dir.path, 'portal-group.db') })).toEqual({ jobs: [], log: [] });
    expect(portal.received).toHaveLength(1);
    expect(portal.received[0]).toMatchObject({
      form: 'group',
      groupIds: ['grpMathsXXXXXXXXX'],
      content: 'Bob Durand a partagé le fichier « Sujet.pdf » avec vous.',
    });
    expect(portal.notificationsFor('alice').map((n) => n.id)).toContain(portal.received[0]?.id);
  });

  it('retries while the portal is down, then sends each notification once when it is back', async () => {
    const db = join(dir.path, 'down.db');
    portal.received.length = 0;
    portal.setMode({ kind: 'down' });
    const first = await runJob('ocinternal:1', { db });
    expect(first.jobs).toEqual([
      {
        job: 'OCA\\LaBoite\\BackgroundJob\\SendShareNotifications',
        argument: { shareId: 'ocinternal:1', attempt: 2 },
        after: NOW + 60,
      },
    ]);
    portal.setMode({ kind: 'failing', status: 502 });
    expect((await runJob('ocinternal:1', { db, attempt: 2, now: NOW + 60 })).jobs[0]?.after).toBe(NOW + 60 + 120);
    portal.setMode({ kind: 'up' });
    expect(await runJob('ocinternal:1', { db, attempt: 3, now: NOW + 180 })).toEqual({ jobs: [], log: [] });
    expect(await runJob('ocinternal:1', { db, attempt: 3, now: NOW + 180 })).toEqual({ jobs: [], log: [] });
    expect(portal.received).toHaveLength(1);
  });

  it('says so once, without retrying, when the portal refuses the API key', async () => {
    const other = await startLaboiteDouble({ apiKeys: ['another-key'] });
    const saved = portal;
    portal = other;
    try {
      const result = await runJob('ocinternal:1', { db: join(dir.path, 'key.db') });
      expect(result.jobs).toEqual([]);
      expect(result.log).toEqual([
        'warning: laboite: share ocinternal:1 not notified to one recipient, for good: HTTP 401: the portal refuses the API key (Administration settings > LaBoite)',
      ]);
      expect(other.received).toEqual([]);
    } finally {
      portal = saved;
      await other.close();
    }
  });

  it('tests the connection as the settings page does: accepted key, refused key, nothing listening, not LaBoite', async () => {
    const check = async (settings: Record<string, string>) =>
      (await runJob('', { check: true, settings, db: join(dir.path, 'check.db') })) as unknown as {
        result: string;
        detail: string;
      };
    const before = portal.received.length;
    expect(await check({ portal_url: portal.url, api_key: API_KEY })).toEqual({ result: 'ok', detail: 'HTTP 500' });
    expect(await check({ portal_url: portal.url, api_key: 'wrong' })).toEqual({
      result: 'key-refused',
      detail: 'HTTP 401',
    });
    expect(portal.received.length, 'the empty notification is not stored').toBe(before);
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect((await check({ portal_url: closed, api_key: API_KEY })).result).toBe('unreachable');
    expect(await check({ portal_url: `${portal.url}/not-the-api`, api_key: API_KEY })).toEqual({
      result: 'not-laboite',
      detail: 'HTTP 404',
    });
  });
});
