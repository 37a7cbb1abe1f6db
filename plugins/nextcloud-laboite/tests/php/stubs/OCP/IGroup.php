<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IGroup.php` (server 32), reduced to the methods the app calls. */
interface IGroup {
	/** @since 8.0.0 */
	public function getGID(): string;

	/** @since 12.0.0 */
	public function getDisplayName(): string;

	/** @since 18.0.0 */
	public function setDisplayName(string $displayName): bool;

	/** @return IUser[] @since 8.0.0 */
	public function getUsers(): array;

	/** @since 8.0.0 */
	public function inGroup(IUser $user): bool;

	/** @since 8.0.0 */
	public function addUser(IUser $user): void;

	/** @since 8.0.0 */
	public function removeUser(IUser $user): void;

	/** @since 8.0.0 */
	public function count(string $search = ''): int|bool;

	/** @since 8.0.0 */
	public function delete(): bool;
}
