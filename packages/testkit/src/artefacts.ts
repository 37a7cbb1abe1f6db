import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The artefacts `pnpm build` ships, for the tests and benches that must load what is published rather than a build of
 * their own: the root dist/ and its MANIFEST.txt. The root vitest config builds them once before a run
 * (scripts/build-for-tests.ts); a bench calls buildArtefacts() itself.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const ARTEFACTS_DIR = join(REPO_ROOT, 'dist');

/** Runs `pnpm build` at the root (every plugin's artefact into dist/). */
export function buildArtefacts(): void {
  execFileSync('pnpm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The path of the artefact in dist/MANIFEST.txt whose file name starts with `prefix` (e.g. the npm name). */
export function artefact(prefix: string): string {
  const manifest = join(ARTEFACTS_DIR, 'MANIFEST.txt');
  if (!existsSync(manifest)) throw new Error(`${manifest} is missing: run \`pnpm build\` first`);
  const names = readFileSync(manifest, 'utf8')
    .split('\n')
    .map((line) => line.split(/\s+/)[1])
    .filter((name): name is string => Boolean(name?.startsWith(prefix)));
  if (names.length !== 1) throw new Error(`dist/ holds ${names.length} artefacts named ${prefix}*: run \`pnpm build\``);
  return join(ARTEFACTS_DIR, names[0] as string);
}

/** Unpacks the tarball `pnpm build` made for `npmName` into `<into>/<folderName>/` (`tar` alone gives `package/`). */
function unpackTarball(npmName: string, into: string, folderName: string): string {
  const tarball = artefact(`${npmName}-`);
  const staging = join(into, `.unpack-${npmName}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  const folder = join(into, folderName);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(dirname(folder), { recursive: true });
  renameSync(join(staging, 'package'), folder);
  rmSync(staging, { recursive: true, force: true });
  return folder;
}

/**
 * Unpacks the PeerTube plugin tarball `pnpm build` made into `<into>/<npm name>/`, as the README tells an
 * administrator to (PeerTube takes the folder's name as the npm name). Returns the folder.
 */
export function unpackPeerTubePlugin(npmName: string, into: string): string {
  return unpackTarball(npmName, into, npmName);
}

/**
 * Unpacks the Nextcloud app tarball `pnpm build` made (`<appId>-<version>.tar.gz`) into `into`, as an administrator
 * would into `custom_apps/`: gives `<into>/<appId>/`, and fails if the tarball holds anything beside that folder.
 */
export function unpackNextcloudApp(appId: string, into: string): string {
  const tarball = artefact(`${appId}-`);
  const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const outside = entries.filter((entry) => entry !== `${appId}/` && !entry.startsWith(`${appId}/`));
  if (outside.length > 0) throw new Error(`${tarball} holds entries outside ${appId}/: ${outside.join(', ')}`);
  mkdirSync(into, { recursive: true });
  rmSync(join(into, appId), { recursive: true, force: true });
  execFileSync('tar', ['-xzf', tarball, '-C', into]);
  return join(into, appId);
}

/**
 * Installs the service package `pnpm build` made as `npm install <tarball>` would: into `<into>/node_modules/<npm name>/`
 * with only the dependencies its package.json declares beside it (linked from the workspace's copy, found from
 * `resolveFrom`, so nothing compiles), so a module the bundle forgot fails here as it would for an administrator.
 * Returns the package folder and the path of each `bin`.
 */
export function installServicePackage(
  npmName: string,
  into: string,
  resolveFrom: string,
): { folder: string; bin: Record<string, string> } {
  const folder = unpackTarball(npmName, into, join('node_modules', npmName));
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    bin?: Record<string, string>;
  };
  const require = createRequire(join(resolveFrom, 'package.json'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    const link = join(into, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(dirname(require.resolve(`${dependency}/package.json`)), link, 'dir');
  }
  const bin = Object.fromEntries(Object.entries(manifest.bin ?? {}).map(([name, path]) => [name, join(folder, path)]));
  return { folder, bin };
}
