<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCA\LaBoite\Tests\SqliteConnection;
use OCP\IAppConfig;

/** IAppConfig in Nextcloud's `oc_appconfig` table (appid, configkey, configvalue), for state across `php -S` requests. */
final class SqliteAppConfig implements IAppConfig {
	public function __construct(
		private SqliteConnection $db,
	) {
		$db->pdo->exec('CREATE TABLE IF NOT EXISTS oc_appconfig (appid VARCHAR(32) NOT NULL, configkey VARCHAR(64) NOT NULL, configvalue TEXT, PRIMARY KEY (appid, configkey))');
	}

	private function read(string $app, string $key): ?string {
		$statement = $this->db->pdo->prepare('SELECT configvalue FROM oc_appconfig WHERE appid = ? AND configkey = ?');
		$statement->execute([$app, $key]);
		$value = $statement->fetchColumn();
		return $value === false ? null : (string)$value;
	}

	public function getValueString(string $app, string $key, string $default = '', bool $lazy = false): string {
		return $this->read($app, $key) ?? $default;
	}

	public function getValueInt(string $app, string $key, int $default = 0, bool $lazy = false): int {
		$value = $this->read($app, $key);
		return $value === null ? $default : (int)$value;
	}

	public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool {
		$changed = $this->read($app, $key) !== $value;
		$this->db->pdo->prepare('INSERT INTO oc_appconfig (appid, configkey, configvalue) VALUES (?, ?, ?) ON CONFLICT (appid, configkey) DO UPDATE SET configvalue = excluded.configvalue')->execute([$app, $key, $value]);
		return $changed;
	}

	public function setValueInt(string $app, string $key, int $value, bool $lazy = false, bool $sensitive = false): bool {
		return $this->setValueString($app, $key, (string)$value);
	}

	public function setValueBool(string $app, string $key, bool $value, bool $lazy = false): bool {
		return $this->setValueString($app, $key, $value ? '1' : '0');
	}

	public function getValueBool(string $app, string $key, bool $default = false, bool $lazy = false): bool {
		$value = $this->read($app, $key);
		return $value === null ? $default : AppConfig::truthy($value);
	}
}
