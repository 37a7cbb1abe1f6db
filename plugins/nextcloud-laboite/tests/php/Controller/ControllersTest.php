<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Controller;

use OCA\LaBoite\Controller\PortalGroupsController;
use OCA\LaBoite\Controller\SettingsController;
use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\Fake\Portal;
use OCA\LaBoite\Tests\SqliteConnection;
use OCP\AppFramework\OCS\OCSBadRequestException;
use OCP\AppFramework\OCS\OCSException;
use OCP\IRequest;
use OCP\IUser;
use OCP\IUserSession;
use PHPUnit\Framework\TestCase;

/** The OCS controllers the settings page and the Files action call, as Nextcloud runs them: in the user's language. */
final class ControllersTest extends TestCase {
	private static function request(array $params = []): IRequest {
		return new class($params) implements IRequest {
			public function __construct(
				private array $params,
			) {
			}

			public function getHeader(string $name): string {
				return '';
			}

			public function getParams(): array {
				return $this->params;
			}

			public function getMethod(): string {
				return 'PUT';
			}

			public function getRequestUri(): string {
				return '/ocs/v2.php/apps/laboite/api/v1/settings';
			}
		};
	}

	private function settingsController(array $params, AppConfig $config, Portal $portal): SettingsController {
		$fr = (new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..')))->get('laboite', 'fr');
		return new SettingsController(self::request($params), $settings = new Settings($config), new PortalClient($portal, $settings), $fr);
	}

	public function testSavingAnswersTheSettingsAsThePageShowsThemOrA400InFrench(): void {
		$config = new AppConfig();
		$form = [
			'portalUrl' => 'https://portail.ac-test.fr', 'apiKey' => 'k', 'syncSecret' => '', 'notifyUserShares' => true,
			'notifyGroupShares' => true, 'notifyTeamShares' => false, 'excludedAccounts' => '', 'maxGroupRecipients' => 200,
			'portalLanguage' => 'fr', 'groupFolders' => true, 'membersCanShare' => false, 'removedFolders' => 'archive',
		];
		$saved = $this->settingsController($form, $config, new Portal())->update()->getData();
		$this->assertSame('https://portail.ac-test.fr', $saved['portalUrl']);
		$this->assertTrue($saved['apiKeySet']);
		$this->assertFalse($saved['notifyTeamShares']);
		$this->assertArrayNotHasKey('apiKey', $saved, 'a secret never goes back to the page');
		try {
			$this->settingsController(['portalUrl' => 'http://portail'] + $form, $config, new Portal())->update();
			$this->fail('saved a plain-http address');
		} catch (OCSBadRequestException $e) {
			$this->assertSame(400, $e->getCode());
			$this->assertStringStartsWith("Indiquez l'adresse du portail commençant par https://", $e->getMessage());
		}
	}

	public function testTheConnectionTestSaysWhatFailedInFrench(): void {
		$config = new AppConfig();
		$portal = new Portal();
		$this->assertSame(
			['ok' => false, 'message' => "Indiquez l'adresse du portail et la clé d'API, enregistrez, puis testez à nouveau."],
			$this->settingsController([], $config, $portal)->test()->getData(),
		);
		$config->values = ['portal_url' => 'https://portail.test', 'api_key' => 'k'];
		$portal->script = [
			[500, '{"error":"restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId"}'],
			[401, '"API_KEY is required."'],
			'down',
			[404, 'Not Found'],
		];
		$messages = array_map(fn () => $this->settingsController([], $config, $portal)->test()->getData(), range(1, 4));
		$this->assertSame([
			['ok' => true, 'message' => "Connecté : le portail a répondu et accepté la clé d'API."],
			['ok' => false, 'message' => "Le portail a refusé la clé d'API (HTTP 401) : copiez-la à nouveau depuis les réglages du portail (clés d'API)."],
			['ok' => false, 'message' => "Le portail est injoignable depuis ce serveur : cURL error 7: Failed to connect to portail.test port 443. Vérifiez l'adresse, le DNS et le pare-feu."],
			['ok' => false, 'message' => "Quelque chose a répondu à cette adresse (HTTP 404), mais pas l'API de LaBoite : vérifiez l'adresse."],
		], $messages);
	}

	public function testMyGroupsAnswersTheUsersPortalGroupsAndRefusesAnAnonymousCall(): void {
		$directory = new Directory(['alice' => 'Alice'], []);
		$nextcloud = new Nextcloud(__DIR__);
		$sync = (new GroupFolders(new SqliteConnection()))->groupSync($directory->groupManager(), $directory->userManager(), $nextcloud, new AppConfig(), $nextcloud);
		$sync->converge(GroupState::fromArray(['id' => 'grpMathsXXXXXXXXX', 'name' => 'Maths', 'slug' => 'maths', 'members' => [['username' => 'alice', 'role' => 'member']], 'quotaBytes' => null], 'grpMathsXXXXXXXXX'));
		$session = fn (?IUser $user) => new class($user) implements IUserSession {
			public function __construct(
				private ?IUser $user,
			) {
			}

			public function getUser() {
				return $this->user;
			}
		};
		$answer = (new PortalGroupsController(self::request(), $sync, $session($directory->user('alice'))))->myGroups();
		$this->assertSame(['groups' => [['id' => 'grpMathsXXXXXXXXX', 'name' => 'Maths', 'slug' => 'maths']]], $answer->getData());
		$this->expectException(OCSException::class);
		$this->expectExceptionCode(401);
		(new PortalGroupsController(self::request(), $sync, $session(null)))->myGroups();
	}
}
