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
