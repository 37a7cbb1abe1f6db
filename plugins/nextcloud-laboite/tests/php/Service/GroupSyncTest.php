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

final class GroupSyncTest extends TestCase {
	private Directory $directory;
	private SqliteConnection $db;
	private GroupSync $sync;
	private AppConfig $config;

	protected function setUp(): void {
		$this->directory = new Directory(['alice' => 'Alice', 'bob' => 'Bob', 'chloe' => 'Chloé', 'admin' => 'Admin'], ['admin' => ['admin']]);
		$this->db = new SqliteConnection();
		$this->sync = new GroupSync($this->directory->groupManager(), $this->directory->userManager(), $this->db, new Nextcloud(__DIR__), $this->config = new AppConfig());
	}

	private static function state(array $members, string $name = 'Maths 4e B', string $id = 'grpMathsXXXXXXXXX'): GroupState {
		return GroupState::fromArray([
			'id' => $id,
			'name' => $name,
			'slug' => 'maths-4e-b',
			'members' => array_map(fn ($uid, $role) => ['username' => $uid, 'role' => $role], array_keys($members), $members),
			'quotaBytes' => null,
		], $id);
	}

	public function testCreatesTheGroupNamedAfterThePortalGroupWithItsMembersThenChangesNothing(): void {
		$result = $this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member']));
		$this->assertSame([
			'created group grpMathsXXXXXXXXX',
			'named group grpMathsXXXXXXXXX "Maths 4e B"',
			'added alice to grpMathsXXXXXXXXX',
			'added bob to grpMathsXXXXXXXXX',
		], $result['changes']);
		$this->assertSame(['alice', 'bob'], $this->directory->groups['grpMathsXXXXXXXXX']);
		$this->assertSame('Maths 4e B', $this->directory->names['grpMathsXXXXXXXXX']);
		$calls = $this->directory->calls;
		$this->assertSame(['changes' => [], 'skipped' => []], $this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member'])));
		$this->assertSame($calls, $this->directory->calls, 'a second identical call writes nothing');
	}

	public function testRepairsDriftAndFollowsARename(): void {
		$this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member']));
		// By hand in Nextcloud: bob removed, chloe added, the group renamed.
		$this->directory->groups['grpMathsXXXXXXXXX'] = ['alice', 'chloe'];
		$this->directory->names['grpMathsXXXXXXXXX'] = 'Renamed';
		$result = $this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member'], 'Maths 4e B (2026)'));
		$this->assertSame([
			'named group grpMathsXXXXXXXXX "Maths 4e B (2026)"',
			'added bob to grpMathsXXXXXXXXX',
			'removed chloe from grpMathsXXXXXXXXX',
		], $result['changes']);
		$this->assertSame(['alice', 'bob'], $this->directory->groups['grpMathsXXXXXXXXX']);
		$this->assertSame('Maths 4e B (2026)', (string)$this->db->pdo->query("SELECT name FROM oc_laboite_groups")->fetchColumn());
	}

	public function testSkipsAMemberWithoutAnAccountAndAddsThemOnceTheyHaveOne(): void {
		$result = $this->sync->converge(self::state(['alice' => 'admin', 'dave' => 'member']));
		$this->assertSame(['dave has no Nextcloud account yet'], $result['skipped']);
		$this->directory->users['dave'] = 'Dave';
		$this->assertSame(['added dave to grpMathsXXXXXXXXX'], $this->sync->converge(self::state(['alice' => 'admin', 'dave' => 'member']))['changes']);
	}

	public function testNeverTouchesAGroupAnAdministratorMadeByHand(): void {
		try {
			$this->sync->converge(self::state(['alice' => 'member'], 'Admins', 'admin'));
			$this->fail('converged a group it does not manage');
		} catch (SyncConflictException $e) {
			$this->assertStringContainsString('was not made by the portal', $e->getMessage());
		}
		$this->assertSame(['admin'], $this->directory->groups['admin']);
		$this->assertSame([], $this->sync->remove('admin'));
		$this->assertSame(['admin'], $this->directory->groups['admin']);
	}

	public function testDeletingThePortalGroupRemovesTheMembershipsAndTheGroupOnce(): void {
		$this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member']));
		$this->assertSame([
			'removed alice from grpMathsXXXXXXXXX',
			'removed bob from grpMathsXXXXXXXXX',
			'deleted group grpMathsXXXXXXXXX',
		], $this->sync->remove('grpMathsXXXXXXXXX'));
		$this->assertArrayNotHasKey('grpMathsXXXXXXXXX', $this->directory->groups);
		$this->assertSame([], $this->sync->remove('grpMathsXXXXXXXXX'));
		$this->assertSame(0, (int)$this->db->pdo->query('SELECT count(*) FROM oc_laboite_groups')->fetchColumn());
	}

	public function testListsTheSyncedPortalGroupsOfAUserByNameAndNothingForAUserInNone(): void {
		$this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member'], 'Maths 4e B'));
		$this->sync->converge(self::state(['alice' => 'member'], '<b>Arts</b> & "Co"/../', 'grpArtsXXXXXXXXXX'));
		// A Nextcloud group of alice that is no portal group's.
		$this->directory->groups['admin'][] = 'alice';
		$alice = $this->directory->user('alice');
		$this->assertNotNull($alice);
		$this->assertSame([
			['id' => 'grpArtsXXXXXXXXXX', 'name' => '<b>Arts</b> & "Co"/../', 'slug' => 'maths-4e-b'],
			['id' => 'grpMathsXXXXXXXXX', 'name' => 'Maths 4e B', 'slug' => 'maths-4e-b'],
		], $this->sync->portalGroupsOf($alice));
		$chloe = $this->directory->user('chloe');
		$this->assertNotNull($chloe);
		$this->assertSame([], $this->sync->portalGroupsOf($chloe));
	}
}
