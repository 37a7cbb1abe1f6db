import { isAddressOrNetwork } from './access.js';
import { type Localized, t } from './i18n.js';

/**
 * The exporter's settings, as PeerTube's admin page shows them (labels in English, translated to French by
 * languages/fr.json). All private: PeerTube never sends them to browsers; the token is an input-password.
 */
export interface SettingDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: 'input' | 'input-password';
  readonly default?: string;
  readonly descriptionHTML?: string;
  readonly private: true;
}

export const SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'metrics-token',
    label: 'Secret token for /metrics (at least 16 characters)',
    type: 'input-password',
    private: true,
    descriptionHTML:
      'Prometheus sends it as <code>?token=</code> or in the <code>X-Metrics-Token</code> header (not <code>Authorization</code>, which PeerTube keeps for its own tokens).',
  },
  {
    name: 'allowed-addresses',
    label: 'Allowed client addresses or networks (comma separated; empty: any)',
    type: 'input',
    default: '',
    private: true,
    descriptionHTML:
      'Example: <code>10.8.0.0/16, 2001:db8::5</code>. Behind a reverse proxy, PeerTube must trust it (<code>trust_proxy</code>) for the real address to be seen.',
  },
  {
    name: 'refresh-interval-seconds',
    label: 'Refresh interval (seconds, 2 to 3600)',
    type: 'input',
    default: '60',
    private: true,
  },
  {
    name: 'statement-timeout-seconds',
    label: 'Longest time a database query of the exporter may take (seconds, 1 to 300)',
    type: 'input',
    default: '10',
    private: true,
  },
  {
    name: 'redis-url',
    label: "PeerTube's Redis (redis:// or rediss:// URL, or the path of its Unix socket)",
    type: 'input',
    default: 'redis://127.0.0.1:6379',
    private: true,
    descriptionHTML:
      "The <code>redis</code> section of PeerTube's configuration, e.g. <code>redis://:password@127.0.0.1:6379/0</code>.",
  },
  {
    name: 'redis-prefix',
    label: "Job queue key prefix (empty: PeerTube's bull-<host>)",
    type: 'input',
    default: '',
    private: true,
  },
  {
    name: 'storage-capacity-gigabytes',
    label: 'Capacity of the video storage in gigabytes (optional, for the storage alert)',
    type: 'input',
    default: '',
    private: true,
  },
];

export interface ExporterSettings {
  readonly token: string;
  readonly allowedAddresses: readonly string[];
  readonly refreshIntervalSeconds: number;
  readonly statementTimeoutMs: number;
  /** What ioredis takes: a URL or a socket path. */
  readonly redis: string;
  /** null: PeerTube's own `bull-<host>`. */
  readonly redisPrefix: string | null;
  readonly storageCapacityBytes: number | null;
}

export type SettingsResult = { ok: true; settings: ExporterSettings } | { ok: false; errors: Localized[] };

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

function integerIn(raw: unknown, fallback: number, min: number, max: number): number | null {
  const value = text(raw) === '' ? String(fallback) : text(raw);
  if (!/^\d+$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/** Settings as PeerTube stores them -> a checked configuration, or every problem in French and English. */
export function parseSettings(raw: Readonly<Record<string, unknown>>): SettingsResult {
  const errors: Localized[] = [];
  const token = typeof raw['metrics-token'] === 'string' ? raw['metrics-token'] : '';
  if (token !== '' && (token.length < 16 || /\s/.test(token))) errors.push(t('settings.token'));

  const allowedAddresses = text(raw['allowed-addresses'])
    .split(/[\s,]+/)
    .filter(Boolean);
  for (const entry of allowedAddresses) {
    if (!isAddressOrNetwork(entry)) errors.push(t('settings.address', { value: entry }));
  }

  const refresh = integerIn(raw['refresh-interval-seconds'], 60, 2, 3600);
  if (refresh === null) errors.push(t('settings.refresh', { value: text(raw['refresh-interval-seconds']) }));
  const timeout = integerIn(raw['statement-timeout-seconds'], 10, 1, 300);
  if (timeout === null) errors.push(t('settings.timeout', { value: text(raw['statement-timeout-seconds']) }));

  const redis = text(raw['redis-url']) || 'redis://127.0.0.1:6379';
  let redisOk = redis.startsWith('/');
  if (!redisOk) {
    try {
      const url = new URL(redis);
      redisOk = (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      redisOk = false;
    }
  }
  if (!redisOk) errors.push(t('settings.redis', { value: redis }));

  const prefix = text(raw['redis-prefix']);
  if (prefix !== '' && !/^[\w.:@-]{1,200}$/.test(prefix)) errors.push(t('settings.prefix', { value: prefix }));

  const capacityText = text(raw['storage-capacity-gigabytes']).replace(',', '.');
  const capacity = capacityText === '' ? null : Number(capacityText);
  if (capacity !== null && !(/^\d+(\.\d+)?$/.test(capacityText) && capacity > 0)) {
    errors.push(t('settings.capacity', { value: capacityText }));
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      token,
      allowedAddresses,
      refreshIntervalSeconds: refresh ?? 60,
      statementTimeoutMs: (timeout ?? 10) * 1000,
      redis,
      redisPrefix: prefix === '' ? null : prefix,
      storageCapacityBytes: capacity === null ? null : Math.round(capacity * 1e9),
    },
  };
}
