/**
 * `pnpm build`: the service package (one ES module, better-sqlite3 as its native dependency) with DSFR, its own
 * static files and the example configuration.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildService, stageStaticWithDsfr } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');
// DSFR's CSS, fonts and icons travel inside the package, beside the service's own static files.
const staging = stageStaticWithDsfr(
  here,
  join(dirname(createRequire(import.meta.url).resolve('@gouvfr/dsfr/package.json')), 'dist'),
);
const pkg = createRequire(import.meta.url)('./package.json') as { dependencies: Record<string, string> };
const artefact = await buildService({
  serviceDir: here,
  bin: 'bbb-upload',
  native: { 'better-sqlite3': pkg.dependencies['better-sqlite3'] ?? '^12.0.0' },
  copy: ['examples'],
  extraFiles: { static: staging },
  outDir,
});
console.log(`  ${artefact.file}`);
