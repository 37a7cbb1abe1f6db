<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCA\LaBoite\AppInfo\Application;
use OCP\AppFramework\Utility\ITimeFactory;
use OCP\IAppConfig;
use OCP\IDBConnection;
use OCP\IGroup;
use OCP\IGroupManager;
use OCP\IUser;
use OCP\IUserManager;
use OCP\L10N\IFactory;

/**
 * Converges Nextcloud to a portal group's state: a Nextcloud group whose id is the portal group's id and whose
 * display name is its name, with exactly its members; a second one, `<id>-managers`, with its admins and animators;
 * and its shared folder (FolderSync). Idempotent: a second call with the same state changes nothing
 * and says so (no change listed). The portal groups it manages are listed in `oc_laboite_groups`, so that a group
 * an administrator made by hand is never touched, and a reconcile knows which to remove.
 *
 * A member without a Nextcloud account yet (one is made at their first sign-in) is skipped and reported; the next
 * call after their first sign-in adds them.
 */
final class GroupSync {
	public const TABLE = 'laboite_groups';

	public function __construct(
		private IGroupManager $groups,
		private IUserManager $users,
		private IDBConnection $db,
		private ITimeFactory $time,
		private IAppConfig $config,
		private Settings $settings,
		private IFactory $l10n,
		private FolderSync $folders,
	) {
	}

	/**
	 * One page of a full reconcile: the portal streams every group it has, in pages numbered from 0 under one run
	 * id, the last one marked. Each group is converged; after the last page, the managed groups the run did not
	 * list are removed. A page out of order (a new run, or one lost) is refused, so an interrupted run never removes
	 * anything; the portal starts again from page 0 with a new run id.
	 *
	 * @param list<GroupState> $states
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncConflictException for a page out of order
	 */
	public function reconcilePage(string $runId, int $page, bool $last, array $states): array {
		$expected = $page === 0 ? null : $runId . ':' . $page;
		$progress = $this->config->getValueString(Application::APP_ID, 'reconcile_progress', '');
		if ($expected !== null && $progress !== $expected) {
			throw new SyncConflictException("reconcile page $page of run $runId is out of order: start again from page 0");
		}
		$changes = [];
		$skipped = [];
		foreach ($states as $state) {
			try {
				$result = $this->converge($state, $runId);
			} catch (SyncConflictException $e) {
				$skipped[] = $e->getMessage();
				continue;
			}
			array_push($changes, ...$result['changes']);
			array_push($skipped, ...$result['skipped']);
		}
		if (!$last) {
			$this->config->setValueString(Application::APP_ID, 'reconcile_progress', $runId . ':' . ($page + 1));
			return ['changes' => $changes, 'skipped' => array_values(array_unique($skipped))];
		}
		$this->config->setValueString(Application::APP_ID, 'reconcile_progress', '');
		$result = $this->db->executeQuery('SELECT `portal_id`, `folder_id` FROM `*PREFIX*' . self::TABLE . '` WHERE `seen_run` IS NULL OR `seen_run` <> ?', [$runId]);
		$gone = $result->fetchAll();
		$result->closeCursor();
		foreach ($gone as $row) {
			array_push($changes, ...$this->removeManaged((string)$row['portal_id'], self::folderIdOf($row)));
		}
		return ['changes' => $changes, 'skipped' => array_values(array_unique($skipped))];
	}

	/**
	 * @param string|null $runId the full reconcile this call is part of (the group is marked as seen by it)
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncConflictException when the group id belongs to a Nextcloud group the app does not manage
	 */
	public function converge(GroupState $state, ?string $runId = null): array {
		$row = $this->managedRow($state->id);
		$managersId = self::managersGroupId($state->id);
		$group = $this->groups->get($state->id);
		$managers = $this->groups->get($managersId);
		foreach ([$state->id => $group, $managersId => $managers] as $gid => $existing) {
			if ($existing !== null && $row === null) {
				throw new SyncConflictException("a Nextcloud group with the id $gid exists and was not made by the portal: rename it, or delete it");
			}
		}
		// Recorded before anything is changed: a call that fails half-way (Nextcloud does not run it in one
		// transaction) leaves groups that the next call recognises as its own and repairs, never a conflict.
		$folderId = $row === null ? null : self::folderIdOf($row);
		$this->remember($state, $row !== null, $runId, $folderId);
		$changes = [];
		$skipped = [];
		$l = $this->l10n->get(Application::APP_ID, $this->settings->portalLanguage());
		$managerUids = array_keys(array_filter($state->members, fn ($role) => $role !== 'member'));
		$this->syncGroup($group, $state->id, $state->name, array_keys($state->members), $changes, $skipped);
		$ignored = [];
		$this->syncGroup($managers, $managersId, $l->t('%s (admins and animators)', [$state->name]), $managerUids, $changes, $ignored);
		$folder = $this->folders->converge($state, $managersId, $folderId);
		if ($folder['folderId'] !== $folderId) {
			$this->db->executeStatement('UPDATE `*PREFIX*' . self::TABLE . '` SET `folder_id` = ? WHERE `portal_id` = ?', [$folder['folderId'], $state->id]);
		}
		array_push($changes, ...$folder['changes']);
		array_push($skipped, ...$folder['skipped']);
		return ['changes' => $changes, 'skipped' => $skipped];
	}

	/** The Nextcloud group of a portal group's admins and animators: what gives them every right on its folder. */
	public static function managersGroupId(string $portalId): string {
		return $portalId . '-managers';
	}

