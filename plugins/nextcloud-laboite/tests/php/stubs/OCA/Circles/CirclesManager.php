<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\Circles;

use OCA\Circles\Exceptions\CircleNotFoundException;
use OCA\Circles\Model\Circle;
use OCA\Circles\Model\Member;

/**
 * Stand-in of the Circles app's `lib/CirclesManager.php` (Nextcloud 32), reduced to the methods the app calls, with
 * their signatures. Reading a team needs a session (getCircle throws without one, as the real one finds no
 * initiator); an unknown team throws CircleNotFoundException. The teams: id => list of [user id, user type].
 */
class CirclesManager {
	public bool $inSession = false;

	/** @param array<string, list<array{0: string, 1: int}>> $teams */
	public function __construct(
		public array $teams = [],
	) {
	}

	public function startSuperSession(bool $forceSync = false): void {
		$this->inSession = true;
	}

	public function stopSession(): void {
		$this->inSession = false;
	}

	public function getCircle(string $singleId, ?object $probe = null): Circle {
		if (!$this->inSession) {
			throw new \LogicException('no initiator: start a session first');
		}
		if (!isset($this->teams[$singleId])) {
			throw new CircleNotFoundException('Circle not found');
		}
		return new Circle(array_map(fn ($member) => new Member($member[0], $member[1]), $this->teams[$singleId]));
	}
}
