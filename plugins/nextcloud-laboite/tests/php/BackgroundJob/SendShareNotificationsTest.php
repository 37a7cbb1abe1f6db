<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\BackgroundJob;

use OCA\Circles\CirclesManager;
use OCA\LaBoite\BackgroundJob\SendShareNotifications;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\JobList;
use OCA\LaBoite\Tests\Fake\Logger;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\Fake\Portal;
use OCA\LaBoite\Tests\Fake\Share;
use OCA\LaBoite\Tests\SqliteConnection;
use OCP\Share\IShare;
use PHPUnit\Framework\TestCase;

final class SendShareNotificationsTest extends TestCase {
	private const CONFIGURED = ['portal_url' => 'https://portail.ac-test.fr/', 'api_key' => 'key-of-the-portal'];

	private Nextcloud $nextcloud;
	private Portal $portal;
	private JobList $jobs;
	private Logger $logger;
	private SqliteConnection $db;
	private AppConfig $config;
	private GroupFolders $apps;

	protected function setUp(): void {
		$this->nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..'));
		$this->portal = new Portal();
		$this->jobs = new JobList();
		$this->logger = new Logger();
		$this->db = new SqliteConnection();
		$this->config = new AppConfig(self::CONFIGURED);
		$this->apps = new GroupFolders($this->db);
		$this->nextcloud->shares = [
			'ocinternal:1' => new Share('ocinternal:1', IShare::TYPE_USER, 'alice'),
			'ocinternal:2' => new Share('ocinternal:2', IShare::TYPE_GROUP, 'maths', nodeId: 77, nodeType: 'folder', target: '/Maths 4e B'),
		];
	}

	private function runJob(string $shareId, int $attempt = 1, array $groups = ['maths' => ['bob', 'alice', 'chloe', 'scanner']]): void {
		$directory = new Directory(
			['alice' => 'Alice Martin', 'bob' => 'Bob Durand', 'chloe' => 'Chloé Petit', 'scanner' => 'Scanner'],
			$groups,
		);
		$settings = new Settings($this->config);
		$job = new SendShareNotifications(
			$this->nextcloud,
			$this->nextcloud,
			$directory->groupManager(),
			$directory->userManager(),
			$this->db,
			$this->jobs,
			new PortalClient($this->portal, $settings),
			$settings,
			$this->apps->groupSync($directory->groupManager(), $directory->userManager(), $this->nextcloud, $this->config, $this->nextcloud),
			$this->apps->teamMembers(),
			$this->nextcloud,
			$this->nextcloud,
			$this->logger,
		);
		$job->setArgument(['shareId' => $shareId, 'attempt' => $attempt]);
		$job->start($this->jobs);
	}

	public function testTellsTheRecipientOfAUserShareInFrenchOnceWithALinkToTheFile(): void {
		$this->runJob('ocinternal:1');
		$this->assertSame('https://portail.ac-test.fr/api/notifications', $this->portal->posts[0]['uri']);
		$this->assertSame('key-of-the-portal', $this->portal->posts[0]['options']['headers']['X-API-KEY']);
		$this->assertSame(false, $this->portal->posts[0]['options']['http_errors']);
		$this->assertSame([[
			'userId' => '',
			'username' => 'alice',
			'title' => 'Nouveau fichier partagé',
			'content' => 'Bob Durand a partagé le fichier « Cours de maths.pdf » avec vous.',
			'type' => 'info',
			'link' => 'https://nuage.ac-test.fr/index.php/f/42',
		]], $this->portal->bodies());
		// The same job again (the listener fired twice, two cron runs): nothing more.
		$this->runJob('ocinternal:1');
		$this->assertCount(1, $this->portal->posts);
		$this->assertSame([], $this->jobs->jobs);
	}

	public function testWritesInEnglishWhenThePortalIsSetToEnglish(): void {
		$this->config->values['portal_language'] = 'en';
		$this->runJob('ocinternal:2');
		$this->assertSame('New shared folder', $this->portal->bodies()[0]['title']);
		$this->assertSame('Bob Durand shared the folder "Maths 4e B" with you.', $this->portal->bodies()[0]['content']);
	}

