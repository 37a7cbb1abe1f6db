import { createGroupSyncClient, GroupSyncError, signRequest } from '@apps-education/laboite-group-sync';
import { tempDir, unpackNextcloudApp } from '@apps-education/testkit';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalGroups } from './portal-groups.js';
import { SYNC_SECRET, startSyncServer } from './sync-server.js';

/**
 * The group sync in its two languages: the portal's TypeScript client (packages/laboite-group-sync) calls the app's
 * PHP endpoint (SyncEndpoint from the tarball, as GroupSyncController calls it) under `php -S` with four workers,
 * over Nextcloud's users, groups and settings in the tables of its SQLite backend. Nextcloud's own routing and HTTP
 * layer are not part of it (tests/php/sync-server.php answers the OCS envelope); they were checked by hand.
 */
const SECRET = SYNC_SECRET;
const USERS = 20_000;
const STATE = {
  id: 'grpMathsXXXXXXXXX',
  name: 'Maths 4e B',
  slug: 'maths-4e-b',
  members: [{ username: 'alice', role: 'admin' as const }],
  quotaBytes: null,
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: Awaited<ReturnType<typeof startSyncServer>>;
let url: string;
/** Nextcloud's database, as an administrator would change it by hand. */
let nextcloud: Database.Database;
beforeAll(async () => {
  dir = await tempDir('nextcloud-laboite-signature-');
  server = await startSyncServer({
    app: unpackNextcloudApp('laboite', dir.path),
    dir: dir.path,
    users: USERS,
    extraUsers: ['alice', 'bob', 'chloe'],
  });
  url = server.url;
  nextcloud = server.db;
});
afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

/** A client whose requests are kept, to be sent again as an attacker who saw them would. */
function capturingClient(options: { secret?: string; now?: () => number } = {}) {
  const sent: { url: string; init: RequestInit }[] = [];
  const client = createGroupSyncClient({
    nextcloudUrl: url,
    secret: options.secret ?? SECRET,
    ...(options.now ? { now: options.now } : {}),
    fetch: async (input, init) => {
      sent.push({ url: String(input), init: { ...init, signal: null } });
      return fetch(input, init);
    },
  });
  return { client, sent };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GroupSyncError);
  return error as GroupSyncError;
};

const send = async (request: { url: string; init: RequestInit }, change: RequestInit = {}) => {
  const response = await fetch(request.url, { ...request.init, ...change });
  const body = (await response.json()) as { ocs: { meta: { message: string } } };
  return { status: response.status, message: body.ocs.meta.message };
};

