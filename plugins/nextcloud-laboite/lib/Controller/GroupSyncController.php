<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Controller;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\SyncEndpoint;
use OCA\LaBoite\Service\SyncRefusal;
use OCP\AppFramework\Http\Attribute\ApiRoute;
use OCP\AppFramework\Http\Attribute\NoCSRFRequired;
use OCP\AppFramework\Http\Attribute\PublicPage;
use OCP\AppFramework\Http\DataResponse;
use OCP\AppFramework\OCS\OCSException;
use OCP\AppFramework\OCSController;
use OCP\IRequest;

/**
 * The portal's group sync (OCS v2, `/ocs/v2.php/apps/laboite/api/v1/...`): no Nextcloud session, each call signed
 * with the shared secret. Only an adapter: SyncEndpoint checks and does the work, with the raw body and the path as
 * Nextcloud received them (what the portal signed).
 */
final class GroupSyncController extends OCSController {
	public function __construct(
		IRequest $request,
		private SyncEndpoint $endpoint,
	) {
		parent::__construct(Application::APP_ID, $request);
	}

	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'PUT', url: '/api/v1/groups/{id}')]
	public function putGroup(string $id): DataResponse {
		return $this->answer(fn (...$request) => $this->endpoint->putGroup($id, ...$request));
	}

	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'DELETE', url: '/api/v1/groups/{id}')]
	public function deleteGroup(string $id): DataResponse {
		return $this->answer(fn (...$request) => $this->endpoint->deleteGroup($id, ...$request));
	}

	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'POST', url: '/api/v1/reconcile')]
	public function reconcile(): DataResponse {
		return $this->answer(fn (...$request) => $this->endpoint->reconcile(...$request));
	}

	/** @param callable(string, string, array<string, string>, string): array $call */
	private function answer(callable $call): DataResponse {
		$headers = [];
		foreach (['x-laboite-timestamp', 'x-laboite-nonce', 'x-laboite-signature'] as $name) {
			$headers[$name] = $this->request->getHeader($name);
		}
		try {
			return new DataResponse($call(
				$this->request->getMethod(),
				$this->request->getRequestUri(),
				$headers,
				(string)file_get_contents('php://input'),
			));
		} catch (SyncRefusal $e) {
			throw new OCSException($e->getMessage(), $e->status);
		}
	}
}
