<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCP\Http\Client\IClientService;

/**
 * LaBoite's `POST /api/notifications` (key in `X-API-KEY`), in its one-user form (`userId` must be present, empty,
 * for LaBoite 5.8 to look the user up by `username`: shared/reference/laboite-nextcloud.md) and its one-group form. The answer is sorted as the
 * portal-events package sorts it: delivered, retry later, or never.
 */
final class PortalClient {
	/** Meteor errors no retry can fix (LaBoite 5.8 `notifications/server/rest.js`), sent as HTTP 500. */
	private const PERMANENT = [
		'restapi.notifications.addNotifications.unknownUser',
		'restapi.notifications.addNotifications.unknownGroup',
		'restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId',
		'validation-error',
	];

	public function __construct(
		private IClientService $clients,
		private Settings $settings,
	) {
	}

	/** True when the portal's address and API key are set. */
	public function isConfigured(): bool {
		return $this->settings->portalUrl() !== '' && $this->settings->apiKey() !== '';
	}

	/**
	 * @param array{title: string, content: string, link: string} $text
	 * @return array{outcome: 'delivered'|'retry'|'permanent', reason: string}
	 */
	public function notifyUser(string $username, array $text): array {
		return $this->post([
			'userId' => '',
			'username' => $username,
			'title' => $text['title'],
			'content' => $text['content'],
			'type' => 'info',
			'link' => $text['link'],
		]);
	}

	/**
	 * The one-group form: LaBoite shows it to the group's admins, animators and members.
	 * @param array{title: string, content: string, link: string} $text
	 * @return array{outcome: 'delivered'|'retry'|'permanent', reason: string}
	 */
	public function notifyGroup(string $groupId, array $text): array {
		return $this->post(['groupId' => $groupId, 'title' => $text['title'], 'content' => $text['content'], 'link' => $text['link']]);
	}

	/**
	 * "Test the connection": an empty notification, which LaBoite refuses after checking the key
	 * (`dataWithoutuserIdNorGroupId`), so nothing is stored. The result names what failed.
	 * @return array{result: 'ok'|'not-configured'|'unreachable'|'key-refused'|'not-laboite', detail: string}
	 */
	public function check(): array {
		if (!$this->isConfigured()) {
			return ['result' => 'not-configured', 'detail' => ''];
		}
		try {
			[$status, $answer] = $this->send('{}');
		} catch (\Throwable $e) {
			return ['result' => 'unreachable', 'detail' => $e->getMessage()];
		}
		if ($status === 401 || $status === 403) {
			return ['result' => 'key-refused', 'detail' => "HTTP $status"];
		}
		if (str_contains($answer, 'restapi.notifications.') || str_contains($answer, 'validation-error')) {
			return ['result' => 'ok', 'detail' => "HTTP $status"];
		}
		return ['result' => 'not-laboite', 'detail' => "HTTP $status"];
	}

	/** @return array{outcome: 'delivered'|'retry'|'permanent', reason: string} */
	private function post(array $notification): array {
		$body = json_encode($notification, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
		try {
			[$status, $answer] = $this->send($body);
		} catch (\Throwable $e) {
			return ['outcome' => 'retry', 'reason' => 'portal unreachable: ' . $e->getMessage()];
		}
		if ($status >= 200 && $status < 300) {
			return ['outcome' => 'delivered', 'reason' => ''];
		}
		if ($status === 401 || $status === 403) {
			return ['outcome' => 'permanent', 'reason' => "HTTP $status: the portal refuses the API key (Administration settings > LaBoite)"];
		}
		foreach (self::PERMANENT as $code) {
			if (str_contains($answer, $code)) {
				return ['outcome' => 'permanent', 'reason' => "HTTP $status $code"];
			}
		}
		if ($status === 408 || $status === 429 || $status >= 500) {
			return ['outcome' => 'retry', 'reason' => "HTTP $status"];
		}
		return ['outcome' => 'permanent', 'reason' => "HTTP $status: the portal rejects the notification"];
	}

	/**
	 * One POST of a JSON body to `/api/notifications` with the API key.
	 * @return array{0: int, 1: string} the status and the answer's body
	 * @throws \Throwable when the portal cannot be reached
	 */
	private function send(string $body): array {
		$response = $this->clients->newClient()->post($this->settings->portalUrl() . '/api/notifications', [
			'headers' => ['X-API-KEY' => $this->settings->apiKey(), 'Content-Type' => 'application/json', 'Accept' => 'application/json'],
			'body' => $body,
			'timeout' => 10,
			'http_errors' => false,
		]);
		$answer = $response->getBody();
		return [$response->getStatusCode(), is_string($answer) ? $answer : (string)stream_get_contents($answer)];
	}
}
