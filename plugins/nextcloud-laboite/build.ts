/** `pnpm build`: the Nextcloud app tarball `laboite-<version>.tar.gz` (`laboite/` at the top). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNextcloudApp } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');
const app = buildNextcloudApp({
  appDir: here,
  include: ['appinfo', 'lib', 'README.md', 'CHANGELOG.md'],
  outDir,
});
console.log(`  ${app.file}`);