	/**
	 * One Nextcloud group made to hold exactly these users under this name. A user without an account yet is
	 * reported in $skipped.
	 * @param list<int|string> $uids
	 * @param list<string> $changes
	 * @param list<string> $skipped
	 */
	private function syncGroup(?IGroup $group, string $gid, string $name, array $uids, array &$changes, array &$skipped): void {
		if ($group === null) {
			$group = $this->groups->createGroup($gid);
			if ($group === null) {
				throw new \RuntimeException("Nextcloud could not create the group $gid");
			}
			$changes[] = "created group $gid";
		}
		if ($group->getDisplayName() !== $name) {
			$group->setDisplayName($name);
			$changes[] = "named group $gid \"$name\"";
		}
		$current = [];
		foreach ($group->getUsers() as $user) {
			$current[$user->getUID()] = $user;
		}
		$wanted = [];
		foreach ($uids as $uid) {
			$uid = (string)$uid;
			$wanted[$uid] = true;
			if (isset($current[$uid])) {
				continue;
			}
			$user = $this->users->get($uid);
			if ($user === null) {
				$skipped[] = "$uid has no Nextcloud account yet";
				continue;
			}
			$group->addUser($user);
			$changes[] = "added $uid to $gid";
		}
		foreach ($current as $uid => $user) {
			if (!isset($wanted[(string)$uid])) {
				$group->removeUser($user);
				$changes[] = "removed $uid from $gid";
			}
		}
	}

	/**
	 * The portal group is gone: its Nextcloud groups lose every member and are deleted, its folder is archived or
	 * deleted (FolderSync::release). A group the app does not manage is left alone.
	 * @return list<string>
	 */
	public function remove(string $portalId): array {
		$row = $this->managedRow($portalId);
		return $row === null ? [] : $this->removeManaged($portalId, self::folderIdOf($row));
	}

	/** @return list<string> */
	private function removeManaged(string $portalId, ?int $folderId): array {
		$changes = $this->folders->release($portalId, self::managersGroupId($portalId), $folderId);
		foreach ([$portalId, self::managersGroupId($portalId)] as $gid) {
			$group = $this->groups->get($gid);
			if ($group instanceof IGroup) {
				foreach ($group->getUsers() as $user) {
					$group->removeUser($user);
					$changes[] = 'removed ' . $user->getUID() . " from $gid";
				}
				$group->delete();
				$changes[] = "deleted group $gid";
			}
		}
		$this->db->executeStatement('DELETE FROM `*PREFIX*' . self::TABLE . '` WHERE `portal_id` = ?', [$portalId]);
		return $changes;
	}

	/**
	 * The synced portal groups a user belongs to, by name: what the Files action "share with a portal group" offers.
	 * A user in none gets an empty list.
	 * @return list<array{id: string, name: string, slug: string}>
	 */
	public function portalGroupsOf(IUser $user): array {
		$gids = $this->groups->getUserGroupIds($user);
		$found = [];
		// By chunks of 500: a user's groups are few, but the database's limit on parameters is not ours to find.
		foreach (array_chunk($gids, 500) as $chunk) {
			$result = $this->db->executeQuery(
				'SELECT `portal_id`, `name`, `slug` FROM `*PREFIX*' . self::TABLE . '` WHERE `portal_id` IN (' . implode(', ', array_fill(0, count($chunk), '?')) . ')',
				array_values($chunk),
			);
			foreach ($result->fetchAll() as $row) {
				$found[] = ['id' => (string)$row['portal_id'], 'name' => (string)$row['name'], 'slug' => (string)$row['slug']];
			}
			$result->closeCursor();
		}
		usort($found, fn ($a, $b) => strcoll($a['name'], $b['name']) ?: strcmp($a['id'], $b['id']));
		return $found;
	}

	/** Whether the Nextcloud group with this id is a portal group's, made and kept by the sync. */
	public function isManaged(string $portalId): bool {
		return $this->managedRow($portalId) !== null;
	}

	/** @param array{folder_id: int|string|null} $row */
	private static function folderIdOf(array $row): ?int {
		return $row['folder_id'] === null ? null : (int)$row['folder_id'];
	}

	/** @return array{folder_id: int|string|null}|null */
	private function managedRow(string $portalId): ?array {
		$result = $this->db->executeQuery('SELECT `folder_id` FROM `*PREFIX*' . self::TABLE . '` WHERE `portal_id` = ?', [$portalId]);
		$rows = $result->fetchAll();
		$result->closeCursor();
		return $rows[0] ?? null;
	}

	/** One write per call: the group's row, with the run that saw it, if any. */
	private function remember(GroupState $state, bool $managed, ?string $runId, ?int $folderId): void {
		$now = $this->time->getTime();
		if ($managed) {
			$this->db->executeStatement(
				'UPDATE `*PREFIX*' . self::TABLE . '` SET `name` = ?, `slug` = ?, `updated_at` = ?, `seen_run` = COALESCE(?, `seen_run`), `folder_id` = ? WHERE `portal_id` = ?',
				[$state->name, $state->slug, $now, $runId, $folderId, $state->id],
			);
			return;
		}
		$this->db->insertIgnoreConflict(self::TABLE, ['portal_id' => $state->id, 'name' => $state->name, 'slug' => $state->slug, 'updated_at' => $now, 'seen_run' => $runId, 'folder_id' => $folderId]);
	}
}
