<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Bootstrap;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Bootstrap/IBootContext.php` (nothing the app calls). */
interface IBootContext {
}
