<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Http\Client;

/** Stand-in of Nextcloud's `lib/public/Http/Client/IResponse.php`. */
interface IResponse {
	/** @return string|resource @since 8.1.0 */
	public function getBody();

	/** @since 8.1.0 */
	public function getStatusCode(): int;
}
