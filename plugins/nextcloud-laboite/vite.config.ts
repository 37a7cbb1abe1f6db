// SPDX-License-Identifier: AGPL-3.0-or-later
import { createAppConfig } from '@nextcloud/vite-config';

// js/laboite-admin.mjs (Administration settings > LaBoite) and js/laboite-files.mjs (the Files action), as
// Nextcloud's Util::addScript('laboite', 'laboite-admin') finds them.
export default createAppConfig(
  {
    admin: 'src/admin.ts',
    files: 'src/files.ts',
  },
  {
    inlineCSS: { relativeCSSInjection: true },
    // The tarball carries the built files and their licences, not their source maps.
    config: { build: { sourcemap: false } },
  },
);
