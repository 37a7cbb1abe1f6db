<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** A portal group that cannot be converged without touching what an administrator made by hand. */
final class SyncConflictException extends \Exception {
}
