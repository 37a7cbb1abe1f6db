<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\Circles\Model;

/** Stand-in of the Circles app's `lib/Model/Circle.php` (Nextcloud 32), reduced to the method the app calls. */
class Circle {
	/** @param list<Member> $members */
	public function __construct(
		private array $members,
	) {
	}

	/** @return list<Member> */
	public function getInheritedMembers(bool $detailed = false, bool $remote = false): array {
		return $this->members;
	}
}
