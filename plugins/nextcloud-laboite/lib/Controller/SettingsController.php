<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Controller;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\InvalidSettingsException;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCP\AppFramework\Http\Attribute\ApiRoute;
use OCP\AppFramework\Http\DataResponse;
use OCP\AppFramework\OCS\OCSBadRequestException;
use OCP\AppFramework\OCSController;
use OCP\IL10N;
use OCP\IRequest;

/**
 * The settings page's calls, for administrators only (no NoAdminRequired): save, and test the connection to the
 * portal. Answers in the administrator's language.
 */
final class SettingsController extends OCSController {
	public function __construct(
		IRequest $request,
		private Settings $settings,
		private PortalClient $portal,
		private IL10N $l,
	) {
		parent::__construct(Application::APP_ID, $request);
	}

	#[ApiRoute(verb: 'PUT', url: '/api/v1/settings')]
	public function update(): DataResponse {
		try {
			$this->settings->update($this->request->getParams(), $this->l);
		} catch (InvalidSettingsException $e) {
			throw new OCSBadRequestException($e->getMessage());
		}
		return new DataResponse($this->settings->forAdmin());
	}

	#[ApiRoute(verb: 'POST', url: '/api/v1/settings/test')]
	public function test(): DataResponse {
		$check = $this->portal->check();
		$message = match ($check['result']) {
			'ok' => $this->l->t('Connected: the portal answered and accepted the API key.'),
			'not-configured' => $this->l->t('Give the portal address and the API key, save, then test again.'),
			'unreachable' => $this->l->t('The portal could not be reached from this server: %s. Check the address, the DNS and the firewall.', [$check['detail']]),
			'key-refused' => $this->l->t('The portal refused the API key (%s): copy it again from the portal\'s settings (API keys).', [$check['detail']]),
			default => $this->l->t('Something answered at this address (%s), but not the LaBoite API: check the address.', [$check['detail']]),
		};
		return new DataResponse(['ok' => $check['result'] === 'ok', 'message' => $message]);
	}
}
