<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use OCP\IDBConnection;

/**
 * Nonces in the app's own table (`oc_laboite_nonces`, primary key on the nonce): atomic in every database Nextcloud
 * supports, and shared by all of Nextcloud's web servers. A memory cache would not do: Nextcloud gives a cache
 * that forgets everything when none is configured, which would let every replay through.
 */
final class DbNonceStore implements NonceStore {
	public const TABLE = 'laboite_nonces';

	public function __construct(
		private IDBConnection $db,
	) {
	}

	public function remember(string $nonce, int $expiresAt, int $now): bool {
		// The table holds the calls of the last few minutes only.
		$this->db->executeStatement('DELETE FROM `*PREFIX*' . self::TABLE . '` WHERE `expires_at` < ?', [$now]);
		return $this->db->insertIgnoreConflict(self::TABLE, ['nonce' => $nonce, 'expires_at' => $expiresAt]) === 1;
	}
}
