<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IUser.php`, reduced to the getters the app uses. */
interface IUser {
	/** @since 8.0.0 */
	public function getUID();

	/** @since 8.0.0 */
	public function getDisplayName();
}
