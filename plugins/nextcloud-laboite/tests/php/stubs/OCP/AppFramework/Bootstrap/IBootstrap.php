<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Bootstrap;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Bootstrap/IBootstrap.php`. */
interface IBootstrap {
	/** @since 20.0.0 */
	public function register(IRegistrationContext $context): void;

	/** @since 20.0.0 */
	public function boot(IBootContext $context): void;
}
