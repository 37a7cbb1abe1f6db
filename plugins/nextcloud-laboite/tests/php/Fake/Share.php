<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Tests\Fake;

use OCP\Share\IShare;

final class Share implements IShare {
	public function __construct(
		public string $fullId,
		public int $type,
		public string $sharedWith,
		public string $sharedBy = 'bob',
		public int $nodeId = 42,
		public string $nodeType = 'file',
		public string $target = '/Cours de maths.pdf',
	) {
	}

	public function getFullId() {
		return $this->fullId;
	}

	public function getShareType() {
		return $this->type;
	}

	public function getSharedWith() {
		return $this->sharedWith;
	}

	public function getSharedBy() {
		return $this->sharedBy;
	}

	public function getNodeId(): int {
		return $this->nodeId;
	}

	public function getNodeType() {
		return $this->nodeType;
	}

	public function getTarget() {
		return $this->target;
	}
}
