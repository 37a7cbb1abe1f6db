<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\Security\CSP;

use OCP\AppFramework\Http\EmptyContentSecurityPolicy;
use OCP\EventDispatcher\Event;

/**
 * Stand-in of Nextcloud's `lib/public/Security/CSP/AddContentSecurityPolicyEvent.php` (since 17.0.0): the real one
 * hands each policy to the CSP manager, which merges them; this one keeps them in $policies.
 */
class AddContentSecurityPolicyEvent extends Event {
	/** @var list<EmptyContentSecurityPolicy> */
	public array $policies = [];

	public function addPolicy(EmptyContentSecurityPolicy $csp): void {
		$this->policies[] = $csp;
	}
}