describe('a call signed by the portal client, checked by the app', () => {
  it('is accepted once; the same request sent again is refused as a replay', async () => {
    const { client, sent } = capturingClient();
    const { changes } = await client.putGroup(STATE);
    expect(changes.slice(0, 3)).toEqual([
      'created group grpMathsXXXXXXXXX',
      'named group grpMathsXXXXXXXXX "Maths 4e B"',
      'added alice to grpMathsXXXXXXXXX',
    ]);
    expect(changes).toContain('created folder "Maths 4e B" for grpMathsXXXXXXXXX');
    const [request] = sent;
    if (!request) throw new Error('nothing sent');
    expect(await send(request)).toEqual({ status: 401, message: expect.stringContaining('(replayed)') });
  });

  it('refuses a body changed after signing, and a request whose headers were dropped', async () => {
    const { client, sent } = capturingClient();
    await client.deleteGroup('grpOtherXXXXXXXXX');
    const [request] = sent;
    if (!request) throw new Error('nothing sent');
    const changed = await send(request, { method: 'PUT', body: JSON.stringify({ ...STATE, name: 'Pirates' }) });
    expect(changed).toEqual({ status: 401, message: expect.stringContaining('(invalid)') });
    const bare = await send(request, { headers: { 'OCS-APIRequest': 'true' } });
    expect(bare).toEqual({ status: 401, message: expect.stringContaining('(missing)') });
  });

  it('refuses a call signed with another secret, or ten minutes ago, saying what to check', async () => {
    const wrong = await refusal(capturingClient({ secret: `${SECRET}-other` }).client.putGroup(STATE));
    expect(wrong.code).toBe('unauthorized');
    expect(wrong.message).toContain('shared secret differs');
    const stale = await refusal(capturingClient({ now: () => Date.now() - 600_000 }).client.putGroup(STATE));
    expect(stale.code).toBe('unauthorized');
    expect(stale.message).toContain('NTP');
  });

  it('changes nothing in Nextcloud for a bad, missing, stale or replayed signature', async () => {
    const snapshot = () =>
      ['oc_groups', 'oc_group_user', 'oc_group_folders', 'oc_group_folders_groups', 'oc_laboite_groups'].map((table) =>
        nextcloud.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all(),
      );
    const evil = { ...STATE, id: 'grpEvilXXXXXXXXXX', members: [{ username: 'bob', role: 'admin' as const }] };
    const { client, sent } = capturingClient();
    await client.putGroup({ ...STATE, id: 'grpKeptXXXXXXXXXX' });
    const before = snapshot();
    // Another secret, ten minutes ago, the signed body swapped for another group, the headers dropped, a replay.
    await refusal(capturingClient({ secret: `${SECRET}-other` }).client.putGroup(evil));
    await refusal(capturingClient({ now: () => Date.now() - 600_000 }).client.deleteGroup('grpKeptXXXXXXXXXX'));
    const [signed] = sent;
    if (!signed) throw new Error('nothing sent');
    expect((await send(signed, { body: JSON.stringify({ ...evil, id: 'grpKeptXXXXXXXXXX' }) })).status).toBe(401);
    expect((await send(signed, { headers: { 'OCS-APIRequest': 'true' } })).status).toBe(401);
    expect((await send(signed)).status).toBe(401);
    expect(snapshot()).toEqual(before);
  });

  it('lets exactly one of eight copies of a signed request sent at once through, on four PHP workers', async () => {
    const path = '/ocs/v2.php/apps/laboite/api/v1/groups/grpRaceXXXXXXXXXX?format=json';
    const body = JSON.stringify({ ...STATE, id: 'grpRaceXXXXXXXXXX' });
    const headers = { 'OCS-APIRequest': 'true', ...signRequest(SECRET, { method: 'PUT', path, body }) };
    const copies = await Promise.all(
      Array.from({ length: 8 }, () => send({ url: `${url}${path}`, init: { method: 'PUT', headers, body } })),
    );
    expect(copies.map((c) => c.status).sort()).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
  });
});

