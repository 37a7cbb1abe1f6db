<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\Circles\Exceptions;

/** Stand-in of the Circles app's `lib/Exceptions/CircleNotFoundException.php`. */
class CircleNotFoundException extends \Exception {
}
