<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\Http\Client\IResponse;

/** An HTTP answer as Nextcloud's client gives it: its status and its body. */
final class Response implements IResponse {
	public function __construct(
		private int $status,
		private string $body,
	) {
	}

	public function getBody() {
		return $this->body;
	}

	public function getStatusCode(): int {
		return $this->status;
	}
}
