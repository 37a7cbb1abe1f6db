<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Http;

/** Stand-in of Nextcloud's `lib/public/AppFramework/Http/DataResponse.php`: its data and status. */
class DataResponse {
	public function __construct(
		private mixed $data = [],
		private int $statusCode = 200,
		array $headers = [],
	) {
	}

	public function getData() {
		return $this->data;
	}

	public function getStatus() {
		return $this->statusCode;
	}
}
