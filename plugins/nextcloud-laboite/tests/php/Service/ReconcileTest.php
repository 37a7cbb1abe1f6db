<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\SyncConflictException;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
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

	private function setUpPlatform(int $users): void {
		$names = [];
		for ($i = 0; $i < $users; $i++) {
			$names["user$i"] = "User $i";
		}
		$this->directory = new Directory($names, ['admin' => ['user0']]);
		$this->db = new SqliteConnection();
		$this->sync = new GroupSync($this->directory->groupManager(), $this->directory->userManager(), $this->db, new Nextcloud(__DIR__), new AppConfig());
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
		$this->assertCount(1700 * (2 + 30), $first, 'each group created, named, and its 30 members added');
		$this->assertCount(1700 + 1, $this->directory->groups);

		$calls = $this->directory->calls;
		$this->assertSame([], $this->runAll(self::RUN2, $states));
		$this->assertSame($calls, $this->directory->calls, 'the second run writes nothing');

		// Drift by hand: a member removed from 20 groups, an outsider added to 20 others, 5 groups renamed, 3 deleted.
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
			$expected[] = "created group $gid";
			$expected[] = "named group $gid \"{$states[$g]->name}\"";
			foreach (array_keys($states[$g]->members) as $uid) {
				$expected[] = "added $uid to $gid";
			}
		}
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
		$this->assertSame(['deleted group grp00000000000248', 'deleted group grp00000000000249'], array_values(array_filter($changes, fn ($c) => str_starts_with($c, 'deleted'))));
		$this->assertArrayHasKey('admin', $this->directory->groups, 'a group made by hand is not the portal\'s to remove');
		$this->assertCount(248 + 1, $this->directory->groups);
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
		$this->assertCount(250 + 1, $this->directory->groups);
		// A page of another run is refused too.
		$this->expectException(SyncConflictException::class);
		$this->sync->reconcilePage(self::RUN, 1, true, []);
	}
}
