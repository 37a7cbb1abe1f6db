<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\App;

/** Stand-in of Nextcloud's `lib/public/App/IAppManager.php`, reduced to those the app calls. */
interface IAppManager {
	/**
	 * @param string $appId
	 * @return bool
	 * @since 8.0.0
	 * @deprecated 32.0.0 Use either isEnabledForUser or isEnabledForAnyone
	 */
	public function isInstalled($appId);

	/** @since 32.0.0 */
	public function isEnabledForAnyone(string $appId): bool;
}
