<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Settings;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\Settings;
use OCP\AppFramework\Http\TemplateResponse;
use OCP\AppFramework\Services\IInitialState;
use OCP\Settings\ISettings;
use OCP\Util;

/** Administration settings > Additional settings: the page of src/components/AdminSettings.ts. */
final class Admin implements ISettings {
	public function __construct(
		private Settings $settings,
		private IInitialState $initialState,
	) {
	}

	public function getForm(): TemplateResponse {
		$this->initialState->provideInitialState('admin-settings', $this->settings->forAdmin());
		Util::addScript(Application::APP_ID, 'laboite-admin');
		return new TemplateResponse(Application::APP_ID, 'admin', [], TemplateResponse::RENDER_AS_BLANK);
	}

	public function getSection(): string {
		return 'additional';
	}

	public function getPriority(): int {
		return 50;
	}
}
