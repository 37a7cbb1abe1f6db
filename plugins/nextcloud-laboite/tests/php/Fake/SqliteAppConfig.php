<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCA\LaBoite\Tests\SqliteConnection;
use OCP\IAppConfig;

/** IAppConfig in Nextcloud's `oc_appconfig` table (appid, configkey, configvalue), for state across `php -S` requests. */
final class SqliteAppConfig implements IAppConfig {
	use StoredAsStrings;

	public function __construct(
		private SqliteConnection $db,
	) {
		$db->pdo->exec('CREATE TABLE IF NOT EXISTS oc_appconfig (appid VARCHAR(32) NOT NULL, configkey VARCHAR(64) NOT NULL, configvalue TEXT, PRIMARY KEY (appid, configkey))');
	}

	protected function read(string $app, string $key): ?string {
		$statement = $this->db->pdo->prepare('SELECT configvalue FROM oc_appconfig WHERE appid = ? AND configkey = ?');
		$statement->execute([$app, $key]);
		$value = $statement->fetchColumn();
		return $value === false ? null : (string)$value;
	}

	public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool {
		$changed = $this->read($app, $key) !== $value;
		$this->db->pdo->prepare('INSERT INTO oc_appconfig (appid, configkey, configvalue) VALUES (?, ?, ?) ON CONFLICT (appid, configkey) DO UPDATE SET configvalue = excluded.configvalue')->execute([$app, $key, $value]);
		return $changed;
	}
}
