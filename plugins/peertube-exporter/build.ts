/** `pnpm build`: the PeerTube plugin tarball (in progress) and the alert rules. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin, copyArtefact } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');
const plugin = await buildPeerTubePlugin({ pluginDir: here, outDir, copy: ['languages'] });
const rules = copyArtefact('prometheus-rules', join(here, 'prometheus', 'peertube-alerts.yml'), outDir);
console.log(`  ${plugin.file}\n  ${rules.file}`);
