<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\AppInfo;

use OCA\LaBoite\Dashboard\PortalWidget;
use OCA\LaBoite\Listener\CspListener;
use OCA\LaBoite\Listener\LoadFilesScriptsListener;
use OCA\LaBoite\Listener\ShareCreatedListener;
use OCA\LaBoite\Service\DbNonceStore;
use OCA\LaBoite\Service\FolderBackend;
use OCA\LaBoite\Service\GroupFoldersBackend;
use OCA\LaBoite\Service\NonceStore;
use OCP\AppFramework\App;
use OCP\AppFramework\Bootstrap\IBootContext;
use OCP\AppFramework\Bootstrap\IBootstrap;
use OCP\AppFramework\Bootstrap\IRegistrationContext;
use OCP\Security\CSP\AddContentSecurityPolicyEvent;
use OCP\Share\Events\ShareCreatedEvent;

class Application extends App implements IBootstrap {
	public const APP_ID = 'laboite';

	public function __construct(array $urlParams = []) {
		parent::__construct(self::APP_ID, $urlParams);
	}

	public function register(IRegistrationContext $context): void {
		$context->registerServiceAlias(NonceStore::class, DbNonceStore::class);
		$context->registerServiceAlias(FolderBackend::class, GroupFoldersBackend::class);
		$context->registerEventListener(ShareCreatedEvent::class, ShareCreatedListener::class);
		$context->registerEventListener(LoadFilesScriptsListener::EVENT, LoadFilesScriptsListener::class);
		$context->registerEventListener(AddContentSecurityPolicyEvent::class, CspListener::class);
		$context->registerDashboardWidget(PortalWidget::class);
	}

	public function boot(IBootContext $context): void {
	}
}
