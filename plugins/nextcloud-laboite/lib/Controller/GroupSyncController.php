<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Controller;

use OCA\LaBoite\AppInfo\Application;
use OCA\LaBoite\Service\GroupState;
use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\InvalidStateException;
use OCA\LaBoite\Service\SignatureException;
use OCA\LaBoite\Service\SignatureVerifier;
use OCA\LaBoite\Service\SyncConflictException;
use OCP\AppFramework\Http;
use OCP\AppFramework\Http\Attribute\ApiRoute;
use OCP\AppFramework\Http\Attribute\NoCSRFRequired;
use OCP\AppFramework\Http\Attribute\PublicPage;
use OCP\AppFramework\Http\DataResponse;
use OCP\AppFramework\OCS\OCSException;
use OCP\AppFramework\OCSController;
use OCP\AppFramework\Utility\ITimeFactory;
use OCP\IAppConfig;
use OCP\IRequest;
use Psr\Log\LoggerInterface;

/**
 * The portal's group sync (OCS v2, `/ocs/v2.php/apps/laboite/api/v1/...`): no Nextcloud session, each call signed
 * with the shared secret (SignatureVerifier) and checked before anything else is read.
 */
final class GroupSyncController extends OCSController {
	public function __construct(
		IRequest $request,
		private SignatureVerifier $verifier,
		private GroupSync $sync,
		private IAppConfig $config,
		private ITimeFactory $time,
		private LoggerInterface $logger,
	) {
		parent::__construct(Application::APP_ID, $request);
	}

	/** Converges the Nextcloud group of portal group `$id` to the state in the body. */
	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'PUT', url: '/api/v1/groups/{id}')]
	public function putGroup(string $id): DataResponse {
		$body = $this->verifiedBody();
		try {
			$state = GroupState::fromArray(json_decode($body, true, 64, JSON_THROW_ON_ERROR), $id);
		} catch (\JsonException) {
			throw new OCSException('the body is not JSON', Http::STATUS_BAD_REQUEST);
		} catch (InvalidStateException $e) {
			throw new OCSException('invalid group state: ' . $e->getMessage(), Http::STATUS_BAD_REQUEST);
		}
		try {
			return new DataResponse($this->sync->converge($state));
		} catch (SyncConflictException $e) {
			throw new OCSException($e->getMessage(), Http::STATUS_CONFLICT);
		}
	}

	/** One page of a full reconcile: `{runId, page, last, groups}` (GroupSync::reconcilePage). */
	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'POST', url: '/api/v1/reconcile')]
	public function reconcile(): DataResponse {
		$body = $this->verifiedBody();
		try {
			$data = json_decode($body, true, 64, JSON_THROW_ON_ERROR);
		} catch (\JsonException) {
			throw new OCSException('the body is not JSON', Http::STATUS_BAD_REQUEST);
		}
		$runId = is_array($data) ? ($data['runId'] ?? null) : null;
		$page = is_array($data) ? ($data['page'] ?? null) : null;
		$last = is_array($data) ? ($data['last'] ?? null) : null;
		$groups = is_array($data) ? ($data['groups'] ?? null) : null;
		if (!is_string($runId) || preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/D', $runId) !== 1
			|| !is_int($page) || $page < 0 || !is_bool($last) || !is_array($groups) || !array_is_list($groups) || count($groups) > 1000) {
			throw new OCSException('a reconcile page is {runId: a UUID, page: from 0, last: true or false, groups: at most 1,000}', Http::STATUS_BAD_REQUEST);
		}
		$states = [];
		foreach ($groups as $i => $group) {
			try {
				$states[] = GroupState::fromArray($group, is_array($group) && is_string($group['id'] ?? null) ? $group['id'] : '');
			} catch (InvalidStateException $e) {
				throw new OCSException("invalid group state: groups.$i: " . $e->getMessage(), Http::STATUS_BAD_REQUEST);
			}
		}
		try {
			return new DataResponse($this->sync->reconcilePage($runId, $page, $last, $states));
		} catch (SyncConflictException $e) {
			throw new OCSException($e->getMessage(), Http::STATUS_CONFLICT);
		}
	}

	/** Portal group `$id` is gone. */
	#[PublicPage]
	#[NoCSRFRequired]
	#[ApiRoute(verb: 'DELETE', url: '/api/v1/groups/{id}')]
	public function deleteGroup(string $id): DataResponse {
		$this->verifiedBody();
		if (!GroupState::validId($id)) {
			throw new OCSException('id: a LaBoite group id (1 to 32 letters and digits)', Http::STATUS_BAD_REQUEST);
		}
		return new DataResponse(['changes' => $this->sync->remove($id), 'skipped' => []]);
	}

	/** The raw body, once the signature over it, the method, the path and the time has been checked. */
	private function verifiedBody(): string {
		$body = (string)file_get_contents('php://input');
		$headers = [];
		foreach (['x-laboite-timestamp', 'x-laboite-nonce', 'x-laboite-signature'] as $name) {
			$headers[$name] = $this->request->getHeader($name);
		}
		try {
			$this->verifier->verify(
				$this->config->getValueString(Application::APP_ID, 'sync_secret', ''),
				$this->request->getMethod(),
				$this->request->getRequestUri(),
				$headers,
				$body,
				$this->time->getTime(),
			);
		} catch (SignatureException $e) {
			$this->logger->warning('laboite: group sync call refused: ' . $e->getMessage(), ['app' => Application::APP_ID]);
			throw new OCSException($e->getMessage(), Http::STATUS_UNAUTHORIZED);
		}
		return $body;
	}
}
