<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

// The app's classes from lib/ of LABOITE_APP_DIR (the app unpacked from the tarball `pnpm build` made, in
// tests/phpunit.interop.test.ts; this source tree without it), Nextcloud's public interfaces from the stand-ins in
// stubs/ (each names the file of Nextcloud it follows), the tests' helpers from here.
$appDir = getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../..';
spl_autoload_register(static function (string $class) use ($appDir): void {
	$roots = [
		'OCA\\LaBoite\\Tests\\' => __DIR__ . '/',
		'OCA\\LaBoite\\' => $appDir . '/lib/',
		'OCP\\' => __DIR__ . '/stubs/OCP/',
		'Psr\\Log\\' => __DIR__ . '/stubs/Psr/Log/',
		'Psr\\Container\\' => __DIR__ . '/stubs/Psr/Container/',
		'OCA\\GroupFolders\\' => __DIR__ . '/stubs/OCA/GroupFolders/',
		'OCA\\Circles\\' => __DIR__ . '/stubs/OCA/Circles/',
	];
	foreach ($roots as $prefix => $dir) {
		if (str_starts_with($class, $prefix)) {
			$file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
			if (is_file($file)) {
				require $file;
			}
			return;
		}
	}
});
