import { join } from 'node:path';
import { createGroupSyncClient, GroupSyncError, signRequest } from '@apps-education/laboite-group-sync';
import {
  freePort,
  type RunningPeer,
  requireCommand,
  startPeer,
  tempDir,
  unpackNextcloudApp,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The two halves of the group sync's signature, in their two languages: the portal's TypeScript client signs real
 * requests, the app's PHP verifier (from the tarball, its nonces in SQLite) checks them under `php -S` with four
 * workers. Nextcloud's routing is not part of it (tests/php/signature-server.php answers the OCS envelope).
 */
const SECRET = 'a-shared-secret-of-more-than-32-characters';
const STATE = {
  id: 'grpMathsXXXXXXXXX',
  name: 'Maths 4e B',
  slug: 'maths-4e-b',
  members: [{ username: 'alice', role: 'admin' as const }],
  quotaBytes: null,
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: RunningPeer;
let url: string;
beforeAll(async () => {
  dir = await tempDir('nextcloud-laboite-signature-');
  const app = unpackNextcloudApp('laboite', dir.path);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = await startPeer({
    name: 'php -S (the app verifier)',
    command: requireCommand('php', 'php-cli'),
    args: ['-S', `127.0.0.1:${port}`, new URL('./php/signature-server.php', import.meta.url).pathname],
    env: {
      PHP_CLI_SERVER_WORKERS: '4',
      LABOITE_APP_DIR: app,
      LABOITE_TEST_DB: join(dir.path, 'nonces.db'),
      LABOITE_TEST_SECRET: SECRET,
    },
    readyPort: port,
  });
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
    await expect(client.putGroup(STATE)).resolves.toEqual({ changes: [] });
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
