<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Bootstrap;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Bootstrap/IRegistrationContext.php`, reduced to what the app calls. */
interface IRegistrationContext {
	/** @since 20.0.0 */
	public function registerServiceAlias(string $alias, string $target): void;

	/** @since 21.0.0 */
	public function registerEventListener(string $event, string $listener, int $priority = 0): void;

	/** @since 20.0.0 */
	public function registerDashboardWidget(string $widgetClass): void;
}
