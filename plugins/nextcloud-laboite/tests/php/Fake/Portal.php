<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\Http\Client\IClient;
use OCP\Http\Client\IClientService;
use OCP\Http\Client\IResponse;

/**
 * Nextcloud's HTTP client in front of a scripted portal: each POST is kept; the answer is the next scripted one
 * (status and body), or a network failure when the script says `down`. With nothing scripted, LaBoite's 200.
 */
final class Portal implements IClientService, IClient {
	/** @var list<array{uri: string, options: array}> */
	public array $posts = [];
	/** @var list<array{int, string}|'down'> */
	public array $script = [];

	public function newClient(): IClient {
		return $this;
	}

	public function post(string $uri, array $options = []): IResponse {
		$this->posts[] = ['uri' => $uri, 'options' => $options];
		$next = array_shift($this->script) ?? [200, '"nOtIfIcAtIoNiD"'];
		if ($next === 'down') {
			throw new \RuntimeException('cURL error 7: Failed to connect to portail.test port 443');
		}
		return new Response($next[0], $next[1]);
	}

	/** @return list<array<string, string>> the JSON bodies posted */
	public function bodies(): array {
		return array_map(fn ($post) => json_decode($post['options']['body'], true, 512, JSON_THROW_ON_ERROR), $this->posts);
	}
}
