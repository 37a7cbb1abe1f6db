/** `pnpm build`: the PeerTube plugin tarball (one CommonJS file, no runtime dependency) with its translations. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPeerTubePlugin } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const artefact = await buildPeerTubePlugin({
  pluginDir: here,
  copy: ['languages'],
  outDir: process.env.ARTEFACTS_DIR ?? join(here, 'dist'),
});
console.log(`  ${artefact.file}`);
