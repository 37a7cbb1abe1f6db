<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Http\Client;

/**
 * Stand-in of Nextcloud's `lib/public/Http/Client/IClient.php`, reduced to `post()`. Options are Guzzle's
 * (`headers`, `body`, `timeout`, `http_errors`); it throws on a network failure, and on 4xx/5xx unless
 * `http_errors` is false.
 */
interface IClient {
	/** @throws \Exception @since 8.1.0 */
	public function post(string $uri, array $options = []): IResponse;
}
