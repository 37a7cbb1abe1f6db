import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` needs only Node and npm packages (`pnpm test`, passes on any machine after `pnpm install`);
 * `interop` talks to system peers (`pnpm test:interop`: PostgreSQL, Redis, Apache, php, promtool, Chromium...),
 * files named `*.interop.test.ts`. A missing peer fails its test with the package to install; nothing is skipped.
 */
const workspace = ['packages/*/{src,test}/**', 'plugins/*/{src,test,tests}/**', 'tests/**'];

export default defineConfig({
  test: {
    // Tests load what `pnpm build` ships (dist/): it runs once before the tests.
    globalSetup: ['./scripts/build-for-tests.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: workspace.map((dir) => `${dir}/*.test.ts`),
          exclude: ['**/node_modules/**', '**/*.interop.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
          // @nextcloud/vue's modules import their CSS: Vite, not Node, must load them (nextcloud-laboite's components).
          server: { deps: { inline: [/@nextcloud\/vue/] } },
        },
      },
      {
        test: {
          name: 'interop',
          include: workspace.map((dir) => `${dir}/*.interop.test.ts`),
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // System peers hold ports and databases: one file at a time keeps their logs readable.
          fileParallelism: false,
        },
      },
    ],
  },
});
