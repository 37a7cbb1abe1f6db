/** `pnpm build`: the Nextcloud app tarball `laboite-<version>.tar.gz` (`laboite/` at the top). */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNextcloudApp } from '@apps-education/build';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.ARTEFACTS_DIR ?? join(here, 'dist');

// Nextcloud reads an app's translations from l10n/<lang>.json on the server and l10n/<lang>.js in the browser: the
// .js files are made here from the .json ones, so that the two never differ.
const generate: Record<string, string> = {};
for (const file of readdirSync(join(here, 'l10n')).filter((f) => f.endsWith('.json'))) {
  const { translations, pluralForm } = JSON.parse(readFileSync(join(here, 'l10n', file), 'utf8')) as {
    translations: Record<string, string>;
    pluralForm: string;
  };
  generate[`l10n/${file.replace(/\.json$/, '.js')}`] =
    `OC.L10N.register(\n    "laboite",\n    ${JSON.stringify(translations, null, 4).replace(/\n/g, '\n    ')},\n    ${JSON.stringify(pluralForm)});\n`;
}

// The front end (src/, Vue 3 with @nextcloud/vue) built by @nextcloud/vite-config into js/.
execFileSync('vite', ['build', '--logLevel', 'warn'], { cwd: here, stdio: 'inherit' });

const app = buildNextcloudApp({
  appDir: here,
  include: ['appinfo', 'lib', 'l10n', 'templates', 'js', 'img', 'README.md', 'CHANGELOG.md'],
  outDir,
  generate,
});
console.log(`  ${app.file}`);
