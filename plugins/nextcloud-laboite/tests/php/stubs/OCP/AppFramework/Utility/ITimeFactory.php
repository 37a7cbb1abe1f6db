<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Utility;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Utility/ITimeFactory.php`, reduced to `getTime()`. */
interface ITimeFactory {
	/** Unix time in seconds. @since 8.0.0 */
	public function getTime(): int;
}
