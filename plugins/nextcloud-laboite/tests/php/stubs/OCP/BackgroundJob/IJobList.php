<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCP\BackgroundJob;

/** Stand-in of Nextcloud's `lib/public/BackgroundJob/IJobList.php`, reduced to the methods the app calls. */
interface IJobList {
	/**
	 * @param IJob|class-string<IJob> $job
	 * @param mixed $argument passed to the job's run()
	 * @since 7.0.0
	 */
	public function add($job, $argument = null): void;

	/**
	 * Adds a job that runs only after the given Unix time.
	 * @param class-string<IJob> $job
	 * @since 28.0.0
	 */
	public function scheduleAfter(string $job, int $runAfter, $argument = null): void;
}
