<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Share\Events;

use OCP\EventDispatcher\Event;
use OCP\Share\IShare;

/** Stand-in of Nextcloud's `lib/public/Share/Events/ShareCreatedEvent.php` (dispatched once the share is stored). */
class ShareCreatedEvent extends Event {
	public function __construct(
		private IShare $share,
	) {
		parent::__construct();
	}

	public function getShare(): IShare {
		return $this->share;
	}
}
