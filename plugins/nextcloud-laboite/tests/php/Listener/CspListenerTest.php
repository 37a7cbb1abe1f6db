<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Listener;

use OCA\LaBoite\Listener\CspListener;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Tests\Fake\AppConfig;
use OCP\EventDispatcher\Event;
use OCP\Security\CSP\AddContentSecurityPolicyEvent;
use PHPUnit\Framework\TestCase;

final class CspListenerTest extends TestCase {
	private function policyFor(string $portalUrl): string {
		$event = new AddContentSecurityPolicyEvent();
		(new CspListener(new Settings(new AppConfig(['portal_url' => $portalUrl]))))->handle($event);
		return implode(' | ', array_map(fn ($policy) => $policy->buildPolicy(), $event->policies));
	}

	public function testLetsNextcloudFrameThePortalsOriginAndNothingMore(): void {
		$this->assertSame('frame-src https://portail.ac-test.fr', $this->policyFor('https://portail.ac-test.fr/'));
		$this->assertSame('frame-src https://portail.ac-test.fr:8443', $this->policyFor('https://portail.ac-test.fr:8443/laboite/'));
	}

	public function testAddsNoEntryWithoutAPortalAddressOrForAnotherEvent(): void {
		$this->assertSame('', $this->policyFor(''));
		$this->assertSame('', $this->policyFor('not an address'));
		(new CspListener(new Settings(new AppConfig(['portal_url' => 'https://portail.ac-test.fr']))))->handle(new Event());
		$this->addToAssertionCount(1);
	}
}
