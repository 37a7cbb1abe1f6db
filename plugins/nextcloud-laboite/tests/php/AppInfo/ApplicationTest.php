<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\AppInfo;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Dashboard\PortalWidget;
use OCA\LaBoite\Listener\CspListener;
use OCA\LaBoite\Listener\LoadFilesScriptsListener;
use OCA\LaBoite\Listener\ShareCreatedListener;
use OCA\LaBoite\Service\DbNonceStore;
use OCA\LaBoite\Service\FolderBackend;
use OCA\LaBoite\Service\GroupFoldersBackend;
use OCA\LaBoite\Service\NonceStore;
use OCP\AppFramework\Bootstrap\IRegistrationContext;
use OCP\Security\CSP\AddContentSecurityPolicyEvent;
use OCP\Share\Events\ShareCreatedEvent;
use PHPUnit\Framework\TestCase;

final class ApplicationTest extends TestCase {
	public function testRegistersItsListenersServicesAndDashboardWidget(): void {
		$context = new class implements IRegistrationContext {
			public array $calls = [];

			public function registerServiceAlias(string $alias, string $target): void {
				$this->calls[] = ['alias', $alias, $target];
			}

			public function registerEventListener(string $event, string $listener, int $priority = 0): void {
				$this->calls[] = ['listener', $event, $listener];
			}

			public function registerDashboardWidget(string $widgetClass): void {
				$this->calls[] = ['widget', $widgetClass];
			}
		};
		(new Application())->register($context);
		$this->assertSame([
			['alias', NonceStore::class, DbNonceStore::class],
			['alias', FolderBackend::class, GroupFoldersBackend::class],
			['listener', ShareCreatedEvent::class, ShareCreatedListener::class],
			['listener', 'OCA\\Files\\Event\\LoadAdditionalScriptsEvent', LoadFilesScriptsListener::class],
			['listener', AddContentSecurityPolicyEvent::class, CspListener::class],
			['widget', PortalWidget::class],
		], $context->calls);
		$this->assertSame('laboite', Application::APP_ID);
	}
}
