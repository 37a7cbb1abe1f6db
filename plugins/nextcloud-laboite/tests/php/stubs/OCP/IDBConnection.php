<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/**
 * Stand-in of Nextcloud's `lib/public/IDBConnection.php` (server 31 and 32), reduced to the methods the app calls,
 * with their signatures as there (server 32). `*PREFIX*` in SQL is replaced by the table prefix (`oc_` by default).
 */
interface IDBConnection {
	/**
	 * Executes an SQL query (SELECT) with the given parameters.
	 * @since 8.0.0
	 */
	public function executeQuery(string $sql, array $params = [], $types = []): \OCP\DB\IResult;

	/**
	 * Executes an SQL INSERT/UPDATE/DELETE query with the given parameters and returns the number of affected rows.
	 * @since 21.0.0
	 */
	public function executeStatement($sql, array $params = [], array $types = []): int;

	/**
	 * Inserts a row; 0 when a unique constraint refused it, instead of an exception.
	 * @since 16.0.0
	 */
	public function insertIgnoreConflict(string $table, array $values): int;
}
