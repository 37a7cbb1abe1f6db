<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\EventDispatcher;

/** Stand-in of Nextcloud's `lib/public/EventDispatcher/Event.php` (a base class with no abstract member). */
class Event {
	public function __construct() {
	}
}
