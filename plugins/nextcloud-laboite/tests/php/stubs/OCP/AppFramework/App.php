<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework;

/** Stand-in of Nextcloud's `lib/public/AppFramework/App.php`: only its constructor. */
class App {
	public function __construct(string $appName, array $urlParams = []) {
	}
}
