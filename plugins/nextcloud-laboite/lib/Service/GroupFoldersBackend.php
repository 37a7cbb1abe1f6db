<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCP\IDBConnection;
use Psr\Container\ContainerInterface;

/**
 * The Group folders app (nextcloud/groupfolders, 19 for Nextcloud 31, 20 for 32): its changes go through its
 * FolderManager, whose methods used here have kept the same signatures from 19 to 23, so that its events and checks
 * run as for a change made in its own settings. What a folder is now is read from its two tables
 * (`group_folders`, `group_folders_groups`, unchanged since 2018), because FolderManager::getFolder returned an
 * array in 19 and an object from 20.
 *
 * The app's classes are looked up only when it is enabled; this app does not require it.
 */
final class GroupFoldersBackend implements FolderBackend {
	private const MANAGER = 'OCA\\GroupFolders\\Folder\\FolderManager';
	private const STORAGE_MANAGER = 'OCA\\GroupFolders\\Mount\\FolderStorageManager';
	private const MOUNT_PROVIDER = 'OCA\\GroupFolders\\Mount\\MountProvider';

	public function __construct(
		private EnabledApps $apps,
		private ContainerInterface $container,
		private IDBConnection $db,
	) {
	}

	public function available(): bool {
		return $this->apps->has('groupfolders') && class_exists(self::MANAGER);
	}

	public function read(int $folderId): ?array {
		// One query: the folder and the groups given access to it (none: one row whose group is null).
		$result = $this->db->executeQuery(
			'SELECT f.`mount_point`, f.`quota`, g.`group_id`, g.`permissions` FROM `*PREFIX*group_folders` f '
			. 'LEFT JOIN `*PREFIX*group_folders_groups` g ON g.`folder_id` = f.`folder_id` WHERE f.`folder_id` = ?',
			[$folderId],
		);
		$rows = $result->fetchAll();
		$result->closeCursor();
		if ($rows === []) {
			return null;
		}
		$groups = [];
		foreach ($rows as $row) {
			if ($row['group_id'] !== null && (string)$row['group_id'] !== '') {
				$groups[(string)$row['group_id']] = (int)$row['permissions'];
			}
		}
		return ['mountPoint' => (string)$rows[0]['mount_point'], 'quota' => (int)$rows[0]['quota'], 'groups' => $groups];
	}

	public function mountPointTaken(string $mountPoint, ?int $except): bool {
		$result = $this->db->executeQuery('SELECT `folder_id` FROM `*PREFIX*group_folders` WHERE `mount_point` = ?', [$mountPoint]);
		$ids = array_map(fn ($row) => (int)$row['folder_id'], $result->fetchAll());
		$result->closeCursor();
		return array_diff($ids, [$except]) !== [];
	}

	public function create(string $mountPoint): int {
		return $this->manager()->createFolder($mountPoint);
	}

	public function rename(int $folderId, string $mountPoint): void {
		$this->manager()->renameFolder($folderId, $mountPoint);
	}

	public function setQuota(int $folderId, int $quota): void {
		$this->manager()->setFolderQuota($folderId, $quota);
	}

	public function grant(int $folderId, string $groupId, int $permissions): void {
		$this->manager()->addApplicableGroup($folderId, $groupId);
		$this->manager()->setGroupPermissions($folderId, $groupId, $permissions);
	}

	public function setPermissions(int $folderId, string $groupId, int $permissions): void {
		$this->manager()->setGroupPermissions($folderId, $groupId, $permissions);
	}

	public function revoke(int $folderId, string $groupId): void {
		$this->manager()->removeApplicableGroup($folderId, $groupId);
	}

	/**
	 * As the app's own "delete folder" does: its files first, then the folder. Version 20 and later remove the
	 * folder's storages (FolderStorageManager::deleteStoragesForFolder); 19 deletes the folder's root node
	 * (MountProvider::getFolder). Each is looked for before it is called.
	 */
	public function delete(int $folderId): void {
		$manager = $this->manager();
		if (method_exists(self::STORAGE_MANAGER, 'deleteStoragesForFolder')) {
			$folder = $manager->getFolder($folderId);
			if (is_object($folder)) {
				$this->container->get(self::STORAGE_MANAGER)->deleteStoragesForFolder($folder);
			}
		} elseif (method_exists(self::MOUNT_PROVIDER, 'getFolder')) {
			$this->container->get(self::MOUNT_PROVIDER)->getFolder($folderId, false)?->delete();
		}
		$manager->removeFolder($folderId);
	}

	private function manager(): object {
		return $this->container->get(self::MANAGER);
	}
}
