<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Listener;

use OCA\LaBoite\Listener\LoadFilesScriptsListener;
use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\SqliteConnection;
use OCP\AppFramework\Services\IInitialState;
use OCP\EventDispatcher\Event;
use OCP\IUser;
use OCP\IUserSession;
use OCP\Util;
use PHPUnit\Framework\TestCase;

final class LoadFilesScriptsListenerTest extends TestCase {
	/** @return array{0: array<string, mixed>, 1: list<string>} the initial state given and the scripts added */
	private function filesPageFor(?string $uid): array {
		$directory = new Directory(['alice' => 'Alice', 'bob' => 'Bob'], ['admin' => ['alice']]);
		$nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..'));
		$sync = (new GroupFolders(new SqliteConnection()))->groupSync($directory->groupManager(), $directory->userManager(), $nextcloud, new AppConfig(), $nextcloud);
		$sync->converge(GroupState::fromArray(['id' => 'grpMathsXXXXXXXXX', 'name' => 'Maths 4e B', 'slug' => 'maths', 'members' => [['username' => 'alice', 'role' => 'member']], 'quotaBytes' => null], 'grpMathsXXXXXXXXX'));
		$session = new class($uid === null ? null : $directory->user($uid)) implements IUserSession {
			public function __construct(
				private ?IUser $user,
			) {
			}

			public function getUser() {
				return $this->user;
			}
		};
		$state = new class implements IInitialState {
			public array $given = [];

			public function provideInitialState(string $key, $data): void {
				$this->given[$key] = $data;
			}
		};
		Util::$scripts = [];
		(new LoadFilesScriptsListener($session, $sync, $state))->handle(new Event());
		return [$state->given, Util::$scripts];
	}

	public function testGivesTheFilesPageTheUsersPortalGroupsAndTheActionsScript(): void {
		[$state, $scripts] = $this->filesPageFor('alice');
		$this->assertSame(['portal-groups' => [['id' => 'grpMathsXXXXXXXXX', 'name' => 'Maths 4e B', 'slug' => 'maths']]], $state);
		$this->assertSame(['init:laboite/laboite-files'], $scripts, 'an init script: the action is registered before Files starts');
	}

	public function testAUserInNoPortalGroupGetsAnEmptyList(): void {
		$this->assertSame(['portal-groups' => []], $this->filesPageFor('bob')[0]);
		$this->assertSame(['portal-groups' => []], $this->filesPageFor(null)[0]);
	}
}
