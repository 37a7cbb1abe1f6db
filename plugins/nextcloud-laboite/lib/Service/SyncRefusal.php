<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** A group-sync call refused: the HTTP status the portal gets (400, 401, 409) and what to fix. */
final class SyncRefusal extends \Exception {
	public function __construct(
		public readonly int $status,
		string $message,
	) {
		parent::__construct($message);
	}
}
