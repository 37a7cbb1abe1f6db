<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework;

use OCP\IRequest;

/** Stand-in of Nextcloud's `lib/public/AppFramework/OCSController.php` (through Controller): the request it keeps. */
abstract class OCSController {
	public function __construct(
		protected $appName,
		protected IRequest $request,
	) {
	}
}
