<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Service;

use OCA\LaBoite\Service\InvalidSettingsException;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\Fake\Portal;
use OCP\IL10N;
use PHPUnit\Framework\TestCase;

final class SettingsTest extends TestCase {
	private AppConfig $config;
	private Settings $settings;
	private IL10N $fr;

	protected function setUp(): void {
		$this->config = new AppConfig(['api_key' => 'saved-key', 'sync_secret' => str_repeat('s', 40)]);
		$this->settings = new Settings($this->config);
		$this->fr = (new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..')))->get('laboite', 'fr');
	}

	private static function form(array $changes = []): array {
		return array_merge([
			'portalUrl' => 'https://portail.ac-test.fr/',
			'apiKey' => '',
			'syncSecret' => '',
			'notifyUserShares' => true,
			'notifyGroupShares' => false,
			'notifyTeamShares' => true,
			'excludedAccounts' => 'scanner, svc-laboite',
			'maxGroupRecipients' => 150,
			'portalLanguage' => 'en',
			'groupFolders' => true,
			'membersCanShare' => true,
			'removedFolders' => 'delete',
		], $changes);
	}

	public function testShowsTheSettingsWithTheirDefaultsAndNeverTheSecrets(): void {
		$this->assertSame([
			'portalUrl' => '',
			'apiKeySet' => true,
			'syncSecretSet' => true,
			'notifyUserShares' => true,
			'notifyGroupShares' => true,
			'notifyTeamShares' => true,
			'excludedAccounts' => '',
			'maxGroupRecipients' => 200,
			'portalLanguage' => 'fr',
			'groupFolders' => true,
			'membersCanShare' => false,
			'removedFolders' => 'archive',
		], $this->settings->forAdmin());
	}

	public function testSavesEveryFieldWithItsTypeAndKeepsTheSecretsWhenLeftEmpty(): void {
		$this->settings->update(self::form(), $this->fr);
		$this->assertSame('saved-key', $this->config->values['api_key']);
		$this->assertSame(str_repeat('s', 40), $this->config->values['sync_secret']);
		$shown = $this->settings->forAdmin();
		$this->assertSame('https://portail.ac-test.fr', $shown['portalUrl'], 'the trailing slash is dropped');
		$this->assertFalse($shown['notifyGroupShares']);
		$this->assertSame(['scanner', 'svc-laboite'], $this->settings->excludedAccounts());
		$this->assertSame(150, $this->settings->maxGroupRecipients());
		$this->assertSame('en', $this->settings->portalLanguage());
		$this->assertTrue($this->settings->membersCanShare());
		$this->assertSame('delete', $this->settings->removedFolders());
		$this->settings->update(self::form(['apiKey' => 'new-key', 'syncSecret' => str_repeat('n', 32)]), $this->fr);
		$this->assertSame('new-key', $this->config->values['api_key']);
		$this->assertSame(str_repeat('n', 32), $this->config->values['sync_secret']);
	}

	/** @return array<string, array{array<string, mixed>, string, string}> */
	public static function badForms(): array {
		return [
			'plain http' => [['portalUrl' => 'http://portail.ac-test.fr'], 'portalUrl', 'commençant par https://'],
			'not an address' => [['portalUrl' => 'portail'], 'portalUrl', 'https://'],
			'address with a query' => [['portalUrl' => 'https://portail.ac-test.fr/?x=1'], 'portalUrl', 'https://'],
			'address with credentials' => [['portalUrl' => 'https://u:p@portail.ac-test.fr'], 'portalUrl', 'https://'],
			'key with a space' => [['apiKey' => 'a key'], 'apiKey', 'sans espaces'],
			'short secret' => [['syncSecret' => 'short'], 'syncSecret', '32 caractères'],
			'switch as text' => [['groupFolders' => 'yes'], 'groupFolders', 'activé ou désactivé'],
			'missing switch' => [['notifyUserShares' => null], 'notifyUserShares', 'activé ou désactivé'],
			'zero recipients' => [['maxGroupRecipients' => 0], 'maxGroupRecipients', 'de 1 à 100000'],
			'recipients as text' => [['maxGroupRecipients' => '150'], 'maxGroupRecipients', 'de 1 à 100000'],
			'other language' => [['portalLanguage' => 'de'], 'portalLanguage', 'français'],
			'other folder fate' => [['removedFolders' => 'keep'], 'removedFolders', 'archiver'],
			'accounts as a list' => [['excludedAccounts' => ['a']], 'excludedAccounts', 'virgules'],
		];
	}

	/** @dataProvider badForms */
	public function testRefusesABadFieldInTheAdministratorsLanguageAndWritesNothing(array $changes, string $field, string $message): void {
		$before = $this->config->values;
		try {
			$this->settings->update(self::form($changes + ['apiKey' => 'would-be-new']), $this->fr);
			$this->fail('saved a bad ' . $field);
		} catch (InvalidSettingsException $e) {
			$this->assertSame($field, $e->field);
			$this->assertStringContainsString($message, $e->getMessage());
		}
		$this->assertSame($before, $this->config->values, 'nothing is written');
	}

	public function testTheConnectionTestNamesWhatFailed(): void {
		$portal = new Portal();
		$client = new PortalClient($portal, $this->settings);
		$this->assertSame('not-configured', $client->check()['result']);
		$this->config->values['portal_url'] = 'https://portail.test';
		$portal->script = [
			'down',
			[401, '"API_KEY is required."'],
			[500, '{"error":"restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId"}'],
			[404, '<html>Not Found</html>'],
		];
		$this->assertSame(['result' => 'unreachable', 'detail' => 'cURL error 7: Failed to connect to portail.test port 443'], $client->check());
		$this->assertSame(['result' => 'key-refused', 'detail' => 'HTTP 401'], $client->check());
		$this->assertSame(['result' => 'ok', 'detail' => 'HTTP 500'], $client->check());
		$this->assertSame(['result' => 'not-laboite', 'detail' => 'HTTP 404'], $client->check());
		$this->assertSame('https://portail.test/api/notifications', $portal->posts[0]['uri']);
		$this->assertSame('{}', $portal->posts[0]['options']['body'], 'an empty notification: the portal stores nothing');
		$this->assertSame('saved-key', $portal->posts[0]['options']['headers']['X-API-KEY']);
	}
}
