import { unpackPeerTubePlugin } from '../artefacts.js';
import { createTestDatabase, type TestDatabase } from '../databases.js';
import { type TempDir, tempDir } from '../tmp.js';
import { type PeerTubeHost, startPeerTubeHost } from './host.js';
import type { PeerTubeVersion } from './versions.js';

export interface PluginInHost {
  readonly host: PeerTubeHost;
  readonly database: TestDatabase;
  readonly dir: TempDir;
  close(): Promise<void>;
}

/**
 * The tarball `pnpm build` ships, unpacked into a folder named like the package (as the README tells administrators),
 * installed in a strict PeerTube host with a database of its own, or the given one (a second PeerTube process on the
 * same database). The login rate limit is raised as an administrator would for a test instance: these tests sign in
 * more than 15 times in 5 minutes from one address.
 */
export async function startPluginInHost(
  npmName: string,
  options: {
    version?: PeerTubeVersion;
    database?: TestDatabase;
    webserverUrl?: string;
    beforeInstall?: (url: string) => Promise<void>;
  } = {},
): Promise<PluginInHost> {
  const short = npmName.replace(/^peertube-plugin-(apps-)?/, '').replace(/[^a-z0-9]/g, '_');
  const dir = await tempDir(`pt-${short}-`);
  const folder = unpackPeerTubePlugin(npmName, dir.path);
  const database = options.database ?? (await createTestDatabase(`pt_${short}`));
  await options.beforeInstall?.(database.url);
  const host = await startPeerTubeHost({
    databaseUrl: database.url,
    pluginDir: folder,
    dataDir: dir.path,
    version: options.version ?? '6.3.3',
    ...(options.webserverUrl ? { webserverUrl: options.webserverUrl } : {}),
    rateLimits: { login: { windowMs: 300_000, max: 100_000 } },
  });
  return {
    host,
    database,
    dir,
    async close() {
      await host.close();
      if (!options.database) await database.drop();
      await dir.remove();
    },
  };
}
