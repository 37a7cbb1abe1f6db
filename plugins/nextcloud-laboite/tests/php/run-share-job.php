<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

// For tests/share-notifications.interop.test.ts: runs the app's SendShareNotifications job once, as Nextcloud's cron
// would, against a real portal over HTTP (the LaBoite double), with Nextcloud's shares, users and groups from the
// JSON in argv[1] (`portalGroups`: the Nextcloud groups that are synced portal groups), its database in the SQLite
// file argv[2]. Prints what it left behind as JSON: the jobs it scheduled and its log lines.
require __DIR__ . '/bootstrap.php';

use OCA\LaBoite\BackgroundJob\SendShareNotifications;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCA\LaBoite\Tests\Fake\CurlClient;
use OCA\LaBoite\Tests\Fake\Directory;
use OCA\LaBoite\Tests\Fake\GroupFolders;
use OCA\LaBoite\Tests\Fake\JobList;
use OCA\LaBoite\Tests\Fake\Logger;
use OCA\LaBoite\Tests\Fake\Nextcloud;
use OCA\LaBoite\Tests\Fake\Share;
use OCA\LaBoite\Tests\SqliteConnection;

$input = json_decode((string)$argv[1], true, 512, JSON_THROW_ON_ERROR);
$nextcloud = new Nextcloud((string)(getenv('LABOITE_APP_DIR') ?: __DIR__ . '/../..'));
$nextcloud->now = $input['now'];
foreach ($input['shares'] as $share) {
	$nextcloud->shares[$share['id']] = new Share($share['id'], $share['type'], $share['with'], $share['by'], $share['nodeId'], $share['nodeType'], $share['target']);
}
$directory = new Directory($input['users'], $input['groups']);
$config = new AppConfig($input['settings']);
$jobs = new JobList();
$logger = new Logger();
$db = new SqliteConnection((string)$argv[2]);
foreach ($input['portalGroups'] ?? [] as $portalId) {
	$db->insertIgnoreConflict('laboite_groups', ['portal_id' => $portalId, 'name' => $portalId, 'slug' => 'g', 'updated_at' => 0]);
}
$job = new SendShareNotifications(
	$nextcloud,
	$nextcloud,
	$directory->groupManager(),
	$directory->userManager(),
	$db,
	$jobs,
	new PortalClient(new CurlClient(), new Settings($config)),
	new Settings($config),
	($apps = new GroupFolders($db))->groupSync($directory->groupManager(), $directory->userManager(), $nextcloud, $config, $nextcloud),
	$apps->teamMembers(),
	$nextcloud,
	$nextcloud,
	$logger,
);
if (isset($input['check'])) {
	// The settings page's "Test the connection", over HTTP to the portal.
	echo json_encode((new PortalClient(new CurlClient(), new Settings($config)))->check(), JSON_UNESCAPED_SLASHES);
	exit;
}
if (isset($input['bare'])) {
	// For bench/: the same number of POSTs to the portal through the same client, one after the other, no job.
	$client = new CurlClient();
	foreach ($input['bare'] as $body) {
		$client->post($input['settings']['portal_url'] . '/api/notifications', [
			'headers' => ['X-API-KEY' => $input['settings']['api_key'], 'Content-Type' => 'application/json'],
			'body' => json_encode($body),
			'http_errors' => false,
		]);
	}
} else {
	$job->setArgument($input['argument']);
	$job->start($jobs);
}
echo json_encode(['jobs' => $jobs->jobs, 'log' => $logger->lines], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
