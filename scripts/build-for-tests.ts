/**
 * vitest globalSetup: tests load the artefacts `pnpm build` ships (the PeerTube plugin tarballs, the service
 * package), never a build of their own, so the run starts by making them.
 */
import { buildArtefacts } from '@apps-education/testkit';

export default function setup(): void {
  const started = Date.now();
  buildArtefacts();
  console.log(`pnpm build for the tests: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
