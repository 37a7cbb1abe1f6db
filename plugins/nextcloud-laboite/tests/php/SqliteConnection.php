<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests;

use OCP\DB\IResult;
use OCP\IDBConnection;

/** IDBConnection on a real SQLite database (PDO), with Nextcloud's `*PREFIX*` (`oc_`) and its conflict rule. */
final class SqliteConnection implements IDBConnection {
	public \PDO $pdo;

	public function __construct(string $path = ':memory:') {
		$this->pdo = new \PDO('sqlite:' . $path, null, null, [\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION]);
		$this->pdo->exec('PRAGMA busy_timeout = 5000');
		// The tables of lib/Migration/Version000100Date20261205000000.php.
		$this->pdo->exec('CREATE TABLE IF NOT EXISTS oc_laboite_nonces (nonce VARCHAR(64) NOT NULL PRIMARY KEY, expires_at BIGINT NOT NULL)');
		$this->pdo->exec('CREATE TABLE IF NOT EXISTS oc_laboite_groups (portal_id VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, slug VARCHAR(200) NOT NULL, updated_at BIGINT NOT NULL, seen_run VARCHAR(36), folder_id BIGINT)');
		// The Group folders app's two tables, as its migrations leave them (nextcloud/groupfolders v20.1.18,
		// lib/Migration/Version102020Date20180806161449.php and Version1401000Date2023042611200{1,2}.php for circle_id).
		$this->pdo->exec('CREATE TABLE IF NOT EXISTS oc_group_folders (folder_id INTEGER PRIMARY KEY AUTOINCREMENT, mount_point VARCHAR(128) NOT NULL, quota BIGINT NOT NULL, root_id BIGINT, storage_id BIGINT, options TEXT)');
		$this->pdo->exec('CREATE TABLE IF NOT EXISTS oc_group_folders_groups (applicable_id INTEGER PRIMARY KEY AUTOINCREMENT, folder_id BIGINT NOT NULL, permissions INTEGER NOT NULL, group_id VARCHAR(64), circle_id VARCHAR(32), UNIQUE (folder_id, group_id, circle_id))');
		$this->pdo->exec('CREATE TABLE IF NOT EXISTS oc_laboite_sent (share_id VARCHAR(64) NOT NULL, recipient VARCHAR(64) NOT NULL, sent_at BIGINT NOT NULL, PRIMARY KEY (share_id, recipient))');
	}

	public function executeQuery(string $sql, array $params = [], $types = []): IResult {
		$statement = $this->pdo->prepare($this->fixup($sql));
		$statement->execute($params);
		return new class($statement) implements IResult {
			public function __construct(
				private \PDOStatement $statement,
			) {
			}

			public function closeCursor(): bool {
				return $this->statement->closeCursor();
			}

			public function fetchAll(int $fetchMode = \PDO::FETCH_ASSOC): array {
				return $this->statement->fetchAll($fetchMode);
			}

			public function fetchOne() {
				return $this->statement->fetchColumn();
			}
		};
	}

	private function fixup(string $sql): string {
		return str_replace('`', '"', str_replace('*PREFIX*', 'oc_', $sql));
	}

	public function executeStatement($sql, array $params = [], array $types = []): int {
		$statement = $this->pdo->prepare($this->fixup($sql));
		$statement->execute($params);
		return $statement->rowCount();
	}

	public function insertIgnoreConflict(string $table, array $values): int {
		$columns = array_keys($values);
		$sql = 'INSERT INTO "oc_' . $table . '" ("' . implode('", "', $columns) . '") VALUES ('
			. implode(', ', array_fill(0, count($columns), '?')) . ') ON CONFLICT DO NOTHING';
		$statement = $this->pdo->prepare($sql);
		$statement->execute(array_values($values));
		return $statement->rowCount();
	}
}
