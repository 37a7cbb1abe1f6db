<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/**
 * The Group folders app, as FolderSync uses it: what a folder is now, and the changes it makes. The one
 * implementation is GroupFoldersBackend; tests give the same app's stand-in.
 */
interface FolderBackend {
	/** Whether the Group folders app is enabled: without it, portal groups get no folder. */
	public function available(): bool;

	/**
	 * The folder as it is now, or null when it is gone (deleted by hand).
	 * @return array{mountPoint: string, quota: int, groups: array<string, int>}|null groups: Nextcloud group id => permissions
	 */
	public function read(int $folderId): ?array;

	/** Whether a folder other than $except is mounted at this name. */
	public function mountPointTaken(string $mountPoint, ?int $except): bool;

	public function create(string $mountPoint): int;

	public function rename(int $folderId, string $mountPoint): void;

	/** @param int $quota bytes, or -3 for unlimited */
	public function setQuota(int $folderId, int $quota): void;

	public function grant(int $folderId, string $groupId, int $permissions): void;

	public function setPermissions(int $folderId, string $groupId, int $permissions): void;

	public function revoke(int $folderId, string $groupId): void;

	/** Removes the folder and its files, versions and trash. */
	public function delete(int $folderId): void;
}
