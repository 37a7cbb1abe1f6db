<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IRequest.php`, reduced to what the app's controllers call. */
interface IRequest {
	public function getHeader(string $name): string;

	public function getParams(): array;

	public function getMethod(): string;

	public function getRequestUri(): string;
}
