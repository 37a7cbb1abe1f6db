<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\InvalidStateException;
use PHPUnit\Framework\TestCase;

/** The rules of packages/laboite-group-sync's groupStateSchema, applied again by the app to what it receives. */
final class GroupStateTest extends TestCase {
	private const GOOD = [
		'id' => 'grpMathsXXXXXXXXX',
		'name' => 'Maths 4e B',
		'slug' => 'maths-4e-b',
		'members' => [['username' => 'alice', 'role' => 'admin'], ['username' => 'bob.durand@ac-test', 'role' => 'member']],
		'quotaBytes' => 10000000000,
	];

	private function refusal(array $override, string $id = 'grpMathsXXXXXXXXX'): string {
		try {
			GroupState::fromArray(array_merge(self::GOOD, $override), $id);
		} catch (InvalidStateException $e) {
			return $e->getMessage();
		}
		return 'accepted';
	}

	public function testReadsAGoodState(): void {
		$state = GroupState::fromArray(self::GOOD, 'grpMathsXXXXXXXXX');
		$this->assertSame(['alice' => 'admin', 'bob.durand@ac-test' => 'member'], $state->members);
		$this->assertSame(10000000000, $state->quotaBytes);
		$this->assertNull(GroupState::fromArray(array_merge(self::GOOD, ['quotaBytes' => null]), 'grpMathsXXXXXXXXX')->quotaBytes);
	}

	public function testNamesTheFieldThatBreaksARule(): void {
		$this->assertStringStartsWith('id: differs', $this->refusal([], 'grpOtherXXXXXXXXX'));
		$this->assertStringStartsWith('id:', $this->refusal(['id' => '../etc']));
		$this->assertStringStartsWith('name:', $this->refusal(['name' => '']));
		$this->assertStringStartsWith('name:', $this->refusal(['name' => str_repeat('é', 91)]));
		$this->assertSame('accepted', $this->refusal(['name' => str_repeat('é', 90)]));
		$this->assertStringStartsWith('name:', $this->refusal(['name' => "Maths\nB"]));
		$this->assertStringStartsWith('name:', $this->refusal(['name' => "Maths \u{202E}B"]));
		$this->assertStringStartsWith('name:', $this->refusal(['name' => "\xff\xfe"]));
		$this->assertStringStartsWith('slug:', $this->refusal(['slug' => 'Maths 4e B']));
		$this->assertStringStartsWith('slug:', $this->refusal(['slug' => '-maths']));
		$this->assertStringStartsWith('members:', $this->refusal(['members' => ['alice' => 'admin']]));
		$this->assertStringStartsWith('members.0.role:', $this->refusal(['members' => [['username' => 'alice', 'role' => 'owner']]]));
		$this->assertStringStartsWith('members.0.username:', $this->refusal(['members' => [['username' => '../alice', 'role' => 'member']]]));
		$this->assertStringStartsWith('members.1.username: alice is listed twice', $this->refusal(['members' => [['username' => 'alice', 'role' => 'member'], ['username' => 'alice', 'role' => 'admin']]]));
		$this->assertStringStartsWith('quotaBytes:', $this->refusal(['quotaBytes' => -1]));
		$this->assertStringStartsWith('quotaBytes:', $this->refusal(['quotaBytes' => '10']));
		$this->expectException(InvalidStateException::class);
		GroupState::fromArray('not an object', 'grpMathsXXXXXXXXX');
	}

	public function testKeepsMarkupInANameAsText(): void {
		$state = GroupState::fromArray(array_merge(self::GOOD, ['name' => '<img src=x onerror=alert(1)> & "Maths"/../..']), 'grpMathsXXXXXXXXX');
		$this->assertSame('<img src=x onerror=alert(1)> & "Maths"/../..', $state->name);
	}
}
