<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCP\App\IAppManager;

/**
 * Whether another app this one works with (Group folders, Circles) is enabled for anyone, on Nextcloud 31 and 32:
 * IAppManager::isEnabledForAnyone is new in 32, where isInstalled (the same meaning) became deprecated.
 */
final class EnabledApps {
	public function __construct(
		private IAppManager $apps,
	) {
	}

	public function has(string $appId): bool {
		return method_exists($this->apps, 'isEnabledForAnyone') ? $this->apps->isEnabledForAnyone($appId) : $this->apps->isInstalled($appId);
	}
}
