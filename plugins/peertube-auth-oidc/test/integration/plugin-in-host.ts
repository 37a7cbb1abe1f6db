import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin } from '@apps-education/build';
import {
  createTestDatabase,
  type PeerTubeHost,
  type PeerTubeVersion,
  startPeerTubeHost,
  type TempDir,
  type TestDatabase,
  tempDir,
} from '@apps-education/testkit';

export const pluginDir = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the plugin as it is published (one CommonJS file, the client script, translations). */
export async function buildPlugin(outDir: string): Promise<string> {
  await buildPeerTubePlugin({
    pluginDir,
    clientScripts: { 'src/client/login.ts': 'dist/client/login.js' },
    copy: ['languages'],
    outDir,
  });
  return join(pluginDir, 'dist', 'package');
}

export interface PluginInHost {
  readonly host: PeerTubeHost;
  readonly database: TestDatabase;
  readonly dir: TempDir;
  close(): Promise<void>;
}

/** The built plugin loaded in a strict PeerTube host with a database of its own. */
export async function startPluginInHost(
  options: { version?: PeerTubeVersion; allowedExternalRedirectUris?: string[] } = {},
): Promise<PluginInHost> {
  const dir = await tempDir('pt-oidc-');
  const built = await buildPlugin(join(dir.path, 'artefacts'));
  const database = await createTestDatabase('pt_oidc');
  const host = await startPeerTubeHost({ databaseUrl: database.url, pluginDir: built, dataDir: dir.path, ...options });
  return {
    host,
    database,
    dir,
    async close() {
      await host.close();
      await database.drop();
      await dir.remove();
    },
  };
}
