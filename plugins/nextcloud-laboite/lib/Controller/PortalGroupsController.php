<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Controller;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\GroupSync;
use OCP\AppFramework\Http;
use OCP\AppFramework\Http\Attribute\ApiRoute;
use OCP\AppFramework\Http\Attribute\NoAdminRequired;
use OCP\AppFramework\Http\DataResponse;
use OCP\AppFramework\OCS\OCSException;
use OCP\AppFramework\OCSController;
use OCP\IRequest;
use OCP\IUserSession;

/** For the signed-in user's Files: the synced portal groups they belong to (`GET /api/v1/my-groups`). */
final class PortalGroupsController extends OCSController {
	public function __construct(
		IRequest $request,
		private GroupSync $sync,
		private IUserSession $session,
	) {
		parent::__construct(Application::APP_ID, $request);
	}

	#[NoAdminRequired]
	#[ApiRoute(verb: 'GET', url: '/api/v1/my-groups')]
	public function myGroups(): DataResponse {
		$user = $this->session->getUser();
		if ($user === null) {
			throw new OCSException('sign in to Nextcloud first', Http::STATUS_UNAUTHORIZED);
		}
		return new DataResponse(['groups' => $this->sync->portalGroupsOf($user)]);
	}
}
