<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCA\LaBoite\AppInfo\Application;
use OCP\AppFramework\Utility\ITimeFactory;
use OCP\IAppConfig;
use Psr\Log\LoggerInterface;

/**
 * What the group-sync endpoints do, without Nextcloud's HTTP layer (GroupSyncController only adapts it): check the
 * signature first, then the body, then converge. A refusal is a SyncRefusal with the HTTP status the portal gets
 * and a message that says what to fix.
 */
final class SyncEndpoint {
	public function __construct(
		private SignatureVerifier $verifier,
		private GroupSync $sync,
		private IAppConfig $config,
		private ITimeFactory $time,
		private LoggerInterface $logger,
	) {
	}

	/**
	 * @param array<string, string> $headers lower-case names
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncRefusal
	 */
	public function putGroup(string $id, string $method, string $pathWithQuery, array $headers, string $body): array {
		$this->verify($method, $pathWithQuery, $headers, $body);
		try {
			$state = GroupState::fromArray($this->json($body), $id);
		} catch (InvalidStateException $e) {
			throw new SyncRefusal(400, 'invalid group state: ' . $e->getMessage());
		}
		try {
			return $this->sync->converge($state);
		} catch (SyncConflictException $e) {
			throw new SyncRefusal(409, $e->getMessage());
		}
	}

	/**
	 * @param array<string, string> $headers
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncRefusal
	 */
	public function deleteGroup(string $id, string $method, string $pathWithQuery, array $headers, string $body): array {
		$this->verify($method, $pathWithQuery, $headers, $body);
		if (!GroupState::validId($id)) {
			throw new SyncRefusal(400, 'id: a LaBoite group id (1 to 32 letters and digits)');
		}
		return ['changes' => $this->sync->remove($id), 'skipped' => []];
	}

	/**
	 * One page of a full reconcile: `{runId, page, last, groups}` (GroupSync::reconcilePage).
	 * @param array<string, string> $headers
	 * @return array{changes: list<string>, skipped: list<string>}
	 * @throws SyncRefusal
	 */
	public function reconcile(string $method, string $pathWithQuery, array $headers, string $body): array {
		$this->verify($method, $pathWithQuery, $headers, $body);
		$data = $this->json($body);
		$runId = is_array($data) ? ($data['runId'] ?? null) : null;
		$page = is_array($data) ? ($data['page'] ?? null) : null;
		$last = is_array($data) ? ($data['last'] ?? null) : null;
		$groups = is_array($data) ? ($data['groups'] ?? null) : null;
		if (!is_string($runId) || preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/D', $runId) !== 1
			|| !is_int($page) || $page < 0 || !is_bool($last) || !is_array($groups) || !array_is_list($groups) || count($groups) > 1000) {
			throw new SyncRefusal(400, 'a reconcile page is {runId: a UUID, page: from 0, last: true or false, groups: at most 1,000}');
		}
		$states = [];
		foreach ($groups as $i => $group) {
			try {
				$states[] = GroupState::fromArray($group, is_array($group) && is_string($group['id'] ?? null) ? $group['id'] : '');
			} catch (InvalidStateException $e) {
				throw new SyncRefusal(400, "invalid group state: groups.$i: " . $e->getMessage());
			}
		}
		try {
			return $this->sync->reconcilePage($runId, $page, $last, $states);
		} catch (SyncConflictException $e) {
			throw new SyncRefusal(409, $e->getMessage());
		}
	}

	/** @param array<string, string> $headers */
	private function verify(string $method, string $pathWithQuery, array $headers, string $body): void {
		try {
			$this->verifier->verify(
				$this->config->getValueString(Application::APP_ID, 'sync_secret', ''),
				$method,
				$pathWithQuery,
				$headers,
				$body,
				$this->time->getTime(),
			);
		} catch (SignatureException $e) {
			$this->logger->warning('laboite: group sync call refused: ' . $e->getMessage(), ['app' => Application::APP_ID]);
			throw new SyncRefusal(401, $e->getMessage());
		}
	}

	private function json(string $body): mixed {
		try {
			return json_decode($body, true, 64, JSON_THROW_ON_ERROR);
		} catch (\JsonException) {
			throw new SyncRefusal(400, 'the body is not JSON');
		}
	}
}
