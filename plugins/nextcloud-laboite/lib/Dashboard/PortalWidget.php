<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Dashboard;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\Settings;
use OCP\AppFramework\Services\IInitialState;
use OCP\Dashboard\IIconWidget;
use OCP\IL10N;
use OCP\IURLGenerator;
use OCP\Util;

/**
 * The dashboard widget "LaBoite": the portal's own unread-notifications widget (`<portal>/widget/load`, which reads
 * the person's portal session on the portal's origin: Nextcloud never holds a portal credential of theirs) and a
 * link to the portal. Its frame is allowed by CspListener. js/laboite-dashboard.mjs (src/dashboard.ts) draws it.
 */
final class PortalWidget implements IIconWidget {
	public function __construct(
		private IL10N $l,
		private Settings $settings,
		private IInitialState $initialState,
		private IURLGenerator $urls,
	) {
	}

	public function getId(): string {
		return Application::APP_ID;
	}

	public function getTitle(): string {
		return $this->l->t('LaBoite portal');
	}

	public function getOrder(): int {
		return 20;
	}

	public function getIconClass(): string {
		return 'icon-laboite';
	}

	public function getIconUrl(): string {
		return $this->urls->getAbsoluteURL($this->urls->imagePath(Application::APP_ID, 'app-dark.svg'));
	}

	public function getUrl(): ?string {
		$url = $this->settings->portalUrl();
		return $url === '' ? null : $url;
	}

	public function load(): void {
		$this->initialState->provideInitialState('dashboard', ['portalUrl' => $this->settings->portalUrl()]);
		Util::addScript(Application::APP_ID, 'laboite-dashboard');
	}
}
