<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\GroupFolders\Mount;

/**
 * Stand-in of the Group folders app's `lib/Mount/FolderStorageManager.php` (v20.1.18), reduced to the method that
 * removes a folder's files, versions and trash; the ids of the folders whose files it removed are kept in $deleted.
 */
class FolderStorageManager {
	/** @var list<int> */
	public array $deleted = [];

	public function deleteStoragesForFolder(object $folder): void {
		$this->deleted[] = $folder->id;
	}
}
