<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/**
 * Stand-in of Nextcloud's `lib/public/Util.php`, reduced to the two static methods the app calls (addScript since
 * 4.0.0, addInitScript since 28.0.0); the scripts added are kept in $scripts for the tests to read.
 */
class Util {
	/** @var list<string> "app/file" */
	public static array $scripts = [];

	public static function addScript(string $application, ?string $file = null, string $afterAppId = 'core', bool $prepend = false): void {
		self::$scripts[] = $application . '/' . $file;
	}

	public static function addInitScript(string $application, string $file): void {
		self::$scripts[] = 'init:' . $application . '/' . $file;
	}
}
