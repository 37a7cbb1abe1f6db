<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IGroup;
use OCP\IGroupManager;
use OCP\IUser;
use OCP\IUserManager;

/** Nextcloud's users and groups, from two arrays: uid => display name, gid => list of uids. */
final class Directory {
	/**
	 * @param array<string, string> $users
	 * @param array<string, list<string>> $groups
	 */
	public function __construct(
		public array $users = [],
		public array $groups = [],
	) {
	}

	public function userManager(): IUserManager {
		return new class($this) implements IUserManager {
			public function __construct(
				private Directory $directory,
			) {
			}

			public function get($uid) {
				return $this->directory->user((string)$uid);
			}
		};
	}

	public function groupManager(): IGroupManager {
		return new class($this) implements IGroupManager {
			public function __construct(
				private Directory $directory,
			) {
			}

			public function get($gid) {
				return $this->directory->group((string)$gid);
			}
		};
	}

	public function user(string $uid): ?IUser {
		if (!isset($this->users[$uid])) {
			return null;
		}
		$name = $this->users[$uid];
		return new class($uid, $name) implements IUser {
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
		};
	}

	public function group(string $gid): ?IGroup {
		if (!isset($this->groups[$gid])) {
			return null;
		}
		$members = array_map(fn ($uid) => $this->user($uid) ?? throw new \LogicException("no user $uid"), $this->groups[$gid]);
		return new class($gid, $members) implements IGroup {
			public function __construct(
				private string $gid,
				private array $members,
			) {
			}

			public function getGID() {
				return $this->gid;
			}

			public function getDisplayName() {
				return $this->gid;
			}

			public function getUsers() {
				return $this->members;
			}

			public function count($search = '') {
				return count($this->members);
			}
		};
	}
}
