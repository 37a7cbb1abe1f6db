<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Http;

/**
 * Stand-in of Nextcloud's `lib/public/AppFramework/Http/ContentSecurityPolicy.php`: the default policy, whose
 * frame domains start empty ([]), not unset.
 */
class ContentSecurityPolicy extends EmptyContentSecurityPolicy {
	protected $allowedFrameDomains = [];
}
