import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSettings, SETTINGS } from '../src/core/settings.js';

const token = 'a-secret-token-of-24-chars';

describe('exporter settings', () => {
  it('registers every setting as private, the token as a password input, each label translated to French', () => {
    const fr = JSON.parse(readFileSync(new URL('../languages/fr.json', import.meta.url), 'utf8')) as Record<
      string,
      string
    >;
    for (const setting of SETTINGS) {
      expect(setting.private).toBe(true);
      expect(fr[setting.label], setting.label).toBeTruthy();
      if (setting.descriptionHTML) expect(fr[setting.descriptionHTML], setting.descriptionHTML).toBeTruthy();
    }
    expect(SETTINGS.find((s) => s.name === 'metrics-token')?.type).toBe('input-password');
  });

  it("fills PeerTube's defaults: 60 s, 10 s per query, Redis on 127.0.0.1:6379, bull-<host>, no capacity", () => {
    expect(parseSettings({ 'metrics-token': token })).toEqual({
      ok: true,
      settings: {
        token,
        allowedAddresses: [],
        refreshIntervalSeconds: 60,
        statementTimeoutMs: 10_000,
        redis: 'redis://127.0.0.1:6379',
        redisPrefix: null,
        storageCapacityBytes: null,
      },
    });
  });

  it('reads addresses and networks, a socket path, a prefix and a capacity in gigabytes with a decimal comma', () => {
    const parsed = parseSettings({
      'metrics-token': token,
      'allowed-addresses': '10.8.0.0/16, 2001:db8::5 127.0.0.1',
      'redis-url': '/var/run/redis/redis.sock',
      'redis-prefix': 'bull-videos.example.fr',
      'storage-capacity-gigabytes': '1,5',
    });
    expect(parsed.ok && parsed.settings).toMatchObject({
      allowedAddresses: ['10.8.0.0/16', '2001:db8::5', '127.0.0.1'],
      redis: '/var/run/redis/redis.sock',
      redisPrefix: 'bull-videos.example.fr',
      storageCapacityBytes: 1_500_000_000,
    });
  });

  it('refuses every bad value at once, saying each problem in French and English', () => {
    const parsed = parseSettings({
      'metrics-token': 'short',
      'allowed-addresses': 'prometheus.local, 10.0.0.0/33',
      'refresh-interval-seconds': '1',
      'statement-timeout-seconds': 'ten',
      'redis-url': 'http://127.0.0.1:6379',
      'redis-prefix': 'bull videos',
      'storage-capacity-gigabytes': '-3',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toHaveLength(8);
    expect(parsed.errors.map((e) => e.en).join('\n')).toMatch(
      /16 characters[\s\S]*prometheus\.local[\s\S]*10\.0\.0\.0\/33/,
    );
    expect(parsed.errors[0]?.fr).toContain('au moins 16 caractères');
    expect(parsed.errors.map((e) => e.fr).join('\n')).toContain('« http://127.0.0.1:6379 »');
  });

  it('accepts an empty token (the metrics then answer 403 until one is set)', () => {
    expect(parseSettings({}).ok).toBe(true);
  });
});
