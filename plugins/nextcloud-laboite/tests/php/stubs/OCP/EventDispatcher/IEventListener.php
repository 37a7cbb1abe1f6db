<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\EventDispatcher;

/**
 * Stand-in of Nextcloud's `lib/public/EventDispatcher/IEventListener.php`.
 * @template T of Event
 */
interface IEventListener {
	/**
	 * @param T $event
	 * @since 17.0.0
	 */
	public function handle(Event $event): void;
}
