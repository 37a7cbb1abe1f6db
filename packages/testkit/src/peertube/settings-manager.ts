import type pg from 'pg';

/**
 * Plugin settings as PeerTube keeps them (server/core/lib/plugins/register-helpers.ts, buildRegisterSetting and
 * buildSettingsManager; server/core/models/server/plugin.ts, getSetting/getSettings/setSetting;
 * server/core/controllers/api/plugins.ts, updatePluginSettings; server/core/lib/plugins/plugin-manager.ts,
 * onSettingsChanged), checked on a real 6.3.3:
 * - registerSetting with a name already registered replaces the earlier definition;
 * - `plugin.settings` is NULL until the administrator saves; getSetting falls back to the registered default only
 *   while it is NULL; getSettings falls back per name, and omits a name with neither value nor default;
 * - saving (PUT .../settings) stores exactly the submitted object, unknown keys and invalid values included (204),
 *   then calls every onSettingsChange callback with that object (no defaults merged), awaiting each and logging
 *   its error.
 */
export interface RegisteredSetting {
  readonly name: string;
  readonly type: string;
  readonly label?: string;
  readonly default?: unknown;
  readonly private?: boolean;
  readonly [key: string]: unknown;
}

export interface SettingsManager {
  getSetting(name: string): Promise<unknown>;
  getSettings(names: string[]): Promise<Record<string, unknown>>;
  setSetting(name: string, value: unknown): Promise<void>;
  onSettingsChange(cb: (settings: Record<string, unknown>) => unknown): void;
}

export interface PluginSettings {
  readonly registered: RegisteredSetting[];
  registerSetting(setting: Record<string, unknown>): void;
  readonly manager: SettingsManager;
  /** PUT /api/v1/plugins/<npm name>/settings as an administrator. */
  save(settings: Record<string, unknown>): Promise<void>;
  /** The stored object (null until first saved). */
  stored(): Promise<Record<string, unknown> | null>;
}

export function createPluginSettings(
  pool: pg.Pool,
  pluginId: number,
  logError: (message: string) => void,
  npmName: string,
): PluginSettings {
  let registered: RegisteredSetting[] = [];
  const callbacks: ((settings: Record<string, unknown>) => unknown)[] = [];
  const stored = async () =>
    ((await pool.query('SELECT settings FROM plugin WHERE id = $1', [pluginId])).rows[0]?.settings ?? null) as Record<
      string,
      unknown
    > | null;
  const defaultOf = (name: string) => registered.find((s) => s.name === name)?.default;
  return {
    get registered() {
      return registered;
    },
    registerSetting(setting) {
      if (typeof setting.name !== 'string' || typeof setting.type !== 'string') return;
      registered = [...registered.filter((s) => s.name !== setting.name), setting as unknown as RegisteredSetting];
    },
    manager: {
      async getSetting(name) {
        const settings = await stored();
        return settings ? settings[name] : defaultOf(name);
      },
      async getSettings(names) {
        const settings = await stored();
        const result: Record<string, unknown> = {};
        for (const name of names) {
          if (settings && settings[name] !== undefined) result[name] = settings[name];
          else if (defaultOf(name) !== undefined) result[name] = defaultOf(name);
        }
        return result;
      },
      async setSetting(name, value) {
        await pool.query(
          `UPDATE plugin SET settings = jsonb_set(coalesce(settings, '{}'), $2::text[], $3::jsonb) WHERE id = $1`,
          [pluginId, `{${name}}`, JSON.stringify(value)],
        );
      },
      onSettingsChange(cb) {
        callbacks.push(cb);
      },
    },
    async save(settings) {
      await pool.query('UPDATE plugin SET settings = $2, "updatedAt" = now() WHERE id = $1', [
        pluginId,
        JSON.stringify(settings),
      ]);
      for (const cb of callbacks) {
        try {
          await cb(settings);
        } catch (error) {
          logError(`Cannot run on settings changed callback for ${npmName}. ${error}`);
        }
      }
    },
    stored,
  };
}
