/**
 * pnpm bench (nextcloud-laboite), on the app from the tarball `pnpm build` made:
 * - the group sync's full reconcile of 1,700 groups of 30 members, each with its managers group and its Group
 *   folders folder (a first pass that makes everything, a pass that changes nothing, a pass after drift), against a bare loop of the same number of signed OCS calls that do nothing
 *   (a DELETE of a group that does not exist), through the TypeScript client, to the PHP endpoint under `php -S`
 *   over Nextcloud's tables in SQLite;
 * - notifications sent per second for a group share to 30 members, against a bare loop of the same 30 POSTs through
 *   the same PHP HTTP client, to the LaBoite double.
 * Usage: pnpm bench
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createGroupSyncClient } from '@apps-education/laboite-group-sync';
import {
  buildArtefacts,
  requireCommand,
  startLaboiteDouble,
  tempDir,
  unpackNextcloudApp,
} from '@apps-education/testkit';
import { portalGroups } from '../tests/portal-groups.js';
import { SYNC_SECRET, startSyncServer } from '../tests/sync-server.js';

const USERS = 20_000;
const php = requireCommand('php', 'php-cli');
const tests = new URL('../tests/php/', import.meta.url).pathname;

buildArtefacts();
const dir = await tempDir('nextcloud-laboite-bench-');
const app = unpackNextcloudApp('laboite', dir.path);
const server = await startSyncServer({ app, dir: dir.path, users: USERS });
const { url, db } = server;

const groups = portalGroups(1_700, 30, USERS);

const sync = createGroupSyncClient({ nextcloudUrl: url, secret: SYNC_SECRET, timeoutMs: 600_000 });
const timed = async <T>(work: () => Promise<T>) => {
  const t0 = performance.now();
  const result = await work();
  return { result, ms: performance.now() - t0 };
};
const reconcile = () =>
  timed(
    async () =>
      await sync.reconcile(
        (async function* () {
          yield* groups;
        })(),
        { pageSize: 100 },
      ),
  );
const pages = Math.ceil(groups.length / 100);
const bare = await timed(async () => {
  for (let i = 0; i < pages; i++) await sync.deleteGroup(`grpNoSuch${String(i).padStart(8, '0')}`);
});
const line = (name: string, ms: number, changes: number) =>
  console.log(`${name}: ${(ms / 1000).toFixed(2)} s, ${changes} changes (${(ms / bare.ms).toFixed(1)}x the bare loop)`);
console.log(`bare loop of ${pages} signed OCS calls: ${bare.ms.toFixed(0)} ms`);
const first = await reconcile();
line('reconcile, first pass (1,700 groups x 30 members)', first.ms, first.result.changes.length);
const noop = await reconcile();
line('reconcile, no-op pass', noop.ms, noop.result.changes.length);
for (const group of groups.slice(0, 20))
  db.prepare('DELETE FROM oc_group_user WHERE gid = ? AND uid = ?').run(group.id, group.members[0]?.username);
db.prepare("UPDATE oc_groups SET displayname = 'x' WHERE gid IN ('grp00000000000100', 'grp00000000000101')").run();
db.prepare("DELETE FROM oc_group_user WHERE gid = 'grp00000000000200'").run();
db.prepare("DELETE FROM oc_groups WHERE gid = 'grp00000000000200'").run();
db.prepare("DELETE FROM oc_group_folders_groups WHERE group_id = 'grp00000000000200'").run();
for (const group of groups.slice(300, 310))
  db.prepare('UPDATE oc_group_folders_groups SET permissions = 31 WHERE group_id = ?').run(group.id);
const drift = await reconcile();
line(
  'reconcile, drift pass (20 members removed, 2 renamed, 1 deleted by hand, 10 folders with changed permissions)',
  drift.ms,
  drift.result.changes.length,
);
await server.stop();

// Notifications for a group share to 30 members.
const portalUsers = Array.from({ length: 31 }, (_, i) => ({
  _id: `u${String(i).padStart(16, '0')}`,
  username: `user${i}`,
  email: `user${i}@ac-test.fr`,
}));
const portal = await startLaboiteDouble({ apiKeys: ['bench-key'], users: portalUsers });
const input = {
  users: Object.fromEntries(portalUsers.map((u) => [u.username, u.username])),
  groups: { classe: portalUsers.map((u) => u.username) },
  shares: [
    { id: 'ocinternal:1', type: 1, with: 'classe', by: 'user30', nodeId: 1, nodeType: 'file', target: '/Cours.pdf' },
  ],
  now: Math.floor(Date.now() / 1000),
  settings: { portal_url: portal.url, api_key: 'bench-key' },
  argument: { shareId: 'ocinternal:1', attempt: 1 },
};
const runPhp = (payload: unknown, db: string) =>
  promisify(execFile)(php, [join(tests, 'run-share-job.php'), JSON.stringify(payload), db], {
    env: { ...process.env, LABOITE_APP_DIR: app },
  });
const rounds = 5;
let jobMs = 0;
let bareMs = 0;
for (let r = 0; r < rounds; r++) {
  portal.received.length = 0;
  jobMs += (await timed(() => runPhp(input, join(dir.path, `share-${r}.db`)))).ms;
  if (portal.received.length !== 30) throw new Error(`the job sent ${portal.received.length} notifications, not 30`);
  const bodies = portal.received.map((n, i) => ({
    userId: '',
    username: `user${i}`,
    title: n.title,
    content: n.content,
    type: 'info',
    link: n.link,
  }));
  portal.received.length = 0;
  bareMs += (await timed(() => runPhp({ ...input, bare: bodies }, join(dir.path, `bare-${r}.db`)))).ms;
}
const perSecond = (ms: number) => (30 * rounds * 1000) / ms;
console.log(
  `group share to 30 members: ${perSecond(jobMs).toFixed(0)} notifications/s (${(perSecond(jobMs) / perSecond(bareMs)).toFixed(2)} vs a bare loop of the same POSTs from PHP: ${perSecond(bareMs).toFixed(0)}/s; ${rounds} rounds, PHP's start included in both)`,
);
await portal.close();
await dir.remove();
