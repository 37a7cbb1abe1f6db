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

/**
 * Converges Nextcloud to a portal group's state: a Nextcloud group whose id is the portal group's id and whose
 * display name is its name, with exactly its members. Idempotent: a second call with the same state changes nothing
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
			return ['changes' => $changes, 'skipped' => $skipped];
		}
		$this->config->setValueString(Application::APP_ID, 'reconcile_progress', '');
		$result = $this->db->executeQuery('SELECT `portal_id` FROM `*PREFIX*' . self::TABLE . '` WHERE `seen_run` IS NULL OR `seen_run` <> ?', [$runId]);
		$gone = $result->fetchAll();
		$result->closeCursor();
		foreach ($gone as $row) {
			array_push($changes, ...$this->removeManaged((string)$row['portal_id']));
		}
		return ['changes' => $changes, 'skipped' => $skipped];
	}

	/**
	 * @param string|null $runId the full reconcile this call is part of (the group is marked as seen by it)
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncConflictException when the group id belongs to a Nextcloud group the app does not manage
	 */
	public function converge(GroupState $state, ?string $runId = null): array {
		$changes = [];
		$skipped = [];
		$managed = $this->isManaged($state->id);
		$group = $this->groups->get($state->id);
		if ($group !== null && !$managed) {
			throw new SyncConflictException("a Nextcloud group with the id {$state->id} exists and was not made by the portal: rename it, or delete it");
		}
		if ($group === null) {
			$group = $this->groups->createGroup($state->id);
			if ($group === null) {
				throw new \RuntimeException("Nextcloud could not create the group {$state->id}");
			}
			$changes[] = "created group {$state->id}";
		}
		if ($group->getDisplayName() !== $state->name) {
			$group->setDisplayName($state->name);
			$changes[] = "named group {$state->id} \"{$state->name}\"";
		}
		$this->remember($state, $managed, $runId);

		$current = [];
		foreach ($group->getUsers() as $user) {
			$current[$user->getUID()] = $user;
		}
		foreach (array_keys($state->members) as $uid) {
			$uid = (string)$uid;
			if (isset($current[$uid])) {
				continue;
			}
			$user = $this->users->get($uid);
			if ($user === null) {
				$skipped[] = "$uid has no Nextcloud account yet";
				continue;
			}
			$group->addUser($user);
			$changes[] = "added $uid to {$state->id}";
		}
		foreach ($current as $uid => $user) {
			if (!array_key_exists((string)$uid, $state->members)) {
				$group->removeUser($user);
				$changes[] = "removed $uid from {$state->id}";
			}
		}
		return ['changes' => $changes, 'skipped' => $skipped];
	}

	/**
	 * The portal group is gone: its Nextcloud group loses every member and is deleted. A group the app does not
	 * manage is left alone.
	 * @return list<string>
	 */
	public function remove(string $portalId): array {
		return $this->isManaged($portalId) ? $this->removeManaged($portalId) : [];
	}

	/** @return list<string> */
	private function removeManaged(string $portalId): array {
		$changes = [];
		$group = $this->groups->get($portalId);
		if ($group instanceof IGroup) {
			foreach ($group->getUsers() as $user) {
				$group->removeUser($user);
				$changes[] = 'removed ' . $user->getUID() . " from $portalId";
			}
			$group->delete();
			$changes[] = "deleted group $portalId";
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
		$result = $this->db->executeQuery('SELECT 1 FROM `*PREFIX*' . self::TABLE . '` WHERE `portal_id` = ?', [$portalId]);
		$found = $result->fetchOne() !== false;
		$result->closeCursor();
		return $found;
	}

	/** One write per call: the group's row, with the run that saw it, if any. */
	private function remember(GroupState $state, bool $managed, ?string $runId): void {
		$now = $this->time->getTime();
		if ($managed) {
			$this->db->executeStatement(
				'UPDATE `*PREFIX*' . self::TABLE . '` SET `name` = ?, `slug` = ?, `updated_at` = ?, `seen_run` = COALESCE(?, `seen_run`) WHERE `portal_id` = ?',
				[$state->name, $state->slug, $now, $runId, $state->id],
			);
			return;
		}
		$this->db->insertIgnoreConflict(self::TABLE, ['portal_id' => $state->id, 'name' => $state->name, 'slug' => $state->slug, 'updated_at' => $now, 'seen_run' => $runId]);
	}
}
