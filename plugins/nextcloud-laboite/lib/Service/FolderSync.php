<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCA\LaBoite\AppInfo\Application;
use OCP\L10N\IFactory;

/**
 * A portal group's shared folder, through the Group folders app: mounted with the group's name for its members, the
 * group's quota, and permissions by role. Members can read, change, create and delete (and share, if the
 * administrator allows it); admins and animators, through the group's managers group, can also share. What an
 * administrator adds by hand (another group given access) is left alone.
 */
final class FolderSync {
	/** OCP\Constants: read 1, update 2, create 4, delete 8, share 16. */
	public const MEMBER_PERMISSIONS = 1 | 2 | 4 | 8;
	public const SHARE = 16;
	public const ALL_PERMISSIONS = 31;
	/** OCP\Files\FileInfo::SPACE_UNLIMITED */
	public const UNLIMITED = -3;
	/** The length of `group_folders`.`mount_point`. */
	private const MOUNT_POINT_LENGTH = 128;
	public const UNAVAILABLE = 'the Group folders app is not enabled: portal groups get no shared folder';
	public const TURNED_OFF = 'shared folders are turned off in the settings';

	public function __construct(
		private FolderBackend $folders,
		private Settings $settings,
		private IFactory $l10n,
	) {
	}

	/**
	 * @param int|null $folderId the group's folder, as last recorded
	 * @return array{folderId: int|null, changes: list<string>, skipped: list<string>}
	 */
	public function converge(GroupState $state, string $managersGroupId, ?int $folderId): array {
		if (!$this->settings->groupFolders()) {
			return ['folderId' => $folderId, 'changes' => [], 'skipped' => [self::TURNED_OFF]];
		}
		if (!$this->folders->available()) {
			return ['folderId' => $folderId, 'changes' => [], 'skipped' => [self::UNAVAILABLE]];
		}
		$changes = [];
		$current = $folderId === null ? null : $this->folders->read($folderId);
		$mountPoint = $this->mountPoint($state, $current === null ? null : $folderId, $current['mountPoint'] ?? null);
		if ($current === null) {
			$folderId = $this->folders->create($mountPoint);
			$current = ['mountPoint' => $mountPoint, 'quota' => null, 'groups' => []];
			$changes[] = "created folder \"$mountPoint\" for {$state->id}";
		} elseif ($current['mountPoint'] !== $mountPoint) {
			$this->folders->rename($folderId, $mountPoint);
			$changes[] = "renamed the folder of {$state->id} \"$mountPoint\"";
		}
		$quota = $state->quotaBytes ?? self::UNLIMITED;
		if ($current['quota'] !== $quota) {
			$this->folders->setQuota($folderId, $quota);
			$changes[] = "set the quota of the folder of {$state->id} to " . ($quota === self::UNLIMITED ? 'unlimited' : "$quota bytes");
		}
		$members = self::MEMBER_PERMISSIONS | ($this->settings->membersCanShare() ? self::SHARE : 0);
		foreach ([$state->id => $members, $managersGroupId => self::ALL_PERMISSIONS] as $groupId => $permissions) {
			$groupId = (string)$groupId;
			if (!isset($current['groups'][$groupId])) {
				$this->folders->grant($folderId, $groupId, $permissions);
				$changes[] = "gave $groupId permissions $permissions on the folder of {$state->id}";
			} elseif ($current['groups'][$groupId] !== $permissions) {
				$this->folders->setPermissions($folderId, $groupId, $permissions);
				$changes[] = "set the permissions of $groupId on the folder of {$state->id} to $permissions";
			}
		}
		return ['folderId' => $folderId, 'changes' => $changes, 'skipped' => []];
	}

	/**
	 * The portal group is gone: its folder is archived (its groups lose access, it is renamed "… (archived)" and
	 * stays in Group folders' settings for an administrator to hand over or delete) or deleted with its files, as
	 * the administrator chose.
	 * @return list<string>
	 */
	public function release(string $portalId, string $managersGroupId, ?int $folderId): array {
		if ($folderId === null || !$this->folders->available()) {
			return [];
		}
		$current = $this->folders->read($folderId);
		if ($current === null) {
			return [];
		}
		if ($this->settings->removedFolders() === 'delete') {
			$this->folders->delete($folderId);
			return ["deleted the folder of $portalId"];
		}
		$changes = [];
		foreach ([$portalId, $managersGroupId] as $groupId) {
			if (isset($current['groups'][$groupId])) {
				$this->folders->revoke($folderId, $groupId);
				$changes[] = "took access to the folder of $portalId from $groupId";
			}
		}
		$suffix = $this->l10n->get(Application::APP_ID, $this->settings->portalLanguage())->t(' (archived)');
		$archived = mb_substr($current['mountPoint'], 0, self::MOUNT_POINT_LENGTH - mb_strlen($suffix)) . $suffix;
		$this->folders->rename($folderId, $archived);
		$changes[] = "archived the folder of $portalId as \"$archived\"";
		return $changes;
	}

	/**
	 * The folder's name: the group's name, with `/` and `\` made dashes so that it stays one folder, or its slug
	 * when nothing is left. When another folder has that name, the slug (or, were it too long, the id) is added.
	 */
	private function mountPoint(GroupState $state, ?int $folderId, ?string $current): string {
		$base = trim(str_replace(['/', '\\'], '-', $state->name));
		if ($base === '' || trim($base, '.') === '') {
			$base = mb_substr($state->slug, 0, 90);
		}
		if ($current === $base || !$this->folders->mountPointTaken($base, $folderId)) {
			return $base;
		}
		$withSlug = "$base ({$state->slug})";
		return mb_strlen($withSlug) <= self::MOUNT_POINT_LENGTH ? $withSlug : "$base ({$state->id})";
	}
}
