<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\GroupFolders\Folder;

use OCP\IDBConnection;

/**
 * Stand-in of the Group folders app's `lib/Folder/FolderManager.php` (nextcloud/groupfolders v20.1.18, for
 * Nextcloud 32), reduced to the methods the app calls, with their signatures. Each writes the app's two tables as the
 * real one does (a new folder has the quota -4, "default"; a group given access has every permission, 31), and
 * refuses what the database refuses (a group given access twice breaks the unique index).
 */
class FolderManager {
	public const SPACE_DEFAULT = -4;

	public function __construct(
		private IDBConnection $connection,
	) {
	}

	public function getFolder(int $id): ?object {
		$result = $this->connection->executeQuery('SELECT `folder_id`, `mount_point` FROM `*PREFIX*group_folders` WHERE `folder_id` = ?', [$id]);
		$rows = $result->fetchAll();
		$result->closeCursor();
		return $rows === [] ? null : (object)['id' => (int)$rows[0]['folder_id'], 'mountPoint' => (string)$rows[0]['mount_point']];
	}

	public function createFolder(string $mountPoint, array $options = []): int {
		$this->connection->executeStatement(
			'INSERT INTO `*PREFIX*group_folders` (`mount_point`, `quota`, `options`) VALUES (?, ?, ?)',
			[$mountPoint, self::SPACE_DEFAULT, json_encode(['separate-storage' => true])],
		);
		$result = $this->connection->executeQuery('SELECT MAX(`folder_id`) FROM `*PREFIX*group_folders`');
		$id = (int)$result->fetchOne();
		$result->closeCursor();
		return $id;
	}

	public function addApplicableGroup(int $folderId, string $groupId): void {
		$this->connection->executeStatement(
			'INSERT INTO `*PREFIX*group_folders_groups` (`folder_id`, `group_id`, `circle_id`, `permissions`) VALUES (?, ?, ?, ?)',
			[$folderId, $groupId, '', 31],
		);
	}

	public function removeApplicableGroup(int $folderId, string $groupId): void {
		$this->connection->executeStatement('DELETE FROM `*PREFIX*group_folders_groups` WHERE `folder_id` = ? AND (`group_id` = ? OR `circle_id` = ?)', [$folderId, $groupId, $groupId]);
	}

	public function setGroupPermissions(int $folderId, string $groupId, int $permissions): void {
		$this->connection->executeStatement(
			'UPDATE `*PREFIX*group_folders_groups` SET `permissions` = ? WHERE `folder_id` = ? AND (`group_id` = ? OR `circle_id` = ?)',
			[$permissions, $folderId, $groupId, $groupId],
		);
	}

	public function removeFolder(int $folderId): void {
		$this->connection->executeStatement('DELETE FROM `*PREFIX*group_folders` WHERE `folder_id` = ?', [$folderId]);
	}

	public function setFolderQuota(int $folderId, int $quota): void {
		$this->connection->executeStatement('UPDATE `*PREFIX*group_folders` SET `quota` = ? WHERE `folder_id` = ?', [$quota, $folderId]);
	}

	public function renameFolder(int $folderId, string $newMountPoint): void {
		$this->connection->executeStatement('UPDATE `*PREFIX*group_folders` SET `mount_point` = ? WHERE `folder_id` = ?', [$newMountPoint, $folderId]);
	}
}
