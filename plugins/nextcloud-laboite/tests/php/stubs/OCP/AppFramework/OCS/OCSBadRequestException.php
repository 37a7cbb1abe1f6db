<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\OCS;

/** Stand-in of Nextcloud's `lib/public/AppFramework/OCS/OCSBadRequestException.php`: status 400. */
class OCSBadRequestException extends OCSException {
	public function __construct($message = '', ?\Exception $previous = null) {
		parent::__construct($message, 400, $previous);
	}
}
