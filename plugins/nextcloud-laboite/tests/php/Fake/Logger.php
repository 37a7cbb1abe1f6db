<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use Psr\Log\LoggerInterface;

final class Logger implements LoggerInterface {
	/** @var list<string> "level: message" */
	public array $lines = [];

	public function error(string|\Stringable $message, array $context = []): void {
		$this->lines[] = 'error: ' . $message;
	}

	public function warning(string|\Stringable $message, array $context = []): void {
		$this->lines[] = 'warning: ' . $message;
	}

	public function info(string|\Stringable $message, array $context = []): void {
		$this->lines[] = 'info: ' . $message;
	}
}
