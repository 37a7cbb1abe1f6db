<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Http\Client;

/** Stand-in of Nextcloud's `lib/public/Http/Client/IClientService.php`. */
interface IClientService {
	/** @since 8.1.0 */
	public function newClient(): IClient;
}
