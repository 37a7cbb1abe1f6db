/**
 * `pnpm build`: the service package (one ES module, better-sqlite3 as its only dependency) with DSFR and examples,
 * the Prometheus alert rules and the Grafana dashboard.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildService, copyArtefact, stageStaticWithDsfr, writeArtefact } from '@apps-education/build';
import { buildDashboard } from './grafana/dashboard.js';

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
  bin: 'keycloak-cas-bridge',
  native: { 'better-sqlite3': pkg.dependencies['better-sqlite3'] ?? '^12.0.0' },
  copy: ['examples'],
  extraFiles: { static: staging },
  outDir,
});
const rules = copyArtefact('prometheus-rules', join(here, 'prometheus', 'cas-bridge-alerts.yml'), outDir);
const dashboard = writeArtefact(
  'grafana-dashboard',
  'cas-bridge-dashboard.json',
  `${JSON.stringify(buildDashboard(), null, 2)}\n`,
  outDir,
);
console.log(`  ${artefact.file}\n  ${rules.file}\n  ${dashboard.file}`);
