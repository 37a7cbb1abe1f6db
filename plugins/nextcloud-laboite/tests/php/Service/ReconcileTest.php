<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\SyncConflictException;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\SqliteConnection;
use PHPUnit\Framework\TestCase;

/** A full reconcile: every portal group in pages under one run, then the managed groups it did not list removed. */
final class ReconcileTest extends TestCase {
	private const RUN = '0b7d3c1e-8f2a-4c55-9d41-2f0e6a1b7c90';
	private const RUN2 = '1c8e4d2f-9a3b-4d66-8e52-3a1f7b2c8d01';

	private Directory $directory;
	private SqliteConnection $db;
	private GroupSync $sync;
	private GroupFolders $folders;

	private function setUpPlatform(int $users): void {
		$names = [];
		for ($i = 0; $i < $users; $i++) {
			$names["user$i"] = "User $i";
		}
		$this->directory = new Directory($names, ['admin' => ['user0']]);
		$this->db = new SqliteConnection();
		$this->sync = ($this->folders = new GroupFolders($this->db))->groupSync($this->directory->groupManager(), $this->directory->userManager(), $nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..')), new AppConfig(), $nextcloud);
	}

	/** @return list<GroupState> `$count` groups of `$size` members drawn from the users, the same for one seed. */
	private function portalGroups(int $count, int $size, int $users): array {
		mt_srand(14);
		$states = [];
		for ($g = 0; $g < $count; $g++) {
			$members = [];
			while (count($members) < $size) {
				$members['user' . mt_rand(0, $users - 1)] = ['admin', 'animator', 'member', 'member', 'member'][mt_rand(0, 4)];
			}
			$id = sprintf('grp%014d', $g);
			$states[] = GroupState::fromArray([
				'id' => $id,
				'name' => "Groupe $g",
				'slug' => "groupe-$g",
				'members' => array_map(fn ($uid, $role) => ['username' => (string)$uid, 'role' => $role], array_keys($members), $members),
				'quotaBytes' => null,
			], $id);
		}
		return $states;
	}

	/** @return list<string> every change of a full run in pages of 100 */
	private function runAll(string $runId, array $states): array {
		$changes = [];
		$pages = array_chunk($states, 100) ?: [[]];
		foreach ($pages as $page => $chunk) {
			array_push($changes, ...$this->sync->reconcilePage($runId, $page, $page === count($pages) - 1, $chunk)['changes']);
		}
		return $changes;
	}

	public function testAtThePlatformsScaleCreatesEverythingThenNothingThenRepairsExactlyTheDrift(): void {
		$users = 20000;
		$this->setUpPlatform($users);
		$states = $this->portalGroups(1700, 30, $users);

		$first = $this->runAll(self::RUN, $states);
		$managers = array_sum(array_map(fn ($state) => count(array_filter($state->members, fn ($role) => $role !== 'member')), $states));
		$this->assertCount(1700 * (2 + 30 + 2 + 4) + $managers, $first, 'each group and managers group created, named, their members added; each folder created, its quota set and its two groups given access');
		$this->assertCount(1700 * 2 + 1, $this->directory->groups);
		$this->assertCount(1700, $this->folders->folders());

		$calls = $this->directory->calls;
		$this->assertSame([], $this->runAll(self::RUN2, $states));
		$this->assertSame($calls, $this->directory->calls, 'the second run writes nothing');

		// Drift by hand: a member removed from 20 groups, an outsider added to 20 others, 5 groups renamed, 3 deleted
		// (Group folders then takes their access to their folders away), the members' permissions changed on 10
		// folders, the quota of 5, one folder deleted.
		$expected = [];
		for ($g = 0; $g < 20; $g++) {
			$gid = $states[$g]->id;
			$removed = array_shift($this->directory->groups[$gid]);
			$expected[] = "added $removed to $gid";
		}
		for ($g = 100; $g < 120; $g++) {
			$gid = $states[$g]->id;
			$this->directory->groups[$gid][] = 'user0';
			if (!array_key_exists('user0', $states[$g]->members)) {
				$expected[] = "removed user0 from $gid";
			}
		}
		for ($g = 200; $g < 205; $g++) {
			$gid = $states[$g]->id;
			$this->directory->names[$gid] = 'Renamed by hand';
			$expected[] = "named group $gid \"{$states[$g]->name}\"";
		}
		for ($g = 300; $g < 303; $g++) {
			$gid = $states[$g]->id;
			unset($this->directory->groups[$gid], $this->directory->names[$gid]);
			$this->db->executeStatement('DELETE FROM `*PREFIX*group_folders_groups` WHERE `group_id` = ?', [$gid]);
			$expected[] = "created group $gid";
			$expected[] = "named group $gid \"{$states[$g]->name}\"";
			foreach (array_keys($states[$g]->members) as $uid) {
				$expected[] = "added $uid to $gid";
			}
			$expected[] = "gave $gid permissions 15 on the folder of $gid";
		}
		$folderOf = fn (string $gid): int => (int)$this->db->pdo->query("SELECT folder_id FROM oc_laboite_groups WHERE portal_id = '$gid'")->fetchColumn();
		for ($g = 400; $g < 410; $g++) {
			$gid = $states[$g]->id;
			$this->folders->manager->setGroupPermissions($folderOf($gid), $gid, 31);
			$expected[] = "set the permissions of $gid on the folder of $gid to 15";
		}
		for ($g = 500; $g < 505; $g++) {
			$gid = $states[$g]->id;
			$this->folders->manager->setFolderQuota($folderOf($gid), 1000);
			$expected[] = "set the quota of the folder of $gid to unlimited";
		}
		$gid = $states[600]->id;
		$this->folders->manager->removeFolder($folderOf($gid));
		$this->db->executeStatement('DELETE FROM `*PREFIX*group_folders_groups` WHERE `folder_id` = ?', [$folderOf($gid)]);
		array_push($expected, "created folder \"Groupe 600\" for $gid", "set the quota of the folder of $gid to unlimited", "gave $gid permissions 15 on the folder of $gid", "gave $gid-managers permissions 31 on the folder of $gid");
		$third = $this->runAll(self::RUN, $states);
		sort($expected);
		sort($third);
		$this->assertSame($expected, $third);
		$this->assertSame([], $this->runAll(self::RUN2, $states));
	}

	public function testRemovesTheManagedGroupsTheRunDidNotListAndNothingElse(): void {
		$this->setUpPlatform(100);
		$states = $this->portalGroups(250, 5, 100);
		$this->runAll(self::RUN, $states);
		$changes = $this->runAll(self::RUN2, array_slice($states, 0, 248));
		$this->assertSame([
			'archived the folder of grp00000000000248 as "Groupe 248 (archivé)"',
			'deleted group grp00000000000248',
			'deleted group grp00000000000248-managers',
			'archived the folder of grp00000000000249 as "Groupe 249 (archivé)"',
			'deleted group grp00000000000249',
			'deleted group grp00000000000249-managers',
		], array_values(array_filter($changes, fn ($c) => preg_match('/^(deleted|archived)/', $c) === 1)));
		$this->assertArrayHasKey('admin', $this->directory->groups, 'a group made by hand is not the portal\'s to remove');
		$this->assertCount(248 * 2 + 1, $this->directory->groups);
	}

	public function testAPageOutOfOrderIsRefusedAndAnInterruptedRunRemovesNothing(): void {
		$this->setUpPlatform(100);
		$states = $this->portalGroups(250, 5, 100);
		$this->runAll(self::RUN, $states);
		// A new run whose page 1 is lost: page 2 is refused, and nothing is removed.
		$this->sync->reconcilePage(self::RUN2, 0, false, array_slice($states, 0, 100));
		try {
			$this->sync->reconcilePage(self::RUN2, 2, true, []);
			$this->fail('accepted a page out of order');
		} catch (SyncConflictException $e) {
			$this->assertStringContainsString('out of order: start again from page 0', $e->getMessage());
		}
		$this->assertCount(250 * 2 + 1, $this->directory->groups);
		// A page of another run is refused too.
		$this->expectException(SyncConflictException::class);
		$this->sync->reconcilePage(self::RUN, 1, true, []);
	}
}
