<?php

declare(strict_types=1);

// SPDX-License-Identifier: AGPL-3.0-or-later

namespace OCA\LaBoite\Migration;

use Closure;
use OCP\DB\ISchemaWrapper;
use OCP\DB\Types;
use OCP\Migration\IOutput;
use OCP\Migration\SimpleMigrationStep;

/**
 * The nonces of the portal's signed calls (`DbNonceStore`: a few minutes of them at any time), and the recipients
 * each share was sent to (`SendShareNotifications`: 30 days of them, so that a job run twice sends nothing twice),
 * and the portal groups the app manages (`GroupSync`).
 */
class Version000100Date20261205000000 extends SimpleMigrationStep {
	public function changeSchema(IOutput $output, Closure $schemaClosure, array $options): ?ISchemaWrapper {
		/** @var ISchemaWrapper $schema */
		$schema = $schemaClosure();
		$changed = false;
		if (!$schema->hasTable('laboite_nonces')) {
			$table = $schema->createTable('laboite_nonces');
			$table->addColumn('nonce', Types::STRING, ['notnull' => true, 'length' => 64]);
			$table->addColumn('expires_at', Types::BIGINT, ['notnull' => true, 'unsigned' => true]);
			$table->setPrimaryKey(['nonce']);
			$table->addIndex(['expires_at'], 'laboite_nonces_expires');
			$changed = true;
		}
		if (!$schema->hasTable('laboite_sent')) {
			$table = $schema->createTable('laboite_sent');
			$table->addColumn('share_id', Types::STRING, ['notnull' => true, 'length' => 64]);
			$table->addColumn('recipient', Types::STRING, ['notnull' => true, 'length' => 64]);
			$table->addColumn('sent_at', Types::BIGINT, ['notnull' => true, 'unsigned' => true]);
			$table->setPrimaryKey(['share_id', 'recipient']);
			$table->addIndex(['sent_at'], 'laboite_sent_at');
			$changed = true;
		}
		if (!$schema->hasTable('laboite_groups')) {
			$table = $schema->createTable('laboite_groups');
			$table->addColumn('portal_id', Types::STRING, ['notnull' => true, 'length' => 32]);
			$table->addColumn('name', Types::STRING, ['notnull' => true, 'length' => 255]);
			$table->addColumn('slug', Types::STRING, ['notnull' => true, 'length' => 200]);
			$table->addColumn('updated_at', Types::BIGINT, ['notnull' => true, 'unsigned' => true]);
			$table->addColumn('seen_run', Types::STRING, ['notnull' => false, 'length' => 36]);
			$table->addColumn('folder_id', Types::BIGINT, ['notnull' => false]);
			$table->setPrimaryKey(['portal_id']);
			$changed = true;
		}
		return $changed ? $schema : null;
	}
}
