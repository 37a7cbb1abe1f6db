import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The parts of PeerTube's process a plugin can reach by importing PeerTube's own compiled modules (the exporter reads
 * the figures PeerTube's OpenTelemetry metrics show from them): a folder laid out like PeerTube's install
 * (dist/server.js, dist/core/lib/stat-manager.js, dist/core/lib/views/video-views-manager.js) whose classes have the
 * members PeerTube 6.3.3 has, checked against a real 6.3.3's dist/:
 * - StatsManager.Instance.inboxMessages = { processed, errors, successes, waiting, errorsPerType, successesPerType }
 *   (server/core/lib/stat-manager.ts; updated by lib/activitypub/inbox-manager.ts);
 * - VideoViewsManager.Instance.getTotalViewers({ viewerScope, videoScope }) -> number
 *   (server/core/lib/views/video-views-manager.ts, shared/video-viewer-counters.ts).
 * The host runs the plugin with process.argv[1] at this folder's dist/server.js, as Node runs PeerTube.
 */
export interface PeerTubeProcessModules {
  readonly root: string;
  readonly serverScript: string;
  /** One ActivityPub message processed by the inbox, with success or not. */
  inboxProcessed(success: boolean): Promise<void>;
  setInboxWaiting(waiting: number): Promise<void>;
  /** A person watching a video now. */
  addViewer(viewerScope: 'local' | 'remote', videoScope: 'local' | 'remote'): Promise<void>;
  /** Node's own import() of a file, as the plugin (loaded by require()) does: for tests that run adapters directly. */
  importFile(path: string): Promise<Record<string, unknown>>;
}

const STATS = `// Shaped like PeerTube 6.3.3's dist/core/lib/stat-manager.js (the members plugins can read).
export class StatsManager {
  static instance;
  inboxMessages = { processed: 0, errors: 0, successes: 0, waiting: 0, errorsPerType: {}, successesPerType: {} };
  updateInboxWaiting(waiting) { this.inboxMessages.waiting = waiting; }
  addInboxProcessedSuccess(type) { this.inboxMessages.processed++; this.inboxMessages.successes++; }
  addInboxProcessedError(type) { this.inboxMessages.processed++; this.inboxMessages.errors++; }
  static get Instance() { return this.instance || (this.instance = new this()); }
}
`;

const VIEWS = `// Shaped like PeerTube 6.3.3's dist/core/lib/views/video-views-manager.js (the members plugins can read).
export class VideoViewsManager {
  static instance;
  viewers = [];
  getTotalViewers(options) {
    return this.viewers.filter((v) => v.viewerScope === options.viewerScope && v.videoScope === options.videoScope).length;
  }
  static get Instance() { return this.instance || (this.instance = new this()); }
}
`;

export async function createPeerTubeProcessModules(dir: string): Promise<PeerTubeProcessModules> {
  const root = join(dir, 'peertube');
  const lib = join(root, 'dist', 'core', 'lib');
  mkdirSync(join(lib, 'views'), { recursive: true });
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  const serverScript = join(root, 'dist', 'server.js');
  writeFileSync(serverScript, '// PeerTube\n');
  writeFileSync(join(lib, 'stat-manager.js'), STATS);
  writeFileSync(join(lib, 'views', 'video-views-manager.js'), VIEWS);
  // Node's own import(), not the test runner's (vitest loads test code into a module graph of its own): the plugin,
  // loaded by require(), imports these files natively, and both must get the same instances. A CommonJS file loaded
  // with require() imports natively.
  const importer = join(root, 'native-import.cjs');
  writeFileSync(importer, 'module.exports = (url) => import(url);\n');
  const nativeImport = createRequire(importer)(importer) as (url: string) => Promise<unknown>;
  const load = async (path: string) =>
    (await nativeImport(pathToFileURL(path).href)) as Record<string, { Instance: never }>;
  const stats = async () =>
    (await load(join(lib, 'stat-manager.js'))).StatsManager?.Instance as unknown as {
      addInboxProcessedSuccess(t: string): void;
      addInboxProcessedError(t: string): void;
      updateInboxWaiting(n: number): void;
    };
  const views = async () =>
    (await load(join(lib, 'views', 'video-views-manager.js'))).VideoViewsManager?.Instance as unknown as {
      viewers: { viewerScope: string; videoScope: string }[];
    };
  return {
    root,
    serverScript,
    async inboxProcessed(success) {
      const manager = await stats();
      if (success) manager.addInboxProcessedSuccess('Create');
      else manager.addInboxProcessedError('Create');
    },
    async setInboxWaiting(waiting) {
      (await stats()).updateInboxWaiting(waiting);
    },
    async addViewer(viewerScope, videoScope) {
      (await views()).viewers.push({ viewerScope, videoScope });
    },
    importFile: async (path) => (await nativeImport(pathToFileURL(path).href)) as Record<string, unknown>,
  };
}
