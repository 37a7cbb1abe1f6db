<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\DB;

use PDO;

/** Stand-in of Nextcloud's `lib/public/DB/IResult.php` (server 32), reduced to the methods the app calls. */
interface IResult {
	/** @since 21.0.0 */
	public function closeCursor(): bool;

	/** @since 21.0.0 */
	public function fetchAll(int $fetchMode = PDO::FETCH_ASSOC): array;

	/** @return mixed the first column of the next row, false when none @since 21.0.0 */
	public function fetchOne();
}
