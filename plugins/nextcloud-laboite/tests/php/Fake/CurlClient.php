<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\Http\Client\IClient;
use OCP\Http\Client\IClientService;
use OCP\Http\Client\IResponse;

/**
 * Nextcloud's HTTP client over real HTTP (curl), with Guzzle's rules for the options the app passes: `headers`,
 * `body`, `timeout` (seconds), and `http_errors` (true by default: a 4xx/5xx answer throws).
 */
final class CurlClient implements IClientService, IClient {
	public function newClient(): IClient {
		return $this;
	}

	public function post(string $uri, array $options = []): IResponse {
		$curl = curl_init($uri);
		$headers = [];
		foreach ($options['headers'] ?? [] as $name => $value) {
			$headers[] = $name . ': ' . $value;
		}
		curl_setopt_array($curl, [
			CURLOPT_POST => true,
			CURLOPT_POSTFIELDS => $options['body'] ?? '',
			CURLOPT_HTTPHEADER => $headers,
			CURLOPT_RETURNTRANSFER => true,
			CURLOPT_TIMEOUT => (int)($options['timeout'] ?? 30),
		]);
		$body = curl_exec($curl);
		if ($body === false) {
			$error = 'cURL error ' . curl_errno($curl) . ': ' . curl_error($curl);
			curl_close($curl);
			throw new \RuntimeException($error);
		}
		$status = (int)curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
		curl_close($curl);
		if ($status >= 400 && ($options['http_errors'] ?? true)) {
			throw new \RuntimeException("Client error: POST $uri resulted in a $status response");
		}
		return new Response($status, (string)$body);
	}
}
