<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

use Psr\Container\ContainerInterface;

/**
 * The Nextcloud accounts in a team (the Circles app, "Teams" since Nextcloud 29), members of its sub-teams and groups
 * included, through the Circles app's CirclesManager as an app that is not the team's member may read it (a super
 * session). Nextcloud's public API has no way to list a team's members (OCP\Teams lists resources); the Circles app's
 * manager is looked up only when the app is enabled, and its methods used here are those of Nextcloud 31 and 32.
 */
class TeamMembers {
	private const MANAGER = 'OCA\\Circles\\CirclesManager';
	/** OCA\Circles\Model\Member::TYPE_USER: a Nextcloud account (not a mail address, a group or a remote user). */
	private const TYPE_USER = 1;

	public function __construct(
		private EnabledApps $apps,
		private ContainerInterface $container,
	) {
	}

	/**
	 * @return list<string>|null the uids of the team's members, or null when the Circles app is not enabled
	 * @throws \Throwable what the Circles app throws for a team it does not know
	 */
	public function localUsers(string $teamId): ?array {
		if (!$this->apps->has('circles') || !class_exists(self::MANAGER)) {
			return null;
		}
		$manager = $this->container->get(self::MANAGER);
		$manager->startSuperSession();
		try {
			$uids = [];
			foreach ($manager->getCircle($teamId)->getInheritedMembers() as $member) {
				if ($member->getUserType() === self::TYPE_USER) {
					$uids[] = (string)$member->getUserId();
				}
			}
			return array_values(array_unique($uids));
		} finally {
			$manager->stopSession();
		}
	}
}