describe('portal groups kept in Nextcloud', () => {
  const sync = () => createGroupSyncClient({ nextcloudUrl: url, secret: SECRET, timeoutMs: 120_000 });
  const members = (gid: string) =>
    (nextcloud.prepare('SELECT uid FROM oc_group_user WHERE gid = ? ORDER BY uid').all(gid) as { uid: string }[]).map(
      (row) => row.uid,
    );

  it('converges one group, changes nothing the second time, repairs drift, and deletes it', async () => {
    const state = {
      ...STATE,
      id: 'grpOneXXXXXXXXXXX',
      name: 'Histoire 3e A',
      slug: 'histoire-3e-a',
      members: [
        { username: 'alice', role: 'admin' as const },
        { username: 'bob', role: 'member' as const },
      ],
    };
    expect((await sync().putGroup(state)).changes).toEqual([
      'created group grpOneXXXXXXXXXXX',
      `named group grpOneXXXXXXXXXXX "Histoire 3e A"`,
      'added alice to grpOneXXXXXXXXXXX',
      'added bob to grpOneXXXXXXXXXXX',
      'created group grpOneXXXXXXXXXXX-managers',
      `named group grpOneXXXXXXXXXXX-managers "Histoire 3e A (administrateurs et animateurs)"`,
      'added alice to grpOneXXXXXXXXXXX-managers',
      `created folder "Histoire 3e A" for grpOneXXXXXXXXXXX`,
      'set the quota of the folder of grpOneXXXXXXXXXXX to unlimited',
      'gave grpOneXXXXXXXXXXX permissions 15 on the folder of grpOneXXXXXXXXXXX',
      'gave grpOneXXXXXXXXXXX-managers permissions 31 on the folder of grpOneXXXXXXXXXXX',
    ]);
    expect(await sync().putGroup(state)).toEqual({ changes: [] });
    nextcloud.prepare("DELETE FROM oc_group_user WHERE gid = 'grpOneXXXXXXXXXXX' AND uid = 'bob'").run();
    nextcloud.prepare("INSERT INTO oc_group_user (gid, uid) VALUES ('grpOneXXXXXXXXXXX', 'chloe')").run();
    nextcloud
      .prepare("UPDATE oc_group_folders_groups SET permissions = 1 WHERE group_id = 'grpOneXXXXXXXXXXX-managers'")
      .run();
    expect(await sync().putGroup(state)).toEqual({
      changes: [
        'added bob to grpOneXXXXXXXXXXX',
        'removed chloe from grpOneXXXXXXXXXXX',
        'set the permissions of grpOneXXXXXXXXXXX-managers on the folder of grpOneXXXXXXXXXXX to 31',
      ],
    });
    expect(members('grpOneXXXXXXXXXXX')).toEqual(['alice', 'bob']);
    expect(await sync().deleteGroup('grpOneXXXXXXXXXXX')).toEqual({
      changes: [
        'took access to the folder of grpOneXXXXXXXXXXX from grpOneXXXXXXXXXXX',
        'took access to the folder of grpOneXXXXXXXXXXX from grpOneXXXXXXXXXXX-managers',
        `archived the folder of grpOneXXXXXXXXXXX as "Histoire 3e A (archivé)"`,
        'removed alice from grpOneXXXXXXXXXXX',
        'removed bob from grpOneXXXXXXXXXXX',
        'deleted group grpOneXXXXXXXXXXX',
        'removed alice from grpOneXXXXXXXXXXX-managers',
        'deleted group grpOneXXXXXXXXXXX-managers',
      ],
    });
    expect(nextcloud.prepare("SELECT count(*) AS n FROM oc_groups WHERE gid = 'grpOneXXXXXXXXXXX'").get()).toEqual({
      n: 0,
    });
  });

  it('refuses a group made by hand in Nextcloud, and a state that breaks a rule, saying which', async () => {
    nextcloud.prepare("INSERT INTO oc_groups (gid, displayname) VALUES ('grpHandXXXXXXXXXX', 'Fait main')").run();
    const hand = await refusal(sync().putGroup({ ...STATE, id: 'grpHandXXXXXXXXXX' }));
    expect(hand.code).toBe('refused');
    expect(hand.message).toContain('was not made by the portal');
    const path = '/ocs/v2.php/apps/laboite/api/v1/groups/grpMathsXXXXXXXXX?format=json';
    const body = JSON.stringify({ ...STATE, members: [{ username: 'alice', role: 'owner' }] });
    const headers = { 'OCS-APIRequest': 'true', ...signRequest(SECRET, { method: 'PUT', path, body }) };
    expect(await send({ url: `${url}${path}`, init: { method: 'PUT', headers, body } })).toEqual({
      status: 400,
      message: 'invalid group state: members.0.role: admin, animator or member',
    });
  });

  it('reconciles 1,700 groups of 30: everything made, then nothing, then exactly the drift repaired', async () => {
    // Names with markup and path characters: kept as text, and the folder's name stays one folder.
    const groups = portalGroups(1_700, 30, USERS, (g) => `Groupe ${g} <b>&</b>/..`);
    const run = async () =>
      (
        await sync().reconcile(
          (async function* () {
            yield* groups;
          })(),
          { pageSize: 100 },
        )
      ).changes;
    const first = await run();
    // For each: its group and managers group created and named, their members added, its folder made, its quota set
    // and the two groups given access. The groups of the tests above, not in this run, removed.
    const managers = groups.reduce((n, g) => n + g.members.filter((m) => m.role !== 'member').length, 0);
    expect(first.filter((c) => /grp0\d+(-managers)?( |"|$)/.test(c))).toHaveLength(1_700 * (2 + 30 + 2 + 4) + managers);
    expect(first.filter((c) => c.startsWith('deleted'))).toEqual([
      'deleted group grpMathsXXXXXXXXX',
      'deleted group grpMathsXXXXXXXXX-managers',
      'deleted group grpKeptXXXXXXXXXX',
      'deleted group grpKeptXXXXXXXXXX-managers',
      'deleted group grpRaceXXXXXXXXXX',
      'deleted group grpRaceXXXXXXXXXX-managers',
    ]);
    expect(
      nextcloud.prepare("SELECT count(*) AS n FROM oc_group_folders WHERE mount_point LIKE 'Groupe %'").get(),
    ).toEqual({
      n: 1_700,
    });
    expect(
      nextcloud
        .prepare(
          "SELECT f.mount_point, f.quota, g.group_id, g.permissions FROM oc_group_folders f JOIN oc_group_folders_groups g USING (folder_id) JOIN oc_laboite_groups l ON l.folder_id = f.folder_id WHERE l.portal_id = 'grp00000000000007' ORDER BY g.group_id",
        )
        .all(),
    ).toEqual([
      { mount_point: 'Groupe 7 <b>&<-b>-..', quota: -3, group_id: 'grp00000000000007', permissions: 15 },
      { mount_point: 'Groupe 7 <b>&<-b>-..', quota: -3, group_id: 'grp00000000000007-managers', permissions: 31 },
    ]);
    expect(nextcloud.prepare("SELECT count(*) AS n FROM oc_group_user WHERE gid LIKE 'grp0%'").get()).toEqual({
      n: 51_000 + managers,
    });
    expect(nextcloud.prepare("SELECT displayname FROM oc_groups WHERE gid = 'grp00000000000007'").get()).toEqual({
      displayname: 'Groupe 7 <b>&</b>/..',
    });
    expect(await run()).toEqual([]);

    // By hand: a member removed from 10 groups, the members' permissions on 10 folders changed, a group renamed, a
    // group deleted (Group folders then takes its access to the folder away).
    const expected: string[] = [];
    for (const group of groups.slice(0, 10)) {
      const uid = group.members[0]?.username ?? '';
      nextcloud.prepare('DELETE FROM oc_group_user WHERE gid = ? AND uid = ?').run(group.id, uid);
      expected.push(`added ${uid} to ${group.id}`);
    }
    for (const group of groups.slice(200, 210)) {
      nextcloud.prepare('UPDATE oc_group_folders_groups SET permissions = 31 WHERE group_id = ?').run(group.id);
      expected.push(`set the permissions of ${group.id} on the folder of ${group.id} to 15`);
    }
    nextcloud.prepare("UPDATE oc_groups SET displayname = 'Renommé' WHERE gid = 'grp00000000000500'").run();
    expected.push('named group grp00000000000500 "Groupe 500 <b>&</b>/.."');
    const deleted = groups[900];
    if (!deleted) throw new Error('no group 900');
    nextcloud.prepare('DELETE FROM oc_group_user WHERE gid = ?').run(deleted.id);
    nextcloud.prepare('DELETE FROM oc_groups WHERE gid = ?').run(deleted.id);
    nextcloud.prepare('DELETE FROM oc_group_folders_groups WHERE group_id = ?').run(deleted.id);
    expected.push(`created group ${deleted.id}`, `named group ${deleted.id} "${deleted.name}"`);
    for (const member of deleted.members) expected.push(`added ${member.username} to ${deleted.id}`);
    expected.push(`gave ${deleted.id} permissions 15 on the folder of ${deleted.id}`);
    expect([...(await run())].sort()).toEqual(expected.sort());

    // A run without the last 2 groups removes them, and only them.
    const shorter = await sync().reconcile(
      (async function* () {
        yield* groups.slice(0, 1_698);
      })(),
      { pageSize: 100 },
    );
    expect(shorter.changes.filter((c) => /^(deleted|archived)/.test(c))).toEqual([
      'archived the folder of grp00000000001698 as "Groupe 1698 <b>&<-b>-.. (archivé)"',
      'deleted group grp00000000001698',
      'deleted group grp00000000001698-managers',
      'archived the folder of grp00000000001699 as "Groupe 1699 <b>&<-b>-.. (archivé)"',
      'deleted group grp00000000001699',
      'deleted group grp00000000001699-managers',
    ]);
    expect(nextcloud.prepare("SELECT count(*) AS n FROM oc_groups WHERE gid = 'grpHandXXXXXXXXXX'").get()).toEqual({
      n: 1,
    });
  });
});
