<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Dashboard;

/** Stand-in of Nextcloud's `lib/public/Dashboard/IIconWidget.php` (since 25.0.0). */
interface IIconWidget extends IWidget {
	public function getIconUrl(): string;
}
