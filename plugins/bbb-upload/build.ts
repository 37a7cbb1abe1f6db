/**
 * `pnpm build`: the service package (one ES module, better-sqlite3 as its native dependency) with DSFR, its own
 * static files and the example configuration.
 */
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildService } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');
const dsfr = join(dirname(createRequire(import.meta.url).resolve('@gouvfr/dsfr/package.json')), 'dist');
const staging = join(here, 'dist', 'static-with-dsfr');
mkdirSync(staging, { recursive: true });
cpSync(join(here, 'static'), staging, { recursive: true });
for (const part of ['dsfr.min.css', 'fonts', 'icons'])
  cpSync(join(dsfr, part), join(staging, 'dsfr', part), { recursive: true });
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
