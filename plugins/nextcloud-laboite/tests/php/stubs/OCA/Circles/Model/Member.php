<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\Circles\Model;

/** Stand-in of the Circles app's `lib/Model/Member.php` (Nextcloud 32): a member's id and type (1 user, 4 mail...). */
class Member {
	public const TYPE_USER = 1;
	public const TYPE_MAIL = 4;

	public function __construct(
		private string $userId,
		private int $userType,
	) {
	}

	public function getUserId(): string {
		return $this->userId;
	}

	public function getUserType(): int {
		return $this->userType;
	}
}
