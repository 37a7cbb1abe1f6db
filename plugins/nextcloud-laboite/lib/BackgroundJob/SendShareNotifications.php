<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\BackgroundJob;

use OCA\LaBoite\Service\GroupSync;
use OCA\LaBoite\Service\PortalClient;
use OCA\LaBoite\Service\Settings;
use OCA\LaBoite\Service\TeamMembers;
use OCP\AppFramework\Utility\ITimeFactory;
use OCP\BackgroundJob\IJobList;
use OCP\BackgroundJob\QueuedJob;
use OCP\IDBConnection;
use OCP\IGroupManager;
use OCP\IURLGenerator;
use OCP\IUserManager;
use OCP\L10N\IFactory;
use OCP\Share\Exceptions\ShareNotFound;
use OCP\Share\IManager;
use OCP\Share\IShare;
use Psr\Log\LoggerInterface;

/**
 * Tells the portal about one share: `share.created` to each recipient (the user of a user share; for a group share,
 * the portal group itself when the Nextcloud group is a synced portal group, else its members; for a team share, the
 * team's Nextcloud accounts; a group or team of more than `max_group_recipients` notifies nobody and says so once),
 * in the portal's language, with a link to the file.
 *
 * Each (share, recipient) is claimed in `oc_laboite_sent` before its POST: a job run twice (the listener fired twice,
 * two cron processes) sends nothing twice. A recipient the portal could not take now is released and retried by a
 * new job after a backoff (1, 2, 4... minutes, up to an hour, for at most MAX_ATTEMPTS runs); a permanent refusal is
 * logged once with its reason and not retried. Rows are forgotten after RETENTION_SECONDS.
 */
class SendShareNotifications extends QueuedJob {
	public const MAX_ATTEMPTS = 12;
	public const RETENTION_SECONDS = 30 * 24 * 3600;
	public const SENT_TABLE = 'laboite_sent';
	/** A recipient that is a portal group, not a user (`group:<portal id>`); `:` is in no uid the portal makes. */
	public const GROUP_PREFIX = 'group:';

	public function __construct(
		ITimeFactory $time,
		private IManager $shares,
		private IGroupManager $groups,
		private IUserManager $users,
		private IDBConnection $db,
		private IJobList $jobs,
		private PortalClient $portal,
		private Settings $settings,
		private GroupSync $sync,
		private TeamMembers $teams,
		private IURLGenerator $urls,
		private IFactory $l10n,
		private LoggerInterface $logger,
	) {
		parent::__construct($time);
	}

	/** Minutes before the retry that follows run `$attempt`: 1, 2, 4... up to 60. */
	public static function backoffSeconds(int $attempt): int {
		return 60 * min(60, 2 ** max(0, $attempt - 1));
	}

	/** @param mixed $argument `['shareId' => 'ocinternal:42', 'attempt' => 1]` */
	protected function run($argument): void {
		$shareId = is_array($argument) && is_string($argument['shareId'] ?? null) ? $argument['shareId'] : '';
		$attempt = is_array($argument) && is_int($argument['attempt'] ?? null) ? $argument['attempt'] : 1;
		if ($shareId === '') {
			$this->logger->error('laboite: share notification job without a share id', ['app' => 'laboite']);
			return;
		}
		if (!$this->portal->isConfigured()) {
			$this->logger->warning('laboite: share ' . $shareId . ' not notified: set the portal address and API key (Administration settings > LaBoite)', ['app' => 'laboite']);
			return;
		}
		$now = $this->time->getTime();
		$this->db->executeStatement('DELETE FROM `*PREFIX*' . self::SENT_TABLE . '` WHERE `sent_at` < ?', [$now - self::RETENTION_SECONDS]);
		try {
			$share = $this->shares->getShareById($shareId);
		} catch (ShareNotFound) {
			return; // Deleted before the job ran: nobody to tell.
		}

		$retry = [];
		$text = null;
		foreach ($this->recipients($share) as $recipient) {
			if ($this->db->insertIgnoreConflict(self::SENT_TABLE, ['share_id' => $shareId, 'recipient' => $recipient, 'sent_at' => $now]) !== 1) {
				continue; // Sent (or being sent) by another run.
			}
			$text ??= $this->text($share);
			$result = str_starts_with($recipient, self::GROUP_PREFIX)
				? $this->portal->notifyGroup(substr($recipient, strlen(self::GROUP_PREFIX)), $text)
				: $this->portal->notifyUser($recipient, $text);
			if ($result['outcome'] === 'retry') {
				$this->release($shareId, $recipient);
				$retry[] = $result['reason'];
			} elseif ($result['outcome'] === 'permanent') {
				$this->logger->warning('laboite: share ' . $shareId . ' not notified to one recipient, for good: ' . $result['reason'], ['app' => 'laboite']);
			}
		}
		if ($retry === []) {
			return;
		}
		if ($attempt >= self::MAX_ATTEMPTS) {
			$this->logger->error('laboite: share ' . $shareId . ' not notified to ' . count($retry) . ' recipient(s) after ' . $attempt . ' attempts: ' . $retry[0], ['app' => 'laboite']);
			return;
		}
		$this->jobs->scheduleAfter(self::class, $now + self::backoffSeconds($attempt), ['shareId' => $shareId, 'attempt' => $attempt + 1]);
	}

