<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Services;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Services/IInitialState.php`, reduced to what the app calls. */
interface IInitialState {
	/** @since 20.0.0 */
	public function provideInitialState(string $key, $data): void;
}