	public function testTellsEachMemberOfAGroupShareButTheSharerAndTheExcludedAccounts(): void {
		$this->config->values['excluded_accounts'] = 'scanner';
		$this->runJob('ocinternal:2');
		$this->assertSame(['alice', 'chloe'], array_column($this->portal->bodies(), 'username'));
		$this->assertSame('Nouveau dossier partagé', $this->portal->bodies()[0]['title']);
	}

	public function testAShareWithASyncedPortalGroupNotifiesThePortalGroupOnce(): void {
		$this->nextcloud->shares['ocinternal:3'] = new Share('ocinternal:3', IShare::TYPE_GROUP, 'grpMathsXXXXXXXXX', target: '/Sujet.pdf');
		$this->db->pdo->exec("INSERT INTO oc_laboite_groups (portal_id, name, slug, updated_at) VALUES ('grpMathsXXXXXXXXX', 'Maths 4e B', 'maths-4e-b', 0)");
		$this->runJob('ocinternal:3', groups: ['grpMathsXXXXXXXXX' => ['alice', 'bob', 'chloe']]);
		$this->runJob('ocinternal:3', groups: ['grpMathsXXXXXXXXX' => ['alice', 'bob', 'chloe']]);
		$this->assertSame([[
			'groupId' => 'grpMathsXXXXXXXXX',
			'title' => 'Nouveau fichier partagé',
			'content' => 'Bob Durand a partagé le fichier « Sujet.pdf » avec vous.',
			'link' => 'https://nuage.ac-test.fr/index.php/f/42',
		]], $this->portal->bodies());
	}

	public function testAGroupOverTheLimitNotifiesNobodyAndSaysSoInOneLine(): void {
		$this->config->values['max_group_recipients'] = '2';
		$this->runJob('ocinternal:2');
		$this->assertSame([], $this->portal->posts);
		$this->assertSame(['info: laboite: group share ocinternal:2 not notified: 4 members, more than max_group_recipients (2)'], $this->logger->lines);
	}

	public function testTellsTheAccountsOfATeamShareButTheSharerAndNotItsMailMembers(): void {
		$this->apps->circles = new CirclesManager(['teamSingleId0001' => [['alice', 1], ['bob', 1], ['parent@example.org', 4], ['chloe', 1], ['alice', 1]]]);
		$this->nextcloud->shares['ocinternal:4'] = new Share('ocinternal:4', IShare::TYPE_CIRCLE, 'teamSingleId0001', target: '/Projet.odt');
		$this->runJob('ocinternal:4');
		$this->assertSame(['alice', 'chloe'], array_column($this->portal->bodies(), 'username'));
		$this->assertFalse($this->apps->circles->inSession, 'the Circles session is closed after reading');
		$this->assertSame([], $this->logger->lines);
	}

	public function testATeamOverTheLimitOrUnknownNotifiesNobodyAndSaysWhy(): void {
		$this->apps->circles = new CirclesManager(['teamSingleId0001' => [['alice', 1], ['bob', 1], ['chloe', 1]]]);
		$this->nextcloud->shares['ocinternal:4'] = new Share('ocinternal:4', IShare::TYPE_CIRCLE, 'teamSingleId0001');
		$this->nextcloud->shares['ocinternal:5'] = new Share('ocinternal:5', IShare::TYPE_CIRCLE, 'teamGone00000001');
		$this->config->values['max_group_recipients'] = '2';
		$this->runJob('ocinternal:4');
		$this->runJob('ocinternal:5');
		$this->assertSame([], $this->portal->posts);
		$this->assertSame([
			'info: laboite: team share ocinternal:4 not notified: 3 members, more than max_group_recipients (2)',
			'warning: laboite: team share ocinternal:5 not notified: its members could not be read: Circle not found',
		], $this->logger->lines);
		$this->assertFalse($this->apps->circles->inSession);
	}