	/** @return list<string> uids to notify: never the sharer, never an excluded account. */
	private function recipients(IShare $share): array {
		$sharer = (string)$share->getSharedBy();
		$type = (int)$share->getShareType();
		$uids = [];
		if ($type === IShare::TYPE_USER) {
			$uids = [(string)$share->getSharedWith()];
		} elseif ($type === IShare::TYPE_GROUP) {
			$gid = (string)$share->getSharedWith();
			if ($this->sync->isManaged($gid)) {
				// A portal group's own Nextcloud group: one notification to the group, in the portal.
				return [self::GROUP_PREFIX . $gid];
			}
			$group = $this->groups->get($gid);
			$uids = $group === null ? [] : array_map(fn ($user) => (string)$user->getUID(), $group->getUsers());
		} elseif ($type === IShare::TYPE_CIRCLE) {
			try {
				$uids = $this->teams->localUsers((string)$share->getSharedWith()) ?? [];
			} catch (\Throwable $e) {
				$this->logger->warning('laboite: team share ' . $share->getFullId() . ' not notified: its members could not be read: ' . $e->getMessage(), ['app' => 'laboite']);
				return [];
			}
		}
		$max = $this->settings->maxGroupRecipients();
		if ($type !== IShare::TYPE_USER && count($uids) > $max) {
			$this->logger->info('laboite: ' . ($type === IShare::TYPE_GROUP ? 'group' : 'team') . ' share ' . $share->getFullId() . ' not notified: ' . count($uids) . " members, more than max_group_recipients ($max)", ['app' => 'laboite']);
			return [];
		}
		// The exclusion list read once, not once per member.
		$excluded = [...$this->settings->excludedAccounts(), $sharer, ''];
		return array_values(array_diff(array_unique($uids), $excluded));
	}

	/** @return array{title: string, content: string, link: string} */
	private function text(IShare $share): array {
		$l = $this->l10n->get('laboite', $this->settings->portalLanguage());
		$sharer = $this->users->get((string)$share->getSharedBy());
		$name = $sharer !== null ? (string)$sharer->getDisplayName() : (string)$share->getSharedBy();
		$item = ltrim(basename((string)$share->getTarget()), '/');
		return [
			'title' => $share->getNodeType() === 'folder' ? $l->t('New shared folder') : $l->t('New shared file'),
			'content' => $share->getNodeType() === 'folder'
				? $l->t('%1$s shared the folder "%2$s" with you.', [$name, $item])
				: $l->t('%1$s shared the file "%2$s" with you.', [$name, $item]),
			'link' => $this->urls->getAbsoluteURL('/index.php/f/' . $share->getNodeId()),
		];
	}

	private function release(string $shareId, string $uid): void {
		$this->db->executeStatement('DELETE FROM `*PREFIX*' . self::SENT_TABLE . '` WHERE `share_id` = ? AND `recipient` = ?', [$shareId, $uid]);
	}
}
