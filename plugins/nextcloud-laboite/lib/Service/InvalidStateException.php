<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Service;

/** A group state the portal sent that breaks a rule of GroupState; the message names the field. */
final class InvalidStateException extends \Exception {
}
