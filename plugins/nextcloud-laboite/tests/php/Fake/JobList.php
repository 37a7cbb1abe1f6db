<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\BackgroundJob\IJobList;

final class JobList implements IJobList {
	/** @var list<array{job: string, argument: mixed, after: int|null}> */
	public array $jobs = [];
	public ?\Throwable $failure = null;

	public function add($job, $argument = null): void {
		if ($this->failure !== null) {
			throw $this->failure;
		}
		$this->jobs[] = ['job' => is_string($job) ? $job : $job::class, 'argument' => $argument, 'after' => null];
	}

	public function scheduleAfter(string $job, int $runAfter, $argument = null): void {
		$this->jobs[] = ['job' => $job, 'argument' => $argument, 'after' => $runAfter];
	}
}
