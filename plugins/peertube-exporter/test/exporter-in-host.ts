import {
  type PeerTubeHost,
  type PeerTubeVersion,
  startPeerTubeHost,
  unpackPeerTubePlugin,
} from '@apps-education/testkit';

export const NPM_NAME = 'peertube-plugin-apps-exporter';

/** Sample lines, anchored: the HELP text of peertube_exporter_up must not match. */
export const UP = /^peertube_exporter_up 1$/m;
export const DOWN = /^peertube_exporter_up 0$/m;

export interface ExporterInHost {
  readonly host: PeerTubeHost;
  /** /metrics with the token in the query, as Prometheus scrapes it. */
  readonly metricsUrl: string;
  scrape(): Promise<string>;
  /** Scrapes until a line matches, about 15 s at most. */
  until(line: RegExp): Promise<string>;
  /** Saves the settings given at start with these changes over them, as the admin page does. */
  configure(changes?: Record<string, string>): Promise<void>;
}

/**
 * The tarball `pnpm build` ships, unpacked into a folder named like the package (as the README tells administrators),
 * in the strict PeerTube host, configured, after its first successful refresh.
 */
export async function startExporterInHost(options: {
  databaseUrl: string;
  dataDir: string;
  settings: Record<string, string> & { 'metrics-token': string };
  version?: PeerTubeVersion;
  /** PeerTube limits plugin routes to 500 requests per 10 s per address: a bench sending more raises it. */
  pluginRateLimit?: number;
}): Promise<ExporterInHost> {
  const host = await startPeerTubeHost({
    databaseUrl: options.databaseUrl,
    pluginDir: unpackPeerTubePlugin(NPM_NAME, options.dataDir),
    dataDir: options.dataDir,
    ...(options.version ? { version: options.version } : {}),
    ...(options.pluginRateLimit ? { rateLimits: { plugins: { windowMs: 10_000, max: options.pluginRateLimit } } } : {}),
  });
  const metricsUrl = `${host.url}/plugins/apps-exporter/router/metrics?token=${options.settings['metrics-token']}`;
  const scrape = async () => (await fetch(metricsUrl)).text();
  const until = async (line: RegExp) => {
    for (let i = 0; i < 150; i++) {
      const body = await scrape();
      if (line.test(body)) return body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`never saw ${line}`);
  };
  const configure = (changes: Record<string, string> = {}) => host.updateSettings({ ...options.settings, ...changes });
  await configure();
  await until(UP);
  return { host, metricsUrl, scrape, until, configure };
}
