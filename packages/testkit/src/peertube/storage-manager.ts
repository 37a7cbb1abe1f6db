import type pg from 'pg';
import type { VersionBehaviour } from './versions.js';

/**
 * storageManager as PeerTube gives it to a plugin (server/core/lib/plugins/register-helpers.ts, buildStorageManager;
 * server/core/models/server/plugin.ts, getData/storeData), with what a real 6.3.3 showed:
 * - one JSONB value per plugin (column `storage` of its `plugin` row): every write rewrites it under the row lock;
 * - storeData(key) writes jsonb_set(storage, '{<key>}', data): the key is one path element, dots included
 *   (a comma would split it, as in PostgreSQL's array literal);
 * - getData(key) reads `storage.<key>` with Sequelize's json(), which splits on dots: a key written with a dot
 *   (`username:john.doe`) reads back as null; a missing key gives null; the text read is JSON.parse'd when it parses,
 *   so a stored string "123456789" comes back as a number;
 * - deleteData exists from 7.x/8.x only: on 6.3.3 it is undefined and calling it throws a TypeError.
 */
export interface StorageManager {
  getData<T = unknown>(key: string): Promise<T | undefined>;
  storeData(key: string, data: unknown): Promise<void>;
  deleteData?(key: string): Promise<void>;
}

export function createStorageManager(
  pool: pg.Pool,
  pluginId: number,
  behaviour: Pick<VersionBehaviour, 'storageDelete'>,
): StorageManager {
  const manager: StorageManager = {
    async getData<T>(key: string) {
      const result = await pool.query<{ value: string | null }>(
        'SELECT storage #>> $2::text[] AS value FROM plugin WHERE id = $1',
        [pluginId, key.split('.')],
      );
      if (result.rowCount === 0) return undefined;
      const value = result.rows[0]?.value ?? null;
      if (value === null) return null as T;
      try {
        return JSON.parse(value) as T;
      } catch {
        return value as T;
      }
    },
    async storeData(key: string, data: unknown) {
      await pool.query(
        `UPDATE plugin SET storage = jsonb_set(coalesce(storage, '{}'), $2::text[], $3::jsonb) WHERE id = $1`,
        [pluginId, `{${key}}`, JSON.stringify(data)],
      );
    },
  };
  if (behaviour.storageDelete) {
    manager.deleteData = async (key: string) => {
      await pool.query(`UPDATE plugin SET storage = coalesce(storage, '{}') #- $2::text[] WHERE id = $1`, [
        pluginId,
        `{${key}}`,
      ]);
    };
  }
  return manager;
}
