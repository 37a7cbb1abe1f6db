<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

// For tests/group-sync.interop.test.ts and bench/, under `php -S`: the app's group-sync endpoint (SyncEndpoint, as
// GroupSyncController calls it) with Nextcloud's users, groups and app settings in the tables of its SQLite backend
// (the file LABOITE_TEST_DB), the shared secret LABOITE_TEST_SECRET. Answers OCS v2 envelopes, the HTTP status
// following the statuscode. Nextcloud's own routing and HTTP layer are not here; this router takes the same paths.
require __DIR__ . '/bootstrap.php';

use OCA\LaBoite\Service\DbNonceStore;
use OCA\LaBoite\Service\SignatureVerifier;
use OCA\LaBoite\Service\SyncEndpoint;
use OCA\LaBoite\Service\SyncRefusal;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\Logger;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\Fake\SqliteAppConfig;
use OCA\LaBoite\Tests\Fake\SqliteDirectory;
use OCA\LaBoite\Tests\SqliteConnection;
use OCP\AppFramework\Utility\ITimeFactory;

$db = new SqliteConnection((string)getenv('LABOITE_TEST_DB'));
$config = new SqliteAppConfig($db);
$config->setValueString('laboite', 'sync_secret', (string)getenv('LABOITE_TEST_SECRET'));
$clock = new class implements ITimeFactory {
	public function getTime(): int {
		return time();
	}
};
$directory = new SqliteDirectory($db);
$endpoint = new SyncEndpoint(
	new SignatureVerifier(new DbNonceStore($db)),
	(new GroupFolders($db))->groupSync($directory, $directory->users(), $clock, $config, new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../..'))),
	$config,
	$clock,
	new Logger(),
);
$method = $_SERVER['REQUEST_METHOD'];
$uri = $_SERVER['REQUEST_URI'];
$path = (string)parse_url($uri, PHP_URL_PATH);
$request = [$method, $uri, array_change_key_case(getallheaders(), CASE_LOWER), (string)file_get_contents('php://input')];
$status = 200;
$message = 'OK';
$data = [];
try {
	// One request at a time on the file (the 4 workers of php -S wait for each other), one commit per request.
	$db->pdo->exec('BEGIN IMMEDIATE');
	if (preg_match('#^/ocs/v2\.php/apps/laboite/api/v1/groups/([^/]+)$#D', $path, $m) === 1 && in_array($method, ['PUT', 'DELETE'], true)) {
		$data = $method === 'PUT' ? $endpoint->putGroup(urldecode($m[1]), ...$request) : $endpoint->deleteGroup(urldecode($m[1]), ...$request);
	} elseif ($path === '/ocs/v2.php/apps/laboite/api/v1/reconcile' && $method === 'POST') {
		$data = $endpoint->reconcile(...$request);
	} else {
		$status = 404;
		$message = 'no such route';
	}
	$db->pdo->exec('COMMIT');
} catch (SyncRefusal $e) {
	// What was written before the refusal stays, as in Nextcloud (each statement commits on its own there).
	$db->pdo->exec('COMMIT');
	$status = $e->status;
	$message = $e->getMessage();
} catch (\Throwable $e) {
	$db->pdo->exec('ROLLBACK');
	$status = 500;
	$message = $e->getMessage();
}
http_response_code($status);
header('Content-Type: application/json; charset=utf-8');
echo json_encode([
	'ocs' => [
		'meta' => ['status' => $status === 200 ? 'ok' : 'failure', 'statuscode' => $status, 'message' => $message],
		'data' => $data,
	],
], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
