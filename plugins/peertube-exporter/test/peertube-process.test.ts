import { createPeerTubeProcessModules, tempDir } from '@apps-education/testkit';
import { describe, expect, it } from 'vitest';
import { findPeerTubeRoot, openPeerTubeProcess } from '../src/adapters/peertube-process.js';

/** Reading what only PeerTube's memory holds, from PeerTube's own modules (shapes checked on a real 6.3.3). */
describe("PeerTube's process", () => {
  it('finds PeerTube beside the script Node runs (argv[1]), else in the working directory, else not at all', async () => {
    await using dir = await tempDir('pt-process-');
    const modules = await createPeerTubeProcessModules(dir.path);
    expect(findPeerTubeRoot(modules.serverScript, '/nowhere')).toBe(modules.root);
    expect(findPeerTubeRoot('/usr/bin/vitest', modules.root)).toBe(modules.root);
    expect(findPeerTubeRoot('/usr/bin/vitest', '/nowhere')).toBeNull();
    expect(findPeerTubeRoot(undefined, '/nowhere')).toBeNull();
  });

  it('reports both sources missing when PeerTube was not found, and reads nothing', async () => {
    const process = await openPeerTubeProcess(null);
    expect(process.missing.map((m) => m.source)).toEqual(['activitypub_inbox', 'viewers']);
    expect(process.inbox()).toBeNull();
    expect(process.viewers()).toBeNull();
  });

  it('reports a source missing when a module lacks the member PeerTube 6.3.3 has, without throwing', async () => {
    const load = async (path: string) =>
      path.endsWith('stat-manager.js')
        ? { StatsManager: { Instance: { inboxMessages: { processed: 'x' } } } }
        : { VideoViewsManager: { Instance: {} } };
    const process = await openPeerTubeProcess('/peertube', load);
    expect(process.missing.map((m) => m.reason)).toEqual([
      'StatsManager.inboxMessages not found',
      'VideoViewsManager.getTotalViewers not found',
    ]);
    const failing = await openPeerTubeProcess('/peertube', async () => {
      throw new Error('Cannot find module');
    });
    expect(failing.missing.map((m) => m.reason)).toEqual(['Cannot find module', 'Cannot find module']);
  });

  it('reads the live counters of the same instances PeerTube updates', async () => {
    await using dir = await tempDir('pt-process-');
    const modules = await createPeerTubeProcessModules(dir.path);
    // Node's own import(), as in PeerTube, where the plugin is loaded by require() (vitest's would load copies).
    const process = await openPeerTubeProcess(modules.root, modules.importFile);
    expect(process.missing).toEqual([]);
    await modules.inboxProcessed(true);
    await modules.inboxProcessed(false);
    await modules.setInboxWaiting(4);
    await modules.addViewer('remote', 'local');
    expect(process.inbox()).toEqual({ processed: 2, successes: 1, errors: 1, waiting: 4 });
    expect(process.viewers()).toContainEqual({ labels: { viewer_origin: 'remote', video_origin: 'local' }, value: 1 });
  });
});
