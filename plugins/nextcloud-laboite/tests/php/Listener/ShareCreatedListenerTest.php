<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Listener;

use OCA\LaBoite\BackgroundJob\SendShareNotifications;
use OCA\LaBoite\Listener\ShareCreatedListener;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\JobList;
use OCA\LaBoite\Tests\Fake\Logger;
use OCA\LaBoite\Tests\Fake\Share;
use OCP\EventDispatcher\Event;
use OCP\Share\Events\ShareCreatedEvent;
use OCP\Share\IShare;
use PHPUnit\Framework\TestCase;

final class ShareCreatedListenerTest extends TestCase {
	private JobList $jobs;
	private Logger $logger;

	private function listener(array $settings = []): ShareCreatedListener {
		$this->jobs = new JobList();
		$this->logger = new Logger();
		return new ShareCreatedListener($this->jobs, new Settings(new AppConfig($settings)), $this->logger);
	}

	private function created(int $type, string $sharedBy = 'bob'): ShareCreatedEvent {
		return new ShareCreatedEvent(new Share('ocinternal:' . (100 + $type), $type, 'alice', $sharedBy));
	}

	public function testQueuesOneJobPerUserGroupOrTeamShareAndNothingElse(): void {
		$listener = $this->listener();
		foreach ([IShare::TYPE_USER, IShare::TYPE_GROUP, IShare::TYPE_CIRCLE, IShare::TYPE_LINK, IShare::TYPE_EMAIL] as $type) {
			$listener->handle($this->created($type));
		}
		$listener->handle(new Event());
		$this->assertSame([
			['job' => SendShareNotifications::class, 'argument' => ['shareId' => 'ocinternal:100', 'attempt' => 1], 'after' => null],
			['job' => SendShareNotifications::class, 'argument' => ['shareId' => 'ocinternal:101', 'attempt' => 1], 'after' => null],
			['job' => SendShareNotifications::class, 'argument' => ['shareId' => 'ocinternal:107', 'attempt' => 1], 'after' => null],
		], $this->jobs->jobs);
	}

	public function testEachShareTypeCanBeTurnedOff(): void {
		$listener = $this->listener(['notify_user_shares' => 'false', 'notify_team_shares' => 'false']);
		foreach ([IShare::TYPE_USER, IShare::TYPE_GROUP, IShare::TYPE_CIRCLE] as $type) {
			$listener->handle($this->created($type));
		}
		$this->assertSame(['ocinternal:101'], array_map(fn ($job) => $job['argument']['shareId'], $this->jobs->jobs));
	}

	public function testAServiceAccountsSharesNotifyNobody(): void {
		$listener = $this->listener(['excluded_accounts' => "laboite-service, scanner\nbackup"]);
		$listener->handle($this->created(IShare::TYPE_USER, 'scanner'));
		$listener->handle($this->created(IShare::TYPE_GROUP, 'backup'));
		$this->assertSame([], $this->jobs->jobs);
		$listener->handle($this->created(IShare::TYPE_USER, 'bob'));
		$this->assertCount(1, $this->jobs->jobs);
	}

	public function testNeverBreaksTheShareWhenTheJobCannotBeQueued(): void {
		$listener = $this->listener();
		$this->jobs->failure = new \RuntimeException('database is locked');
		$listener->handle($this->created(IShare::TYPE_USER));
		$this->assertSame(['error: laboite: the share notification could not be queued: database is locked'], $this->logger->lines);
	}
}
