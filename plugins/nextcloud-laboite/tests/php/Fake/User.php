<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IUser;

/** A Nextcloud user: its uid and display name. */
final class User implements IUser {
	public function __construct(
		private string $uid,
		private string $name,
	) {
	}

	public function getUID() {
		return $this->uid;
	}

	public function getDisplayName() {
		return $this->name;
	}
}
