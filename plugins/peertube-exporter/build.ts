/** `pnpm build`: for now, the alert rules (the plugin itself is not written yet). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyArtefact } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const artefact = copyArtefact(
  'prometheus-rules',
  join(here, 'prometheus', 'peertube-alerts.yml'),
  process.env.ARTEFACTS_DIR ?? join(here, 'dist'),
);
console.log(`  ${artefact.file}`);
