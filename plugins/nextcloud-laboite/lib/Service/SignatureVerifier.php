<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/**
 * Checks the portal's signature of a group-sync call (specification: packages/laboite-group-sync/README.md).
 *
 * canonical = "v1\n" . METHOD . "\n" . path-with-query . "\n" . timestamp . "\n" . nonce . "\n" . hex(sha256(body))
 * X-LaBoite-Signature: v1=<hex HMAC-SHA256(secret, canonical)>
 *
 * Refused: a missing or malformed header, a timestamp more than WINDOW_SECONDS away from now, a bad signature
 * (compared in constant time), and a nonce already seen within the window. The nonce is remembered only once the
 * signature is good, so that nobody can burn the portal's nonces with forged calls.
 */
final class SignatureVerifier {
	public const WINDOW_SECONDS = 300;
	/** The shortest shared secret accepted: 32 characters. */
	public const MIN_SECRET_LENGTH = 32;

	public function __construct(
		private NonceStore $nonces,
	) {
	}

	/**
	 * @param array<string, string> $headers lower-case header names
	 * @throws SignatureException
	 */
	public function verify(
		string $secret,
		string $method,
		string $pathWithQuery,
		array $headers,
		string $body,
		int $now,
	): void {
		if (strlen($secret) < self::MIN_SECRET_LENGTH) {
			throw new SignatureException('notConfigured');
		}
		$timestamp = $headers['x-laboite-timestamp'] ?? '';
		$nonce = $headers['x-laboite-nonce'] ?? '';
		$signature = $headers['x-laboite-signature'] ?? '';
		if ($timestamp === '' || $nonce === '' || $signature === '') {
			throw new SignatureException('missing');
		}
		// D: `$` is the end of the text, not also before a final line break (a header must not carry one).
		if (preg_match('/^[0-9]{1,12}$/D', $timestamp) !== 1
			|| preg_match('/^[A-Za-z0-9_-]{16,64}$/D', $nonce) !== 1
			|| preg_match('/^v1=[0-9a-f]{64}$/D', $signature) !== 1) {
			throw new SignatureException('malformed');
		}
		if (abs($now - (int)$timestamp) > self::WINDOW_SECONDS) {
			throw new SignatureException('stale');
		}
		$canonical = implode("\n", [
			'v1',
			strtoupper($method),
			$pathWithQuery,
			$timestamp,
			$nonce,
			hash('sha256', $body),
		]);
		$expected = 'v1=' . hash_hmac('sha256', $canonical, $secret);
		if (!hash_equals($expected, $signature)) {
			throw new SignatureException('invalid');
		}
		// Kept past the window's far edge: a replay later than that is refused as stale.
		if (!$this->nonces->remember($nonce, (int)$timestamp + self::WINDOW_SECONDS + 1, $now)) {
			throw new SignatureException('replayed');
		}
	}
}
