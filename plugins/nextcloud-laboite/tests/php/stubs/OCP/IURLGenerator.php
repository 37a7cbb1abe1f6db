<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IURLGenerator.php`, reduced to `getAbsoluteURL()`. */
interface IURLGenerator {
	/** Makes a URL absolute with the server's address (`overwrite.cli.url` in a background job). @since 6.0.0 */
	public function getAbsoluteURL(string $url): string;
}
