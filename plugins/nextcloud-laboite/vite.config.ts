// SPDX-License-Identifier: AGPL-3.0-or-later
import { createAppConfig } from '@nextcloud/vite-config';

// js/laboite-admin.mjs (Administration settings > LaBoite), js/laboite-files.mjs (the Files action) and
// js/laboite-dashboard.mjs (the dashboard widget), as
// Nextcloud's Util::addScript('laboite', 'laboite-admin') finds them.
export default createAppConfig(
  {
    admin: 'src/admin.ts',
    files: 'src/files.ts',
    dashboard: 'src/dashboard.ts',
  },
  {
    inlineCSS: { relativeCSSInjection: true },
    // The tarball carries the built files and their licences, not their source maps.
    config: { build: { sourcemap: false } },
  },
);
