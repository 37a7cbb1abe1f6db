<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\BackgroundJob;

use OCP\AppFramework\Utility\ITimeFactory;

/**
 * Stand-in of Nextcloud's `lib/public/BackgroundJob/QueuedJob.php` with its parent `Job.php` (server 31 and 32): the
 * constructor takes ITimeFactory; `start()` removes the job from the list, then runs it once with its argument.
 */
abstract class QueuedJob {
	protected $argument;

	public function __construct(
		protected ITimeFactory $time,
	) {
	}

	public function setArgument($argument): void {
		$this->argument = $argument;
	}

	public function start(IJobList $jobList): void {
		$this->run($this->argument);
	}

	/** @param mixed $argument */
	abstract protected function run($argument);
}
