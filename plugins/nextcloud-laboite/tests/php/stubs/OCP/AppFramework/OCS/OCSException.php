<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\OCS;

/** Stand-in of Nextcloud's `lib/public/AppFramework/OCS/OCSException.php`: message and OCS status as the code. */
class OCSException extends \Exception {
}
