<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace Psr\Log;

/** Stand-in of PSR-3's `Psr\Log\LoggerInterface` (what Nextcloud injects), reduced to the levels the app uses. */
interface LoggerInterface {
	public function error(string|\Stringable $message, array $context = []): void;

	public function warning(string|\Stringable $message, array $context = []): void;

	public function info(string|\Stringable $message, array $context = []): void;
}
