/** `pnpm build`: the PeerTube plugin tarball, the Prometheus alert rules and the Grafana dashboard. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin, copyArtefact, writeArtefact } from '@apps-education/build';
import { buildDashboard } from './grafana/dashboard.js';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');
const plugin = await buildPeerTubePlugin({ pluginDir: here, outDir, copy: ['languages'] });
const rules = copyArtefact('prometheus-rules', join(here, 'prometheus', 'peertube-alerts.yml'), outDir);
const dashboard = writeArtefact(
  'grafana-dashboard',
  'peertube-dashboard.json',
  `${JSON.stringify(buildDashboard(), null, 2)}\n`,
  outDir,
);
console.log(`  ${plugin.file}\n  ${rules.file}\n  ${dashboard.file}`);
