<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\L10N;

use OCP\IL10N;

/** Stand-in of Nextcloud's `lib/public/L10N/IFactory.php`, reduced to `get()`. */
interface IFactory {
	/** @since 8.2.0 */
	public function get($app, $lang = null, $locale = null);
}
