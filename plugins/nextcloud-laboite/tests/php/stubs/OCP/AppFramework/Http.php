<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Http.php`, reduced to the statuses the app names. */
class Http {
	public const STATUS_OK = 200;
	public const STATUS_BAD_REQUEST = 400;
	public const STATUS_UNAUTHORIZED = 401;
}
