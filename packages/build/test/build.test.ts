import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@apps-education/testkit';
import { expect, it } from 'vitest';
import { buildPeerTubePlugin } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixture-plugin', import.meta.url));

it('packs a PeerTube plugin that plain require() loads in Node 20, with openid-client 6 bundled and no dependency', async () => {
  await using out = await tempDir('build-');
  const artefact = await buildPeerTubePlugin({ pluginDir: fixture, copy: ['languages'], outDir: out.path });
  expect(artefact.file).toMatch(/peertube-plugin-build-fixture-1\.2\.3\.tgz$/);

  execFileSync('tar', ['-xzf', artefact.file, '-C', out.path]);
  const pkg = JSON.parse(readFileSync(join(out.path, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;
  expect(pkg.library).toBe('./dist/main.js');
  expect(pkg).not.toHaveProperty('dependencies');
  expect(pkg).not.toHaveProperty('type');
  expect(pkg.translations).toEqual({ 'fr-FR': './languages/fr.json' });
  expect(readFileSync(join(out.path, 'package', 'languages', 'fr.json'), 'utf8')).toContain('Se connecter');

  // A separate, plain Node process, as PeerTube loads plugins: CommonJS require() of the library file.
  const library = join(out.path, 'package', 'dist', 'main.js');
  const script = `const p = require(${JSON.stringify(library)}); p.register().then((r) => console.log(r, p.metaUrlWorks()));`;
  const printed = execFileSync(process.execPath, ['-e', script], { cwd: out.path, encoding: 'utf8' });
  expect(printed.trim()).toBe('registered true');
});