	public function testATeamShareWithoutTheCirclesAppNotifiesNobody(): void {
		$this->nextcloud->shares['ocinternal:4'] = new Share('ocinternal:4', IShare::TYPE_CIRCLE, 'teamSingleId0001');
		$this->runJob('ocinternal:4');
		$this->assertSame([], $this->portal->posts);
	}

	public function testRetriesWithBackoffWhileThePortalIsDownAndSendsEachOnceWhenItIsBack(): void {
		$this->portal->script = ['down', [503, 'Service Unavailable'], [200, '"id1"']];
		$this->runJob('ocinternal:2');
		// alice and chloe failed (down, 503), scanner went through.
		$this->assertSame([
			['job' => SendShareNotifications::class, 'argument' => ['shareId' => 'ocinternal:2', 'attempt' => 2], 'after' => 1796464800 + 60],
		], $this->jobs->jobs);
		$this->nextcloud->now += 60;
		$this->runJob('ocinternal:2', 2);
		$this->assertSame(['alice', 'chloe', 'scanner', 'alice', 'chloe'], array_column($this->portal->bodies(), 'username'));
		$this->assertCount(1, $this->jobs->jobs);
		$this->assertSame(60, SendShareNotifications::backoffSeconds(1));
		$this->assertSame(240, SendShareNotifications::backoffSeconds(3));
		$this->assertSame(3600, SendShareNotifications::backoffSeconds(11));
	}

	public function testAPermanentRefusalIsLoggedOnceWithItsReasonAndNotRetried(): void {
		$this->portal->script = [[500, '{"error":"restapi.notifications.addNotifications.unknownUser"}']];
		$this->runJob('ocinternal:1');
		$this->runJob('ocinternal:1');
		$this->assertCount(1, $this->portal->posts);
		$this->assertSame([], $this->jobs->jobs);
		$this->assertSame(['warning: laboite: share ocinternal:1 not notified to one recipient, for good: HTTP 500 restapi.notifications.addNotifications.unknownUser'], $this->logger->lines);
	}

	public function testARefusedApiKeyIsPermanentAndSaysWhereToFixIt(): void {
		$this->portal->script = [[401, 'API_KEY is required.']];
		$this->runJob('ocinternal:1');
		$this->assertStringContainsString('refuses the API key (Administration settings > LaBoite)', $this->logger->lines[0]);
		$this->assertSame([], $this->jobs->jobs);
	}

	public function testGivesUpAfterTheLastAttemptWithOneErrorLine(): void {
		$this->portal->script = ['down'];
		$this->runJob('ocinternal:1', SendShareNotifications::MAX_ATTEMPTS);
		$this->assertSame([], $this->jobs->jobs);
		$this->assertSame(['error: laboite: share ocinternal:1 not notified to 1 recipient(s) after 12 attempts: portal unreachable: cURL error 7: Failed to connect to portail.test port 443'], $this->logger->lines);
	}

	public function testSendsNothingWithoutThePortalsAddressAndKeyAndSaysWhereToSetThem(): void {
		$this->config->values = [];
		$this->runJob('ocinternal:1');
		$this->assertSame([], $this->portal->posts);
		$this->assertStringContainsString('set the portal address and API key (Administration settings > LaBoite)', $this->logger->lines[0]);
	}

	public function testAShareDeletedBeforeTheJobRanNotifiesNobody(): void {
		$this->runJob('ocinternal:999');
		$this->assertSame([], $this->portal->posts);
		$this->assertSame([], $this->logger->lines);
	}

	public function testForgetsWhoWasToldAfterThirtyDays(): void {
		$this->runJob('ocinternal:1');
		$count = fn () => (int)$this->db->pdo->query('SELECT count(*) FROM oc_laboite_sent')->fetchColumn();
		$this->assertSame(1, $count());
		$this->nextcloud->now += SendShareNotifications::RETENTION_SECONDS + 1;
		$this->runJob('ocinternal:999');
		$this->assertSame(0, $count());
	}
}
