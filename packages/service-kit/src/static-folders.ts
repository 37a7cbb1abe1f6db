import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a service's static files and DSFR's dist/ are, from its entry module's `import.meta.url`: the published
 * package keeps `static/` (with DSFR copied into `static/dsfr`) beside `bin/`, the source tree keeps `static/` beside
 * `src/` and DSFR in node_modules.
 */
export function staticFolders(moduleUrl: string): { staticDir: string; dsfrDir: string } {
  const candidates = [
    fileURLToPath(new URL('../static', moduleUrl)),
    fileURLToPath(new URL('../../static', moduleUrl)),
  ];
  const staticDir = candidates.find((c) => existsSync(c));
  if (!staticDir) throw new Error(`none of these folders exists: ${candidates.join(', ')}`);
  const bundled = join(staticDir, 'dsfr');
  const dsfrDir = existsSync(join(bundled, 'dsfr.min.css'))
    ? bundled
    : join(dirname(createRequire(moduleUrl).resolve('@gouvfr/dsfr/package.json')), 'dist');
  return { staticDir, dsfrDir };
}
