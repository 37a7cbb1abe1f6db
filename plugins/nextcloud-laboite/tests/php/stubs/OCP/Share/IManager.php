<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Share;

use OCP\Share\Exceptions\ShareNotFound;

/** Stand-in of Nextcloud's `lib/public/Share/IManager.php` (server 32), reduced to `getShareById()`. */
interface IManager {
	/**
	 * @param string $id the full id, `ocinternal:42`
	 * @throws ShareNotFound
	 * @since 9.0.0
	 */
	public function getShareById($id, $recipient = null, bool $onlyValid = true);
}
