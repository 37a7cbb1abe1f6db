<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IUser;
use OCP\IUserManager;

/** IUserManager over a lookup (uid => user or null) that the in-memory and the SQLite directories each give. */
final class UserManager implements IUserManager {
	/** @param \Closure(string): ?IUser $find */
	public function __construct(
		private \Closure $find,
	) {
	}

	public function get($uid) {
		return ($this->find)((string)$uid);
	}
}
