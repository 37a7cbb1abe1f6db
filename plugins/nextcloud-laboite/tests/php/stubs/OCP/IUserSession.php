<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IUserSession.php`, reduced to getUser() (since 8.0.0). */
interface IUserSession {
	/** @return IUser|null the signed-in user, or null */
	public function getUser();
}
