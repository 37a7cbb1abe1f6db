import { describe, expect, it } from 'vitest';
import { BridgeError } from '../src/core/errors.js';
import { parseConfig } from '../src/entry/config.js';

const minimal = {
  publicUrl: 'https://cas.ac-test.fr/cas',
  oidc: { issuer: 'https://sso.ac-test.fr/realms/apps', clientId: 'cas-bridge' },
  registry: '/etc/cas-bridge/services.yml',
};

function refusal(document: unknown, env: NodeJS.ProcessEnv = {}): BridgeError {
  try {
    parseConfig(document, env);
  } catch (error) {
    if (error instanceof BridgeError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('configuration', () => {
  it('fills the defaults: SQLite store, 60 s tickets, 8 h sessions', () => {
    const config = parseConfig(minimal, {});
    expect(config.store).toEqual({ type: 'sqlite', path: './cas-bridge.db' });
    expect(config.tickets).toEqual({ serviceTicketSeconds: 60, ssoSessionSeconds: 28_800, loginSeconds: 600 });
    expect(config.unsafe).toEqual({ allowHttpPgtUrl: false, allowHttpIssuer: false });
  });

  it('takes secrets and the Redis URL from the environment', () => {
    const config = parseConfig(minimal, { CAS_OIDC_CLIENT_SECRET: 's3cret', CAS_REDIS_URL: 'redis://10.0.0.5:6379' });
    expect(config.oidc.clientSecret).toBe('s3cret');
    expect(config.store).toMatchObject({ type: 'redis', url: 'redis://10.0.0.5:6379' });
  });

  it('refuses a service ticket lifetime over the 5 minutes CAS recommends', () => {
    expect(refusal({ ...minimal, tickets: { serviceTicketSeconds: 600 } }).details.join()).toContain(
      'tickets.serviceTicketSeconds',
    );
  });

  it('refuses an http issuer unless the unsafe test switch says so', () => {
    const error = refusal({ ...minimal, oidc: { ...minimal.oidc, issuer: 'http://sso.ac-test.fr/realms/apps' } });
    expect(error.details.join()).toContain('https is required');
    expect(error.userMessage.fr).toMatch(/^Configuration invalide/);
  });

  it('refuses a public URL with a trailing slash and an unknown key, naming both', () => {
    const error = refusal({ ...minimal, publicUrl: 'https://cas.ac-test.fr/cas/', colour: 'red' });
    expect(error.details.join('\n')).toContain('publicUrl');
    expect(error.details.join('\n')).toContain('colour');
  });

  describe('Redis store', () => {
    const sentinel = {
      type: 'redis',
      sentinel: { hosts: ['10.0.0.1:26379', '10.0.0.2:26379', '[fd00::3]:26379'], masterName: 'casmaster' },
    };

    it('takes Redis Sentinel: hosts, master name, passwords from the environment', () => {
      const config = parseConfig(
        { ...minimal, store: sentinel },
        { CAS_REDIS_PASSWORD: 'redis-secret', CAS_REDIS_SENTINEL_PASSWORD: 'sentinel-secret' },
      );
      expect(config.store).toMatchObject({
        type: 'redis',
        prefix: 'cas:',
        password: 'redis-secret',
        sentinel: { masterName: 'casmaster', password: 'sentinel-secret' },
      });
    });

    it('keeps the file’s prefix when CAS_REDIS_URL gives the URL', () => {
      const config = parseConfig(
        { ...minimal, store: { type: 'redis', url: 'redis://old:6379', prefix: 'cas-lyon:' } },
        { CAS_REDIS_URL: 'redis://10.0.0.5:6379' },
      );
      expect(config.store).toMatchObject({ url: 'redis://10.0.0.5:6379', prefix: 'cas-lyon:' });
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['neither url nor sentinel', { type: 'redis' }, 'either url'],
      ['both url and sentinel', { ...sentinel, url: 'redis://10.0.0.5:6379' }, 'either url'],
      ['a password beside a url', { type: 'redis', url: 'redis://h:6379', password: 'x' }, 'store.password'],
      ['a sentinel without port', { ...sentinel, sentinel: { hosts: ['10.0.0.1'], masterName: 'm' } }, 'host:port'],
      ['a sentinel without master name', { ...sentinel, sentinel: { hosts: ['10.0.0.1:26379'] } }, 'masterName'],
      ['no sentinel host', { ...sentinel, sentinel: { hosts: [], masterName: 'm' } }, 'sentinel.hosts'],
      ['a negative waitReplicas', { ...sentinel, waitReplicas: -1 }, 'waitReplicas'],
    ])('refuses %s, saying what to write', (_name, store, expected) => {
      expect(refusal({ ...minimal, store }).details.join('\n')).toContain(expected);
    });
  });
});
