<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\AppFramework\Http;

/**
 * Stand-in of Nextcloud's `lib/public/AppFramework/Http/EmptyContentSecurityPolicy.php`, reduced to the frame
 * domains: addAllowedFrameDomain (since 8.1.0) and the `frame-src` part of buildPolicy, written as the real one does.
 */
class EmptyContentSecurityPolicy {
	/** @var list<string>|null */
	protected $allowedFrameDomains = null;

	public function addAllowedFrameDomain($domain) {
		$this->allowedFrameDomains[] = $domain;
		return $this;
	}

	public function buildPolicy() {
		$policy = '';
		if (!empty($this->allowedFrameDomains)) {
			$policy .= 'frame-src ';
			$policy .= implode(' ', $this->allowedFrameDomains);
			$policy .= ';';
		}
		return rtrim($policy, ';');
	}
}
