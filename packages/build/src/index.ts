import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

/**
 * The one build helper of the suite: every plugin turns its TypeScript into what its host loads with these
 * functions, so that all artefacts are made the same way.
 */

const NODE_TARGET = 'node20';

/**
 * ESM-only dependencies (openid-client 6, jose) use `import.meta.url`; in a CommonJS bundle it does not exist, so it
 * is defined from `__filename`, which PeerTube's `require()` provides.
 */
const CJS_IMPORT_META_SHIM = 'const __bundle_import_meta_url = require("url").pathToFileURL(__filename).href;';

export interface PeerTubePluginBuild {
  /** The plugin's folder (holds package.json, README.md, languages/, ...). */
  readonly pluginDir: string;
  /** Server entry, relative to pluginDir. */
  readonly entry?: string;
  /** Extra files or folders copied as they are (relative to pluginDir): languages/, assets/, LICENSE. */
  readonly copy?: readonly string[];
  /** Where the tarball goes (the root dist/). */
  readonly outDir: string;
}

export interface Artefact {
  readonly kind: 'peertube-plugin' | 'service' | 'nextcloud-app' | 'grafana-dashboard' | 'prometheus-rules';
  readonly file: string;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/**
 * Bundles a PeerTube plugin into one CommonJS file with every dependency inside (PeerTube loads `library` with
 * `require()`, and installs plugins with yarn: no runtime dependency means nothing to fetch), writes a package.json
 * without dependencies, and packs it with `npm pack` into outDir.
 */
export async function buildPeerTubePlugin(options: PeerTubePluginBuild): Promise<Artefact> {
  const pluginDir = resolve(options.pluginDir);
  const manifest = readJson(join(pluginDir, 'package.json'));
  // Every client script the manifest declares (dist/client/<name>.js) is bundled from src/client/<name>.ts.
  const clientScripts = declaredClientScripts(manifest).map((script) => {
    const name = /^(?:\.\/)?dist\/client\/([\w-]+)\.js$/.exec(script)?.[1];
    const source = name ? join(pluginDir, 'src', 'client', `${name}.ts`) : '';
    if (!name || !existsSync(source)) {
      throw new Error(
        `package.json declares the client script ${script}: expected dist/client/<name>.js built from src/client/<name>.ts`,
      );
    }
    return { script, source };
  });

  const staging = join(pluginDir, 'dist', 'package');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  await bundle({
    entryPoints: [join(pluginDir, options.entry ?? 'src/entry/main.ts')],
    outfile: join(staging, 'dist', 'main.js'),
    format: 'cjs',
    platform: 'node',
    target: NODE_TARGET,
    banner: { js: CJS_IMPORT_META_SHIM },
    define: { 'import.meta.url': '__bundle_import_meta_url' },
  });
  for (const { script, source } of clientScripts) {
    await bundle({
      entryPoints: [source],
      outfile: join(staging, script),
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
    });
  }
  const published = { ...manifest, library: './dist/main.js' } as Record<string, unknown>;
  for (const field of ['dependencies', 'devDependencies', 'scripts', 'private', 'type', 'exports'])
    delete published[field];
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', ...(options.copy ?? [])]) {
    if (existsSync(join(pluginDir, file))) cpSync(join(pluginDir, file), join(staging, file), { recursive: true });
  }
  const file = pack(staging, options.outDir);
  const missing = missingDeclaredFiles(published, packedFiles(file));
  if (missing.length > 0)
    throw new Error(`${basename(file)} lacks files its package.json declares: ${missing.join(', ')}`);
  return { kind: 'peertube-plugin', file };
}

function declaredClientScripts(manifest: Record<string, unknown>): string[] {
  const scripts = Array.isArray(manifest.clientScripts) ? manifest.clientScripts : [];
  return scripts.map((c) => String((c as { script?: unknown }).script ?? ''));
}

/** The files in a tarball made by npm pack, without the leading `package/`. */
export function packedFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
}

/**
 * What PeerTube will look for in the package (library, client scripts, css, translations, static folders) and the
 * tarball does not hold. PeerTube installs a plugin whose declared client script is missing and then answers 404
 * for it: the login page silently loses its script. So a build with anything missing fails.
 */
