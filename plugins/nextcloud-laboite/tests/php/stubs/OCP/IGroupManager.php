<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IGroupManager.php` (server 32), reduced to the methods the app calls. */
interface IGroupManager {
	/** @return IGroup|null @since 8.0.0 */
	public function get($gid);

	/** @return IGroup|null @since 8.0.0 */
	public function createGroup($gid);

	/** @return list<string> the ids of the user's groups @since 8.0.0 */
	public function getUserGroupIds(IUser $user): array;
}
