import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import semver from 'semver';

/**
 * Installing a plugin from a local folder, as an administrator does with POST /api/v1/plugins/install {"path": ...}
 * (server/core/lib/plugins/plugin-manager.ts, install and sanitizeAndCheckPackageJSONOrThrow;
 * server/core/lib/plugins/yarn.ts; server/core/helpers/custom-validators/plugins.ts, isPackageJSONValid):
 * - PeerTube runs `yarn add file:<path>` and takes **the folder's name** as the npm name: a tarball unpacked by
 *   `npm pack`/`tar` lands in `package/`, which must be renamed like the package;
 * - package.json must have name (peertube-plugin-*), description, engine.peertube, homepage and bugs (URLs), author,
 *   a library path without `..`; staticDirs, css, clientScripts and translations default to empty; a declared path
 *   with `..` is refused;
 * - the library must export register() and unregister().
 * The folder is copied to <data>/plugins/node_modules/<npm name>, as yarn does, and loaded from there.
 */
export interface ClientScript {
  readonly script: string;
  readonly scopes: readonly string[];
}

export interface InstalledPlugin {
  readonly path: string;
  readonly npmName: string;
  readonly shortName: string;
  readonly version: string;
  readonly libraryPath: string;
  readonly clientScripts: readonly ClientScript[];
  readonly translations: Readonly<Record<string, string>>;
  readonly staticDirs: Readonly<Record<string, string>>;
  readonly css: readonly string[];
  readonly description: string;
  readonly homepage: string;
  readonly engine: string;
}

export class PluginInstallError extends Error {
  constructor(path: string, reason: string) {
    super(`Cannot install plugin ${path}: ${reason}`);
    this.name = 'PluginInstallError';
  }
}

const isUrl = (value: unknown) => {
  if (typeof value !== 'string') return false;
  if (value === '') return true;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};
const isSafePath = (value: unknown) => typeof value === 'string' && value.split(sep).every((part) => part !== '..');

export function installPlugin(from: string, pluginsDir: string, peertubeVersion: string): InstalledPlugin {
  const npmName = basename(from.replace(/\/+$/, ''));
  const manifestPath = join(from, 'package.json');
  if (!existsSync(manifestPath)) throw new PluginInstallError(from, 'no package.json in this folder');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  if (manifest.name !== npmName) {
    throw new PluginInstallError(
      from,
      `PeerTube takes the folder's name ("${npmName}") as the npm name, but package.json says "${String(manifest.name)}": ` +
        `unpack the tarball into a folder named "${String(manifest.name)}"`,
    );
  }
  const staticDirs = (manifest.staticDirs ?? {}) as Record<string, unknown>;
  const css = (manifest.css ?? []) as unknown[];
  const clientScripts = (manifest.clientScripts ?? []) as { script?: unknown; scopes?: unknown }[];
  const translations = (manifest.translations ?? {}) as Record<string, unknown>;
  const engine = (manifest.engine as { peertube?: unknown } | undefined)?.peertube;
  const bad: string[] = [];
  if (!/^[a-z\-._0-9]+$/.test(npmName) || !npmName.startsWith('peertube-plugin-')) bad.push('name');
  if (typeof manifest.description !== 'string' || manifest.description.length > 250) bad.push('description');
  if (typeof engine !== 'string') bad.push('engine');
  if (!isUrl(manifest.homepage)) bad.push('homepage');
  if (manifest.author === undefined || manifest.author === null) bad.push('author');
  if (!isUrl(manifest.bugs)) bad.push('bugs');
  if (!isSafePath(manifest.library)) bad.push('library');
  if (typeof staticDirs !== 'object' || !Object.values(staticDirs).every(isSafePath)) bad.push('staticDirs');
  if (!Array.isArray(css) || !css.every(isSafePath)) bad.push('css');
  if (!Array.isArray(clientScripts) || !clientScripts.every((c) => isSafePath(c.script) && Array.isArray(c.scopes)))
    bad.push('clientScripts');
  if (typeof translations !== 'object' || !Object.values(translations).every(isSafePath)) bad.push('translations');
  if (bad.length > 0)
    throw new PluginInstallError(
      from,
      `PackageJSON is invalid (invalid fields: ${bad.map((f) => `"${f}"`).join(', ')}).`,
    );
  if (!semver.satisfies(peertubeVersion, String(engine))) {
    throw new PluginInstallError(from, `it needs PeerTube ${String(engine)}, this one is ${peertubeVersion}`);
  }
  const path = join(pluginsDir, 'node_modules', npmName);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(join(pluginsDir, 'node_modules'), { recursive: true });
  cpSync(from, path, { recursive: true });
  const libraryPath = join(path, String(manifest.library));
  if (!existsSync(libraryPath))
    throw new PluginInstallError(from, `its library ${String(manifest.library)} is missing`);
  return {
    path,
    npmName,
    shortName: npmName.replace(/^peertube-plugin-/, ''),
    version: String(manifest.version ?? '0.0.0'),
    libraryPath,
    clientScripts: clientScripts as ClientScript[],
    translations: translations as Record<string, string>,
    staticDirs: staticDirs as Record<string, string>,
    css: css as string[],
    description: String(manifest.description),
    homepage: String(manifest.homepage),
    engine: String(engine),
  };
}