export function missingDeclaredFiles(manifest: Record<string, unknown>, files: readonly string[]): string[] {
  const clean = (p: string) => p.replace(/^\.\//, '').replace(/\/$/, '');
  const have = new Set(files.map(clean));
  const declared = [
    String(manifest.library ?? ''),
    ...declaredClientScripts(manifest),
    ...(Array.isArray(manifest.css) ? manifest.css.map(String) : []),
    ...Object.values((manifest.translations ?? {}) as Record<string, unknown>).map(String),
  ].map(clean);
  const missing = declared.filter((f) => !have.has(f));
  for (const dir of Object.values((manifest.staticDirs ?? {}) as Record<string, unknown>).map((d) =>
    clean(String(d)),
  )) {
    if (![...have].some((f) => f.startsWith(`${dir}/`))) missing.push(`${dir}/`);
  }
  return missing;
}

export interface ServiceBuild {
  readonly serviceDir: string;
  /** The command-line entry, relative to serviceDir. */
  readonly entry?: string;
  /** The command name, e.g. `keycloak-cas-bridge`. */
  readonly bin: string;
  /** Native modules left out of the bundle and listed as dependencies (better-sqlite3). */
  readonly native?: Readonly<Record<string, string>>;
  readonly copy?: readonly string[];
  /** Folders made elsewhere, copied into the package under these names: { static: '/tmp/static' }. */
  readonly extraFiles?: Readonly<Record<string, string>>;
  readonly outDir: string;
}

/** Bundles a service into one ES module with a shebang, its native modules as the only dependencies, and packs it. */
export async function buildService(options: ServiceBuild): Promise<Artefact> {
  const serviceDir = resolve(options.serviceDir);
  const staging = join(serviceDir, 'dist', 'package');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const outfile = join(staging, 'bin', `${options.bin}.mjs`);
  await bundle({
    entryPoints: [join(serviceDir, options.entry ?? 'src/entry/cli.ts')],
    outfile,
    format: 'esm',
    platform: 'node',
    target: NODE_TARGET,
    external: Object.keys(options.native ?? {}),
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const manifest = readJson(join(serviceDir, 'package.json'));
  const published: Record<string, unknown> = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    type: 'module',
    engines: { node: '>=20.19' },
    bin: { [options.bin]: `./bin/${options.bin}.mjs` },
    dependencies: options.native ?? {},
  };
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE', ...(options.copy ?? [])]) {
    if (existsSync(join(serviceDir, file))) cpSync(join(serviceDir, file), join(staging, file), { recursive: true });
  }
  for (const [name, source] of Object.entries(options.extraFiles ?? {}))
    cpSync(source, join(staging, name), { recursive: true });
  return { kind: 'service', file: pack(staging, options.outDir) };
}

/** Copies a file artefact (a Grafana dashboard, alert rules) into outDir. */
/**
 * A service's static files with DSFR's CSS, fonts and icons beside them (in `dsfr/`), staged in dist/ for
 * `buildService`'s `extraFiles`: the pages of the package need nothing from a CDN. `dsfrDist` is DSFR's dist/ as the
 * service resolves it.
 */
export function stageStaticWithDsfr(serviceDir: string, dsfrDist: string): string {
  const staging = join(resolve(serviceDir), 'dist', 'static-with-dsfr');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(resolve(serviceDir), 'static'), staging, { recursive: true });
  for (const part of ['dsfr.min.css', 'fonts', 'icons'])
    cpSync(join(dsfrDist, part), join(staging, 'dsfr', part), { recursive: true });
  return staging;
}

export function copyArtefact(kind: Artefact['kind'], source: string, outDir: string): Artefact {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, basename(source));
  cpSync(source, file);
  return { kind, file };
}

/** An artefact made in memory (a generated dashboard, say), written to outDir under its file name. */
export function writeArtefact(kind: Artefact['kind'], fileName: string, content: string, outDir: string): Artefact {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, fileName);
  writeFileSync(file, content);
  return { kind, file };
}

async function bundle(options: BuildOptions): Promise<void> {
  const result = await build({
    bundle: true,
    sourcemap: false,
    legalComments: 'linked',
    logLevel: 'silent',
    metafile: false,
    ...options,
  });
  const problems = result.errors.map((e) => e.text);
  if (problems.length > 0) throw new Error(`esbuild failed:\n${problems.join('\n')}`);
}

function pack(staging: string, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const output = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(outDir)], {
    cwd: staging,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = output.trim().split('\n').at(-1);
  if (!name) throw new Error(`npm pack printed no file name in ${staging}`);
  return join(resolve(outDir), name);
}

export interface NextcloudAppBuild {
  /** The app's folder: appinfo/info.xml, lib/, l10n/... */
  readonly appDir: string;
  /** What goes into the tarball, relative to appDir (folders and files as they are). */
  readonly include: readonly string[];
  /** Where the tarball goes (the root dist/). */
  readonly outDir: string;
  /** Files made at build time, by path relative to the app's folder (`l10n/fr.js` from `l10n/fr.json`, say). */
  readonly generate?: Readonly<Record<string, string>>;
}

/**
 * A Nextcloud app tarball as the app store and `occ app:install` from a file expect: one folder named after the
 * app's id at the top (`laboite/appinfo/info.xml`, ...), gzip, named `<id>-<version>.tar.gz` from info.xml. Only the
 * listed parts go in: no tests, sources or node_modules.
 */
export function buildNextcloudApp(options: NextcloudAppBuild): Artefact {
  const appDir = resolve(options.appDir);
  const infoXml = readFileSync(join(appDir, 'appinfo', 'info.xml'), 'utf8');
  const id = /<id>([a-z_]+)<\/id>/.exec(infoXml)?.[1];
  const version = /<version>(\d+\.\d+\.\d+)<\/version>/.exec(infoXml)?.[1];
  if (!id || !version) throw new Error('appinfo/info.xml needs an <id> (a-z and _) and a <version> (x.y.z)');
  const staging = join(appDir, 'dist', 'stage');
  rmSync(staging, { recursive: true, force: true });
  for (const part of options.include) {
    if (!existsSync(join(appDir, part))) throw new Error(`${part} is listed for the app tarball but does not exist`);
    cpSync(join(appDir, part), join(staging, id, part), { recursive: true });
  }
  for (const [path, content] of Object.entries(options.generate ?? {})) {
    mkdirSync(dirname(join(staging, id, path)), { recursive: true });
    writeFileSync(join(staging, id, path), content);
  }
  mkdirSync(options.outDir, { recursive: true });
  const file = join(resolve(options.outDir), `${id}-${version}.tar.gz`);
  // Fixed owner and order: the same sources make the same tarball.
  execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '-czf', file, '-C', staging, id]);
  rmSync(staging, { recursive: true, force: true });
  return { kind: 'nextcloud-app', file };
}
