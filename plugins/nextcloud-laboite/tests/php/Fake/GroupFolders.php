<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCA\Circles\CirclesManager;
use OCA\GroupFolders\Folder\FolderManager;
use OCA\GroupFolders\Mount\FolderStorageManager;
use OCA\LaBoite\Service\EnabledApps;
use OCA\LaBoite\Service\FolderSync;
use OCA\LaBoite\Service\GroupFoldersBackend;
use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Service\TeamMembers;
use OCP\App\IAppManager;
use OCP\AppFramework\Utility\ITimeFactory;
use OCP\IAppConfig;
use OCP\IDBConnection;
use OCP\IGroupManager;
use OCP\IUserManager;
use OCP\L10N\IFactory;
use Psr\Container\ContainerInterface;

/**
 * The Group folders and Circles apps as the app finds them in Nextcloud: enabled or not (`enabled`; Circles when
 * `circles` is set), the Group folders app's FolderManager and FolderStorageManager (the stand-ins of
 * stubs/OCA/GroupFolders) over the tables of the given database, and the Circles app's CirclesManager, from the
 * server's container. `groupSync()` wires GroupSync as Nextcloud's container does.
 */
final class GroupFolders implements IAppManager, ContainerInterface {
	public bool $enabled = true;
	public FolderManager $manager;
	public FolderStorageManager $storage;
	public ?CirclesManager $circles = null;

	public function __construct(
		private IDBConnection $db,
	) {
		$this->manager = new FolderManager($db);
		$this->storage = new FolderStorageManager();
	}

	public function isInstalled($appId) {
		return ($appId === 'groupfolders' && $this->enabled) || ($appId === 'circles' && $this->circles !== null);
	}

	public function isEnabledForAnyone(string $appId): bool {
		return $this->isInstalled($appId);
	}

	public function get(string $id) {
		return match ($id) {
			FolderManager::class => $this->manager,
			FolderStorageManager::class => $this->storage,
			CirclesManager::class => $this->circles ?? throw new \LogicException('the Circles app is not enabled'),
			default => throw new \LogicException("no service $id"),
		};
	}

	public function has(string $id): bool {
		return in_array($id, [FolderManager::class, FolderStorageManager::class], true);
	}

	public function groupSync(IGroupManager $groups, IUserManager $users, ITimeFactory $time, IAppConfig $config, IFactory $l10n): GroupSync {
		$settings = new Settings($config);
		$folders = new FolderSync(new GroupFoldersBackend(new EnabledApps($this), $this, $this->db), $settings, $l10n);
		return new GroupSync($groups, $users, $this->db, $time, $config, $settings, $l10n, $folders);
	}

	/** TeamMembers as Nextcloud's container wires it, reading the Circles app when `circles` is set. */
	public function teamMembers(): TeamMembers {
		return new TeamMembers(new EnabledApps($this), $this);
	}

	/**
	 * The folders as they are: mount point => [quota, [group id => permissions]].
	 * @return array<string, array{0: int, 1: array<string, int>}>
	 */
	public function folders(): array {
		$folders = [];
		$result = $this->db->executeQuery('SELECT f.`folder_id`, f.`mount_point`, f.`quota`, g.`group_id`, g.`permissions` FROM `*PREFIX*group_folders` f LEFT JOIN `*PREFIX*group_folders_groups` g ON g.`folder_id` = f.`folder_id` ORDER BY f.`folder_id`, g.`group_id`');
		foreach ($result->fetchAll() as $row) {
			$folders[$row['mount_point']] ??= [(int)$row['quota'], []];
			if ($row['group_id'] !== null) {
				$folders[$row['mount_point']][1][$row['group_id']] = (int)$row['permissions'];
			}
		}
		$result->closeCursor();
		return $folders;
	}
}
