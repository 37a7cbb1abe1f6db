<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP;

/** Stand-in of Nextcloud's `lib/public/IL10N.php`, reduced to `t()`. */
interface IL10N {
	/** Translates `$text` and fills its `%1$s` placeholders with `$parameters`. @since 6.0.0 */
	public function t(string $text, $parameters = []): string;
}
