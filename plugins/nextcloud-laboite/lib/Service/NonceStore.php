<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** Where the nonces of signed calls are remembered until they could no longer pass the time window. */
interface NonceStore {
	/**
	 * Remembers the nonce until `$expiresAt` (Unix seconds); false if it is already remembered (a replay). Atomic:
	 * of two calls with one nonce at the same time, one gets false.
	 */
	public function remember(string $nonce, int $expiresAt, int $now): bool;
}
