<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** A group-sync call whose signature was refused; `reason` names why (what the answer and the log say). */
final class SignatureException extends \Exception {
	/** @var array<string, string> what each reason tells the portal's administrator */
	private const HINTS = [
		'notConfigured' => 'the shared secret is not set in Nextcloud (Administration settings > LaBoite), or is shorter than 32 characters',
		'missing' => 'the X-LaBoite-Timestamp, X-LaBoite-Nonce and X-LaBoite-Signature headers are required',
		'malformed' => 'a signature header is malformed',
		'stale' => 'the timestamp is more than 300 seconds away from Nextcloud\'s clock: check both servers\' time (NTP)',
		'invalid' => 'the signature does not match: the shared secret differs between the portal and Nextcloud',
		'replayed' => 'this nonce was already used: a call is signed once and sent once',
	];

	public function __construct(
		public readonly string $reason,
	) {
		parent::__construct('signature refused (' . $reason . '): ' . (self::HINTS[$reason] ?? $reason));
	}
}
