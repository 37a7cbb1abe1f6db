<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IGroup.php`, reduced to the methods the app calls. */
interface IGroup {
	/** @since 8.0.0 */
	public function getGID();

	/** @since 12.0.0 */
	public function getDisplayName();

	/** @return IUser[] @since 8.0.0 */
	public function getUsers();

	/** @since 8.0.0 */
	public function count($search = '');
}
