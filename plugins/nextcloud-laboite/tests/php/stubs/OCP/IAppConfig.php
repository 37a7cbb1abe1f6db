<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IAppConfig.php` (typed getters and setters, since 29.0.0), reduced to those the app calls. */
interface IAppConfig {
	/** @since 29.0.0 */
	public function getValueString(string $app, string $key, string $default = '', bool $lazy = false): string;

	/** @since 29.0.0 */
	public function getValueInt(string $app, string $key, int $default = 0, bool $lazy = false): int;

	/** @since 29.0.0 */
	public function setValueString(string $app, string $key, string $value, bool $lazy = false, bool $sensitive = false): bool;

	/** @since 29.0.0 */
	public function getValueBool(string $app, string $key, bool $default = false, bool $lazy = false): bool;

	/** @since 29.0.0 */
	public function setValueInt(string $app, string $key, int $value, bool $lazy = false, bool $sensitive = false): bool;

	/** @since 29.0.0 */
	public function setValueBool(string $app, string $key, bool $value, bool $lazy = false): bool;
}
