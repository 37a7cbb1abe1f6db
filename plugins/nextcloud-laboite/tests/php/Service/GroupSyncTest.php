<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\GroupFolders\Folder\FolderManager;
use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\SyncConflictException;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\SqliteConnection;
use PHPUnit\Framework\TestCase;

final class GroupSyncTest extends TestCase {
	private Directory $directory;
	private SqliteConnection $db;
	private GroupSync $sync;
	private AppConfig $config;
	private GroupFolders $folders;

	protected function setUp(): void {
		$this->directory = new Directory(['alice' => 'Alice', 'bob' => 'Bob', 'chloe' => 'Chloé', 'admin' => 'Admin'], ['admin' => ['admin']]);
		$this->db = new SqliteConnection();
		$this->sync = ($this->folders = new GroupFolders($this->db))->groupSync($this->directory->groupManager(), $this->directory->userManager(), $nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..')), $this->config = new AppConfig(), $nextcloud);
	}

	private static function state(array $members, string $name = 'Maths 4e B', string $id = 'grpMathsXXXXXXXXX', ?int $quota = null): GroupState {
		return GroupState::fromArray([
			'id' => $id,
			'name' => $name,
			'slug' => 'maths-4e-b',
			'members' => array_map(fn ($uid, $role) => ['username' => $uid, 'role' => $role], array_keys($members), $members),
			'quotaBytes' => $quota,
		], $id);
	}

	public function testCreatesTheGroupItsManagersGroupAndItsFolderThenChangesNothing(): void {
		$result = $this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member', 'chloe' => 'animator']));
		$this->assertSame([
			'created group grpMathsXXXXXXXXX',
			'named group grpMathsXXXXXXXXX "Maths 4e B"',
			'added alice to grpMathsXXXXXXXXX',
			'added bob to grpMathsXXXXXXXXX',
			'added chloe to grpMathsXXXXXXXXX',
			'created group grpMathsXXXXXXXXX-managers',
			'named group grpMathsXXXXXXXXX-managers "Maths 4e B (administrateurs et animateurs)"',
			'added alice to grpMathsXXXXXXXXX-managers',
			'added chloe to grpMathsXXXXXXXXX-managers',
			'created folder "Maths 4e B" for grpMathsXXXXXXXXX',
			'set the quota of the folder of grpMathsXXXXXXXXX to unlimited',
			'gave grpMathsXXXXXXXXX permissions 15 on the folder of grpMathsXXXXXXXXX',
			'gave grpMathsXXXXXXXXX-managers permissions 31 on the folder of grpMathsXXXXXXXXX',
		], $result['changes']);
		$this->assertSame(['alice', 'bob', 'chloe'], $this->directory->groups['grpMathsXXXXXXXXX']);
		$this->assertSame(['alice', 'chloe'], $this->directory->groups['grpMathsXXXXXXXXX-managers']);
		$this->assertSame('Maths 4e B', $this->directory->names['grpMathsXXXXXXXXX']);
		$folders = ['Maths 4e B' => [-3, ['grpMathsXXXXXXXXX' => 15, 'grpMathsXXXXXXXXX-managers' => 31]]];
		$this->assertSame($folders, $this->folders->folders());
		$calls = $this->directory->calls;
		$this->assertSame(['changes' => [], 'skipped' => []], $this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member', 'chloe' => 'animator'])));
		$this->assertSame($calls, $this->directory->calls, 'a second identical call writes nothing');
		$this->assertSame($folders, $this->folders->folders());
	}

	public function testRepairsDriftAndFollowsARenameAndARoleChange(): void {
		$this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member']));
		// By hand in Nextcloud: bob removed, chloe added, the group renamed, the folder renamed, its quota and the
		// members' permissions changed, another group given access (left alone).
		$this->directory->groups['grpMathsXXXXXXXXX'] = ['alice', 'chloe'];
		$this->directory->names['grpMathsXXXXXXXXX'] = 'Renamed';
		$this->folders->manager->renameFolder(1, 'Elsewhere');
		$this->folders->manager->setFolderQuota(1, 5);
		$this->folders->manager->setGroupPermissions(1, 'grpMathsXXXXXXXXX', 31);
		$this->folders->manager->addApplicableGroup(1, 'admin');
		// In the portal: alice is now a plain member, bob an animator, and the group has a quota of 1 GiB.
		$state = self::state(['alice' => 'member', 'bob' => 'animator'], 'Maths 4e B (2026)', quota: 1 << 30);
		$this->assertSame([
			'named group grpMathsXXXXXXXXX "Maths 4e B (2026)"',
			'added bob to grpMathsXXXXXXXXX',
			'removed chloe from grpMathsXXXXXXXXX',
			'named group grpMathsXXXXXXXXX-managers "Maths 4e B (2026) (administrateurs et animateurs)"',
			'added bob to grpMathsXXXXXXXXX-managers',
			'removed alice from grpMathsXXXXXXXXX-managers',
			'renamed the folder of grpMathsXXXXXXXXX "Maths 4e B (2026)"',
			'set the quota of the folder of grpMathsXXXXXXXXX to 1073741824 bytes',
			'set the permissions of grpMathsXXXXXXXXX on the folder of grpMathsXXXXXXXXX to 15',
		], $this->sync->converge($state)['changes']);
		$this->assertSame(['alice', 'bob'], $this->directory->groups['grpMathsXXXXXXXXX']);
		$this->assertSame(['bob'], $this->directory->groups['grpMathsXXXXXXXXX-managers']);
		$this->assertSame('Maths 4e B (2026)', (string)$this->db->pdo->query("SELECT name FROM oc_laboite_groups")->fetchColumn());
		$this->assertSame(['Maths 4e B (2026)' => [1 << 30, ['admin' => 31, 'grpMathsXXXXXXXXX' => 15, 'grpMathsXXXXXXXXX-managers' => 31]]], $this->folders->folders());
		$this->assertSame([], $this->sync->converge($state)['changes']);
	}

	public function testMakesTheFolderAgainWhenItWasDeletedByHand(): void {
		$this->sync->converge(self::state(['alice' => 'admin']));
		$this->folders->manager->removeFolder(1);
		$this->db->pdo->exec('DELETE FROM oc_group_folders_groups');
		$changes = $this->sync->converge(self::state(['alice' => 'admin']))['changes'];
		$this->assertSame('created folder "Maths 4e B" for grpMathsXXXXXXXXX', $changes[0]);
		$this->assertSame(2, (int)$this->db->pdo->query('SELECT folder_id FROM oc_laboite_groups')->fetchColumn(), 'the new folder is the one recorded');
		$this->assertSame([], $this->sync->converge(self::state(['alice' => 'admin']))['changes']);
	}

	public function testACallThatFailsHalfWayIsFinishedByTheNextOneNotRefusedAsAConflict(): void {
		$db = $this->db;
		$this->folders->manager = new class($db) extends FolderManager {
			public bool $fail = true;

			public function createFolder(string $mountPoint, array $options = []): int {
				if ($this->fail) {
					throw new \RuntimeException('storage unavailable');
				}
				return parent::createFolder($mountPoint, $options);
			}
		};
		try {
			$this->sync->converge(self::state(['alice' => 'admin']));
			$this->fail('the folder could not be made');
		} catch (\RuntimeException $e) {
			$this->assertSame('storage unavailable', $e->getMessage());
		}
		$this->assertSame(['alice'], $this->directory->groups['grpMathsXXXXXXXXX'], 'the group was made before the failure');
		$this->folders->manager->fail = false;
		$changes = $this->sync->converge(self::state(['alice' => 'admin']))['changes'];
		$this->assertSame('created folder "Maths 4e B" for grpMathsXXXXXXXXX', $changes[0]);
		$this->assertSame([], $this->sync->converge(self::state(['alice' => 'admin']))['changes']);
	}

	public function testMembersShareOnlyWhenTheAdministratorAllowsIt(): void {
		$this->config->values['members_can_share'] = 'true';
		$this->sync->converge(self::state(['alice' => 'member']));
		$this->assertSame(['grpMathsXXXXXXXXX' => 31, 'grpMathsXXXXXXXXX-managers' => 31], $this->folders->folders()['Maths 4e B'][1]);
		$this->config->values['members_can_share'] = 'false';
		$this->assertSame(['set the permissions of grpMathsXXXXXXXXX on the folder of grpMathsXXXXXXXXX to 15'], $this->sync->converge(self::state(['alice' => 'member']))['changes']);
	}

	public function testWithoutGroupFoldersTheGroupsAreSyncedAndTheFolderComesWhenTheAppIsEnabled(): void {
		$this->folders->enabled = false;
		$result = $this->sync->converge(self::state(['alice' => 'admin']));
		$this->assertSame(['the Group folders app is not enabled: portal groups get no shared folder'], $result['skipped']);
		$this->assertSame(['alice'], $this->directory->groups['grpMathsXXXXXXXXX']);
		$this->assertSame([], $this->folders->folders());
		$this->folders->enabled = true;
		$this->assertContains('created folder "Maths 4e B" for grpMathsXXXXXXXXX', $this->sync->converge(self::state(['alice' => 'admin']))['changes']);
		$this->config->values['group_folders'] = 'false';
		$this->assertSame(['shared folders are turned off in the settings'], $this->sync->converge(self::state(['alice' => 'admin']))['skipped']);
	}

	public function testAFolderNameKeepsNoPathAndTwoGroupsOfOneNameGetTwoFolders(): void {
		$this->sync->converge(self::state(['alice' => 'member'], '../../<b>Arts</b>\\x', 'grpArtsXXXXXXXXXX'));
		$this->sync->converge(self::state(['alice' => 'member'], 'Maths 4e B', 'grpMathsXXXXXXXXX'));
		$this->sync->converge(GroupState::fromArray(['id' => 'grpOtherXXXXXXXXX', 'name' => 'Maths 4e B', 'slug' => 'maths-4e-b-lycee', 'members' => [], 'quotaBytes' => null], 'grpOtherXXXXXXXXX'));
		$this->sync->converge(GroupState::fromArray(['id' => 'grpDotsXXXXXXXXXX', 'name' => '..', 'slug' => 'points', 'members' => [], 'quotaBytes' => null], 'grpDotsXXXXXXXXXX'));
		$this->assertSame(['..-..-<b>Arts<-b>-x', 'Maths 4e B', 'Maths 4e B (maths-4e-b-lycee)', 'points'], array_keys($this->folders->folders()));
		$this->assertSame([], $this->sync->converge(self::state(['alice' => 'member'], 'Maths 4e B', 'grpMathsXXXXXXXXX'))['changes']);
	}

	public function testAHandMadeGroupWithTheManagersGroupsIdIsNeverTaken(): void {
		$this->directory->groups['grpMathsXXXXXXXXX-managers'] = ['bob'];
		$this->expectException(SyncConflictException::class);
		$this->expectExceptionMessage('grpMathsXXXXXXXXX-managers exists and was not made by the portal');
		$this->sync->converge(self::state(['alice' => 'admin']));
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

	public function testDeletingThePortalGroupRemovesTheMembershipsAndTheGroupsOnceAndArchivesTheFolder(): void {
		$this->sync->converge(self::state(['alice' => 'admin', 'bob' => 'member']));
		$this->assertSame([
			'took access to the folder of grpMathsXXXXXXXXX from grpMathsXXXXXXXXX',
			'took access to the folder of grpMathsXXXXXXXXX from grpMathsXXXXXXXXX-managers',
			'archived the folder of grpMathsXXXXXXXXX as "Maths 4e B (archivé)"',
			'removed alice from grpMathsXXXXXXXXX',
			'removed bob from grpMathsXXXXXXXXX',
			'deleted group grpMathsXXXXXXXXX',
			'removed alice from grpMathsXXXXXXXXX-managers',
			'deleted group grpMathsXXXXXXXXX-managers',
		], $this->sync->remove('grpMathsXXXXXXXXX'));
		$this->assertArrayNotHasKey('grpMathsXXXXXXXXX', $this->directory->groups);
		$this->assertArrayNotHasKey('grpMathsXXXXXXXXX-managers', $this->directory->groups);
		$this->assertSame(['Maths 4e B (archivé)' => [-3, []]], $this->folders->folders(), 'the files stay, out of everyone\'s reach');
		$this->assertSame([], $this->folders->storage->deleted);
		$this->assertSame([], $this->sync->remove('grpMathsXXXXXXXXX'));
		$this->assertSame(0, (int)$this->db->pdo->query('SELECT count(*) FROM oc_laboite_groups')->fetchColumn());
	}

	public function testDeletesTheFolderWithItsFilesWhenTheAdministratorChoseSo(): void {
		$this->config->values['removed_folders'] = 'delete';
		$this->sync->converge(self::state(['alice' => 'admin']));
		$this->assertContains('deleted the folder of grpMathsXXXXXXXXX', $this->sync->remove('grpMathsXXXXXXXXX'));
		$this->assertSame([1], $this->folders->storage->deleted, 'its files, versions and trash');
		$this->assertSame([], $this->folders->folders());
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
