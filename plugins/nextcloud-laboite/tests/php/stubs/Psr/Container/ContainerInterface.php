<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace Psr\Container;

/** Stand-in of psr/container 2 (Nextcloud's `3rdparty/psr/container/src/ContainerInterface.php`). */
interface ContainerInterface {
	public function get(string $id);

	public function has(string $id): bool;
}
