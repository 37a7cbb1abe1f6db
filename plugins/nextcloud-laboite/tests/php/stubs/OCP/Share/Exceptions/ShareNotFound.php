<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Share\Exceptions;

/** Stand-in of Nextcloud's `lib/public/Share/Exceptions/ShareNotFound.php`. */
class ShareNotFound extends \Exception {
}
