import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/entry/config.js';

const minimal = {
  publicUrl: 'https://visio-salles.ac-test.fr',
  oidc: { issuer: 'https://auth.ac-test.fr/realms/apps', clientId: 'bbb-upload' },
  bbb: { url: 'https://bbb.ac-test.fr/bigbluebutton/' },
};
const env = { BBB_UPLOAD_SECRET: 'a'.repeat(64), BBB_UPLOAD_BBB_SECRET: 'b'.repeat(40) };

describe('configuration', () => {
  it('takes the file with secrets from the environment, and embedded defaults', () => {
    const config = parseConfig(minimal, env);
    expect(config.bbb).toMatchObject({ secret: 'b'.repeat(40), algorithm: 'sha256' });
    expect(config.secrets).toEqual(['a'.repeat(64)]);
    expect(config.documents).toEqual({ maxBytes: 30_000_000, maxPerRoom: 20, linkMinutes: 10 });
    expect(config.database).toEqual({ type: 'sqlite', path: './bbb-upload.db' });
    expect(config.monitoring.listen).toEqual({ host: '127.0.0.1', port: 9465 });
  });

  it('lists every problem at once, in French and English', () => {
    let caught: unknown;
    try {
      parseConfig({ publicUrl: 'pas une url', bbb: { url: 'https://bbb/', algorithm: 'md5' } }, {});
    } catch (error) {
      caught = error;
    }
    const error = caught as { userMessage: { fr: string; en: string }; details: string[] };
    expect(error.userMessage.fr).toContain("n'est pas valide");
    expect(error.userMessage.en).toContain('is not valid');
    const paths = error.details.map((d) => d.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining(['publicUrl', 'secrets', 'oidc', 'bbb.secret', 'bbb.algorithm']));
  });

  it('refuses what would weaken the service without saying so', () => {
    expect(() => parseConfig({ ...minimal, oidc: { ...minimal.oidc, issuer: 'http://auth/realms/a' } }, env)).toThrow(
      /https is required/,
    );
    expect(() => parseConfig({ ...minimal, laboite: { url: 'https://portail.ac-test.fr' } }, env)).toThrow(
      /laboite.apiKey/,
    );
    expect(() => parseConfig({ ...minimal, antivirus: { port: 3310, streamMaxBytes: 1_000_000 } }, env)).toThrow(
      /StreamMaxLength/,
    );
    expect(() => parseConfig(minimal, { ...env, BBB_UPLOAD_SECRET: 'short' })).toThrow(/at least 32/);
  });

  it('takes PostgreSQL from BBB_UPLOAD_DATABASE_URL', () => {
    const config = parseConfig(minimal, { ...env, BBB_UPLOAD_DATABASE_URL: 'postgres://bbb@db/bbb' });
    expect(config.database).toEqual({ type: 'postgres', url: 'postgres://bbb@db/bbb', maxConnections: 10 });
  });
});
