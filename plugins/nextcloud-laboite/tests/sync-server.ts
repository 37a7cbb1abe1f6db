import { join } from 'node:path';
import { freePort, requireCommand, startPeer } from '@apps-education/testkit';
import Database from 'better-sqlite3';

export const SYNC_SECRET = 'a-shared-secret-of-more-than-32-characters';

/**
 * The app's group-sync endpoint (tests/php/sync-server.php, the unpacked app's SyncEndpoint) under `php -S` with four
 * workers, over Nextcloud's tables in the SQLite file `<dir>/nextcloud.db`, holding `user0`..`user<users-1>` and
 * `extraUsers` as Nextcloud's database backend holds them. `db` is that database, to change it as an administrator
 * would by hand; `stop()` closes it and stops the server with its workers.
 */
export async function startSyncServer(options: { app: string; dir: string; users: number; extraUsers?: string[] }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const file = join(options.dir, 'nextcloud.db');
  const server = await startPeer({
    name: 'php -S (the group-sync endpoint)',
    command: requireCommand('php', 'php-cli'),
    args: ['-S', `127.0.0.1:${port}`, new URL('./php/sync-server.php', import.meta.url).pathname],
    env: {
      PHP_CLI_SERVER_WORKERS: '4',
      LABOITE_APP_DIR: options.app,
      LABOITE_TEST_DB: file,
      LABOITE_TEST_SECRET: SYNC_SECRET,
    },
    readyPort: port,
    forksWorkers: true,
  });
  // The first request makes the tables.
  await fetch(`${url}/status.php`);
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare('INSERT INTO oc_users (uid, displayname) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < options.users; i++) insert.run(`user${i}`, `User ${i}`);
    for (const uid of options.extraUsers ?? []) insert.run(uid, uid);
  })();
  return {
    url,
    db,
    async stop() {
      db.close();
      await server.stop();
    },
  };
}
