<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Dashboard;

use OCA\LaBoite\Dashboard\PortalWidget;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCP\AppFramework\Services\IInitialState;
use OCP\Util;
use PHPUnit\Framework\TestCase;

final class PortalWidgetTest extends TestCase {
	public function testIsTheLaBoiteWidgetInTheUsersLanguageWithThePortalsAddressAndItsScript(): void {
		$state = new class implements IInitialState {
			public array $given = [];

			public function provideInitialState(string $key, $data): void {
				$this->given[$key] = $data;
			}
		};
		$nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../../..'));
		$widget = new PortalWidget($nextcloud->get('laboite', 'fr'), new Settings(new AppConfig(['portal_url' => 'https://portail.ac-test.fr/'])), $state, $nextcloud);
		$this->assertSame('laboite', $widget->getId());
		$this->assertSame('Portail LaBoite', $widget->getTitle());
		$this->assertSame('https://portail.ac-test.fr', $widget->getUrl());
		$this->assertSame('https://nuage.ac-test.fr/apps/laboite/img/app-dark.svg', $widget->getIconUrl());
		Util::$scripts = [];
		$widget->load();
		$this->assertSame(['dashboard' => ['portalUrl' => 'https://portail.ac-test.fr']], $state->given);
		$this->assertSame(['laboite/laboite-dashboard'], Util::$scripts);
	}

	public function testLinksNowhereBeforeThePortalsAddressIsSet(): void {
		$nextcloud = new Nextcloud(__DIR__);
		$state = $this->createStub(IInitialState::class);
		$widget = new PortalWidget($nextcloud->get('laboite', 'en'), new Settings(new AppConfig()), $state, $nextcloud);
		$this->assertNull($widget->getUrl());
	}
}
