<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCA\LaBoite\Tests\SqliteConnection;
use OCP\IGroup;
use OCP\IGroupManager;
use OCP\IUser;
use OCP\IUserManager;

/**
 * Nextcloud's users and groups in the tables of its database backend (`oc_users`, `oc_groups`, `oc_group_user`, with
 * their columns), so that a state survives between the requests of `php -S` and a test can change it by hand.
 */
final class SqliteDirectory implements IGroupManager {
	public function __construct(
		private SqliteConnection $db,
	) {
		$db->pdo->exec('CREATE TABLE IF NOT EXISTS oc_users (uid VARCHAR(64) PRIMARY KEY, displayname VARCHAR(64))');
		$db->pdo->exec('CREATE TABLE IF NOT EXISTS oc_groups (gid VARCHAR(64) PRIMARY KEY, displayname VARCHAR(255) NOT NULL)');
		$db->pdo->exec('CREATE TABLE IF NOT EXISTS oc_group_user (gid VARCHAR(64) NOT NULL, uid VARCHAR(64) NOT NULL, PRIMARY KEY (gid, uid))');
	}

	/** The group of this id; the users are `users()`. */
	public function get($gid) {
		$name = $this->column('SELECT displayname FROM oc_groups WHERE gid = ?', [(string)$gid]);
		return $name === false ? null : $this->groupObject((string)$gid);
	}

	public function createGroup($gid) {
		$this->db->pdo->prepare('INSERT OR IGNORE INTO oc_groups (gid, displayname) VALUES (?, ?)')->execute([(string)$gid, (string)$gid]);
		return $this->get($gid);
	}

	public function getUserGroupIds(IUser $user): array {
		$statement = $this->db->pdo->prepare('SELECT gid FROM oc_group_user WHERE uid = ? ORDER BY gid');
		$statement->execute([$user->getUID()]);
		return $statement->fetchAll(\PDO::FETCH_COLUMN);
	}

	public function users(): IUserManager {
		return new UserManager(fn (string $uid) => $this->user($uid));
	}

	public function user(string $uid): ?IUser {
		$name = $this->column('SELECT displayname FROM oc_users WHERE uid = ?', [$uid]);
		if ($name === false) {
			return null;
		}
		return new User($uid, (string)$name);
	}

	private function column(string $sql, array $params): mixed {
		$statement = $this->db->pdo->prepare($sql);
		$statement->execute($params);
		return $statement->fetchColumn();
	}

	private function groupObject(string $gid): IGroup {
		return new class($this, $this->db, $gid) implements IGroup {
			public function __construct(
				private SqliteDirectory $directory,
				private SqliteConnection $db,
				private string $gid,
			) {
			}

			private function run(string $sql, array $params): void {
				$this->db->pdo->prepare($sql)->execute($params);
			}

			public function getGID(): string {
				return $this->gid;
			}

			public function getDisplayName(): string {
				$statement = $this->db->pdo->prepare('SELECT displayname FROM oc_groups WHERE gid = ?');
				$statement->execute([$this->gid]);
				return (string)$statement->fetchColumn();
			}

			public function setDisplayName(string $displayName): bool {
				$this->run('UPDATE oc_groups SET displayname = ? WHERE gid = ?', [$displayName, $this->gid]);
				return true;
			}

			public function getUsers(): array {
				$statement = $this->db->pdo->prepare('SELECT uid FROM oc_group_user WHERE gid = ? ORDER BY uid');
				$statement->execute([$this->gid]);
				return array_values(array_filter(array_map(fn ($uid) => $this->directory->user((string)$uid), $statement->fetchAll(\PDO::FETCH_COLUMN))));
			}

			public function inGroup(IUser $user): bool {
				$statement = $this->db->pdo->prepare('SELECT 1 FROM oc_group_user WHERE gid = ? AND uid = ?');
				$statement->execute([$this->gid, $user->getUID()]);
				return $statement->fetchColumn() !== false;
			}

			public function addUser(IUser $user): void {
				$this->run('INSERT OR IGNORE INTO oc_group_user (gid, uid) VALUES (?, ?)', [$this->gid, $user->getUID()]);
			}

			public function removeUser(IUser $user): void {
				$this->run('DELETE FROM oc_group_user WHERE gid = ? AND uid = ?', [$this->gid, $user->getUID()]);
			}

			public function count(string $search = ''): int|bool {
				return count($this->getUsers());
			}

			public function delete(): bool {
				$this->run('DELETE FROM oc_group_user WHERE gid = ?', [$this->gid]);
				$this->run('DELETE FROM oc_groups WHERE gid = ?', [$this->gid]);
				return true;
			}
		};
	}
}
