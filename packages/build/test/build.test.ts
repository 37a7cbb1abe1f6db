import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@apps-education/testkit';
import { expect, it } from 'vitest';
import { buildPeerTubePlugin, missingDeclaredFiles, packedFiles } from '../src/index.js';

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
  // The client script the manifest declares is in the tarball, bundled from src/client/login.ts.
  expect(packedFiles(artefact.file)).toContain('dist/client/login.js');
  expect(missingDeclaredFiles(pkg, packedFiles(artefact.file))).toEqual([]);

  // A separate, plain Node process, as PeerTube loads plugins: CommonJS require() of the library file.
  const library = join(out.path, 'package', 'dist', 'main.js');
  const script = `const p = require(${JSON.stringify(library)}); p.register().then((r) => console.log(r, p.metaUrlWorks()));`;
  const printed = execFileSync(process.execPath, ['-e', script], { cwd: out.path, encoding: 'utf8' });
  expect(printed.trim()).toBe('registered true');
});

it('names every declared file a tarball lacks (library, client scripts, css, translations, static folders)', () => {
  const manifest = {
    library: './dist/main.js',
    clientScripts: [{ script: 'dist/client/login.js', scopes: ['login'] }],
    css: ['assets/style.css'],
    translations: { 'fr-FR': './languages/fr.json' },
    staticDirs: { images: './static/images' },
  };
  expect(missingDeclaredFiles(manifest, ['package.json', 'dist/main.js', 'languages/fr.json'])).toEqual([
    'dist/client/login.js',
    'assets/style.css',
    'static/images/',
  ]);
  expect(
    missingDeclaredFiles(manifest, [
      'dist/main.js',
      'dist/client/login.js',
      'assets/style.css',
      'languages/fr.json',
      'static/images/a.png',
    ]),
  ).toEqual([]);
});

it('refuses to build a plugin that declares a client script with no source', async () => {
  await using out = await tempDir('build-');
  const broken = join(out.path, 'peertube-plugin-broken');
  execFileSync('cp', ['-r', fixture, broken]);
  execFileSync('rm', [join(broken, 'src', 'client', 'login.ts')]);
  await expect(buildPeerTubePlugin({ pluginDir: broken, outDir: out.path })).rejects.toThrow(
    /declares the client script dist\/client\/login\.js/,
  );
});
