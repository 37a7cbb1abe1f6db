<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Share;

/** Stand-in of Nextcloud's `lib/public/Share/IShare.php`, reduced to the constants and getters the app uses. */
interface IShare {
	/** @since 17.0.0 */
	public const TYPE_USER = 0;
	/** @since 17.0.0 */
	public const TYPE_GROUP = 1;
	/** @since 17.0.0 */
	public const TYPE_LINK = 3;
	/** @since 17.0.0 */
	public const TYPE_EMAIL = 4;
	/** @since 17.0.0 */
	public const TYPE_CIRCLE = 7;

	/** The provider's id and the share's, `ocinternal:42` (throws if the share has no id yet). @since 9.0.0 */
	public function getFullId();

	/** @since 9.0.0 */
	public function getShareType();

	/** The uid, gid or team id the share is with. @since 9.0.0 */
	public function getSharedWith();

	/** The uid of who made the share. @since 9.0.0 */
	public function getSharedBy();

	/** @since 9.0.0 */
	public function getNodeId(): int;

	/** 'file' or 'folder'. @since 9.0.0 */
	public function getNodeType();

	/** The path the recipient sees, `/Cours.pdf`. @since 9.0.0 */
	public function getTarget();
}
