<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Listener;

use OCA\LaBoite\BackgroundJob\SendShareNotifications;
use OCA\LaBoite\Service\Settings;
use OCP\BackgroundJob\IJobList;
use OCP\EventDispatcher\Event;
use OCP\EventDispatcher\IEventListener;
use OCP\Share\Events\ShareCreatedEvent;
use Psr\Log\LoggerInterface;

/**
 * A new share queues one background job that tells the portal: nothing leaves Nextcloud during the request that
 * created the share, and a portal that is slow or down never slows or breaks sharing.
 *
 * @template-implements IEventListener<Event>
 */
final class ShareCreatedListener implements IEventListener {
	public function __construct(
		private IJobList $jobs,
		private Settings $settings,
		private LoggerInterface $logger,
	) {
	}

	public function handle(Event $event): void {
		if (!($event instanceof ShareCreatedEvent)) {
			return;
		}
		try {
			$share = $event->getShare();
			if (!$this->settings->notifies((int)$share->getShareType())
				|| $this->settings->isExcluded((string)$share->getSharedBy())) {
				return;
			}
			$this->jobs->add(SendShareNotifications::class, ['shareId' => (string)$share->getFullId(), 'attempt' => 1]);
		} catch (\Throwable $e) {
			// The share exists already: sharing must not fail because its notification could not be queued.
			$this->logger->error('laboite: the share notification could not be queued: ' . $e->getMessage(), ['app' => 'laboite']);
		}
	}
}
