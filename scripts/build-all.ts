/**
 * `pnpm build`: runs the `build` script of every plugin (each uses @apps-education/build) with ARTEFACTS_DIR set to
 * the root dist/, then lists what dist/ holds, with checksums, in dist/MANIFEST.txt.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const pluginsDir = join(root, 'plugins');
const plugins = existsSync(pluginsDir)
  ? readdirSync(pluginsDir).filter((d) => existsSync(join(pluginsDir, d, 'package.json')))
  : [];
for (const plugin of plugins) {
  const manifest = JSON.parse(readFileSync(join(pluginsDir, plugin, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (!manifest.scripts?.build) {
    console.error(`build: plugins/${plugin} has no "build" script`);
    process.exit(1);
  }
  console.log(`build: plugins/${plugin}`);
  execFileSync('pnpm', ['run', '--silent', 'build'], {
    cwd: join(pluginsDir, plugin),
    stdio: 'inherit',
    env: { ...process.env, ARTEFACTS_DIR: dist },
  });
}

const files = readdirSync(dist)
  .filter((f) => f !== 'MANIFEST.txt')
  .sort();
const lines = files.map(
  (f) =>
    `${createHash('sha256')
      .update(readFileSync(join(dist, f)))
      .digest('hex')}  ${f}`,
);
writeFileSync(join(dist, 'MANIFEST.txt'), `${lines.join('\n')}${lines.length ? '\n' : ''}`);
console.log(
  `build: ${files.length} artefact(s) in dist/ from ${plugins.length} plugin(s)${files.length ? `:\n  ${files.join('\n  ')}` : ''}`,
);
