import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Unpacks the PeerTube plugin tarball `pnpm build` made into `<into>/<npm name>/`, as the README tells an
 * administrator to (PeerTube takes the folder's name as the npm name; `tar` alone gives `package/`). Returns the folder.
 */
export function unpackPeerTubePlugin(npmName: string, into: string): string {
  const tarball = artefact(`${npmName}-`);
  const staging = join(into, `.unpack-${npmName}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', staging]);
  const folder = join(into, npmName);
  rmSync(folder, { recursive: true, force: true });
  renameSync(join(staging, 'package'), folder);
  rmSync(staging, { recursive: true, force: true });
  return folder;
}
