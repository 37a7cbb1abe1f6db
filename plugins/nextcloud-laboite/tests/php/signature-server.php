<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

// For tests/signature.interop.test.ts, under `php -S`: the app's SignatureVerifier and DbNonceStore (on the SQLite
// file LABOITE_TEST_DB) check each request that the TypeScript client of packages/laboite-group-sync signs, and the
// answer is an OCS v2 envelope: 200 with no change, or 401 with the reason. Nextcloud's own routing is not here.
require __DIR__ . '/bootstrap.php';

use OCA\LaBoite\Service\DbNonceStore;
use OCA\LaBoite\Service\SignatureException;
use OCA\LaBoite\Service\SignatureVerifier;
use OCA\LaBoite\Tests\SqliteConnection;

$db = new SqliteConnection((string)getenv('LABOITE_TEST_DB'));
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
$status = 200;
$message = 'OK';
try {
	(new SignatureVerifier(new DbNonceStore($db)))->verify(
		(string)getenv('LABOITE_TEST_SECRET'),
		$_SERVER['REQUEST_METHOD'],
		$_SERVER['REQUEST_URI'],
		$headers,
		(string)file_get_contents('php://input'),
		time(),
	);
} catch (SignatureException $e) {
	$status = 401;
	$message = $e->getMessage();
}
http_response_code($status);
header('Content-Type: application/json; charset=utf-8');
echo json_encode([
	'ocs' => [
		'meta' => ['status' => $status === 200 ? 'ok' : 'failure', 'statuscode' => $status, 'message' => $message],
		'data' => $status === 200 ? ['changes' => []] : [],
	],
]);
