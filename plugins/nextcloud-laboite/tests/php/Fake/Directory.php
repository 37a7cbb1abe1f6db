<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\IGroup;
use OCP\IGroupManager;
use OCP\IUser;
use OCP\IUserManager;

/**
 * Nextcloud's users and groups in memory: uid => display name, gid => list of uids, and each group's display name.
 * Groups change through IGroup as in Nextcloud (addUser, removeUser, setDisplayName, delete); `calls` counts the
 * changes, so a test can tell that a second identical sync wrote nothing.
 */
final class Directory {
	/** @var array<string, string> gid => display name */
	public array $names = [];
	public int $calls = 0;

	/**
	 * @param array<string, string> $users
	 * @param array<string, list<string>> $groups
	 */
	public function __construct(
		public array $users = [],
		public array $groups = [],
	) {
		foreach (array_keys($groups) as $gid) {
			$this->names[$gid] = (string)$gid;
		}
	}

	public function userManager(): IUserManager {
		return new UserManager(fn (string $uid) => $this->user($uid));
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

			public function getUserGroupIds(IUser $user): array {
				return array_keys(array_filter($this->directory->groups, fn ($uids) => in_array($user->getUID(), $uids, true)));
			}

			public function createGroup($gid) {
				$gid = (string)$gid;
				if (!isset($this->directory->groups[$gid])) {
					$this->directory->calls++;
					$this->directory->groups[$gid] = [];
					$this->directory->names[$gid] = $gid;
				}
				return $this->directory->group($gid);
			}
		};
	}

	public function user(string $uid): ?IUser {
		if (!isset($this->users[$uid])) {
			return null;
		}
		return new User($uid, $this->users[$uid]);
	}

	public function group(string $gid): ?IGroup {
		if (!isset($this->groups[$gid])) {
			return null;
		}
		return new class($this, $gid) implements IGroup {
			public function __construct(
				private Directory $directory,
				private string $gid,
			) {
			}

			public function getGID(): string {
				return $this->gid;
			}

			public function getDisplayName(): string {
				return $this->directory->names[$this->gid] ?? $this->gid;
			}

			public function setDisplayName(string $displayName): bool {
				$this->directory->calls++;
				$this->directory->names[$this->gid] = $displayName;
				return true;
			}

			public function getUsers(): array {
				return array_map(fn ($uid) => $this->directory->user($uid) ?? throw new \LogicException("no user $uid"), $this->directory->groups[$this->gid] ?? []);
			}

			public function inGroup(IUser $user): bool {
				return in_array($user->getUID(), $this->directory->groups[$this->gid] ?? [], true);
			}

			public function addUser(IUser $user): void {
				if (!$this->inGroup($user)) {
					$this->directory->calls++;
					$this->directory->groups[$this->gid][] = $user->getUID();
				}
			}

			public function removeUser(IUser $user): void {
				$this->directory->calls++;
				$this->directory->groups[$this->gid] = array_values(array_diff($this->directory->groups[$this->gid] ?? [], [$user->getUID()]));
			}

			public function count(string $search = ''): int|bool {
				return count($this->directory->groups[$this->gid] ?? []);
			}

			public function delete(): bool {
				$this->directory->calls++;
				unset($this->directory->groups[$this->gid], $this->directory->names[$this->gid]);
				return true;
			}
		};
	}
}
