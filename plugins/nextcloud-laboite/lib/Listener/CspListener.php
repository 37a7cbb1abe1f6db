<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Listener;

use OCA\LaBoite\Service\Settings;
use OCP\AppFramework\Http\ContentSecurityPolicy;
use OCP\EventDispatcher\Event;
use OCP\EventDispatcher\IEventListener;
use OCP\Security\CSP\AddContentSecurityPolicyEvent;

/**
 * Content-Security-Policy: Nextcloud's pages may frame the portal's origin (the dashboard widget shows the portal's
 * unread-notifications widget), and nothing else is opened. No portal address set: no entry.
 * @template-implements IEventListener<Event>
 */
final class CspListener implements IEventListener {
	public function __construct(
		private Settings $settings,
	) {
	}

	public function handle(Event $event): void {
		if (!($event instanceof AddContentSecurityPolicyEvent)) {
			return;
		}
		$origin = $this->settings->portalOrigin();
		if ($origin === null) {
			return;
		}
		$policy = new ContentSecurityPolicy();
		$policy->addAllowedFrameDomain($origin);
		$event->addPolicy($policy);
	}
}
