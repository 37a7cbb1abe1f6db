<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IURLGenerator.php`, reduced to `getAbsoluteURL()` and `imagePath()`. */
interface IURLGenerator {
	/** Makes a URL absolute with the server's address (`overwrite.cli.url` in a background job). @since 6.0.0 */
	public function getAbsoluteURL(string $url): string;

	/** The path of an app's image (`/apps/<app>/img/<file>`). @since 6.0.0 */
	public function imagePath(string $appName, string $file): string;
}
