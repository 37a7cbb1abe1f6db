import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseRegistry } from '../src/core/registry.js';
import { loadConfig } from '../src/entry/config.js';

it('the example registry and configuration shipped with the package are valid', () => {
  const registry = parseRegistry(readFileSync(new URL('../examples/services.yml', import.meta.url), 'utf8'));
  expect(registry.services.map((s) => s.id)).toEqual(['moodle', 'pod', 'ent', 'ent-api', 'examens']);
  const config = loadConfig(new URL('../examples/cas-bridge.yml', import.meta.url).pathname, {
    CAS_OIDC_CLIENT_SECRET: 'x',
  });
  expect(config.store).toEqual({ type: 'sqlite', path: '/var/lib/keycloak-cas-bridge/cas.db' });
});

it('the Redis Sentinel example is valid, and its secrets come from the environment', () => {
  const config = loadConfig(new URL('../examples/cas-bridge.sentinel.yml', import.meta.url).pathname, {
    CAS_OIDC_CLIENT_SECRET: 'x',
    CAS_REDIS_PASSWORD: 'redis-secret',
  });
  expect(config.store).toMatchObject({
    type: 'redis',
    password: 'redis-secret',
    waitReplicas: 1,
    sentinel: { masterName: 'casmaster', hosts: ['10.0.0.11:26379', '10.0.0.12:26379', '10.0.0.13:26379'] },
  });
});
