import {
  createPeerTubeSequelize,
  createTestDatabase,
  PEERTUBE_SCHEMA,
  type TestDatabase,
} from '@apps-education/testkit';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountTables, createAccountStore } from '../src/index.js';

const OIDC = { npmName: 'peertube-plugin-apps-auth-oidc', shortName: 'apps-auth-oidc' };
const SAML = { npmName: 'peertube-plugin-apps-auth-saml2', shortName: 'apps-auth-saml2' };

describe('the sign-in plugins’ tables in PeerTube’s database', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  /** PeerTube's `peertubeHelpers.database`, as the plugins get it. */
  let sequelize: Sequelize;
  const logs: string[] = [];
  const store = (plugin: typeof OIDC, extra: { migrateStorageLinks?: boolean } = {}) =>
    createAccountStore(
      { query: sequelize.query.bind(sequelize) },
      { ...plugin, log: (text) => logs.push(text), ...extra },
    );

  beforeAll(async () => {
    database = await createTestDatabase('accounts');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    await pool.query(PEERTUBE_SCHEMA);
    sequelize = createPeerTubeSequelize(database.url);
  });
  afterAll(async () => {
    await sequelize?.close();
    await pool?.end();
    await database?.drop();
  });

  it('keeps each plugin’s links, used ids and keys in tables of its own', async () => {
    const oidc = store(OIDC);
    const saml = store(SAML);
    await Promise.all([oidc.ready(), saml.ready()]);
    const { rows } = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'plugin_apps_auth_%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      [...Object.values(accountTables('apps-auth-oidc')), ...Object.values(accountTables('apps-auth-saml2'))].sort(),
    );
    const expiresAt = Date.now() + 60_000;
    expect(await oidc.claimLogin('same-id', expiresAt)).toBe(true);
    expect(await saml.claimLogin('same-id', expiresAt)).toBe(true);
    expect(await saml.claimLogin('same-id', expiresAt)).toBe(false);
    expect(await saml.link('saml-persistent-id', null, 'alice@ac-test.fr')).toBe(true);
    expect((await oidc.linked('saml-persistent-id')).link).toBeNull();
    expect((await saml.emailOwners('ALICE@ac-test.fr')).linkedTo).toBe('saml-persistent-id');
    expect(
      Buffer.compare((await oidc.keys())[0] ?? Buffer.alloc(0), (await saml.keys())[0] ?? Buffer.alloc(0)),
    ).not.toBe(0);
  });

  it('links the account PeerTube creates, and forgets it with the account (foreign key)', async () => {
    const saml = store(SAML);
    await saml.ready();
    await saml.link('bob-persistent-id', null, 'bob@ac-test.fr');
    const {
      rows: [bob],
    } = await pool.query<{ id: number }>(
      `INSERT INTO "user" (username, email, "pluginAuth") VALUES ('bob', 'bob@ac-test.fr', $1) RETURNING id`,
      [SAML.npmName],
    );
    await saml.resolve('bob');
    expect((await saml.linked('bob-persistent-id')).link?.userId).toBe(bob?.id);
    await pool.query(`DELETE FROM "user" WHERE id = $1`, [bob?.id]);
    expect((await saml.linked('bob-persistent-id')).link).toBeNull();
  });

  it('moves links out of storageManager only for the plugin that asks (the OIDC plugin’s 0.1.0 kept them there)', async () => {
    const storage = JSON.stringify({ 'link:legacy-sub': { subject: 'legacy-sub', email: 'carol@ac-test.fr' } });
    for (const plugin of [OIDC, SAML])
      await pool.query(
        `INSERT INTO plugin (name, type, version, "peertubeEngine", homepage, storage) VALUES ($1, 1, '0.1.0', '>=6.3.0', 'x', $2)`,
        [plugin.shortName, storage],
      );
    await store(SAML).ready();
    await store(OIDC, { migrateStorageLinks: true }).ready();
    const { rows } = await pool.query<{ name: string; storage: unknown }>(
      `SELECT name, storage FROM plugin ORDER BY name`,
    );
    expect(rows).toEqual([
      { name: 'apps-auth-oidc', storage: null },
      { name: 'apps-auth-saml2', storage: JSON.parse(storage) },
    ]);
    expect((await store(OIDC).linked('legacy-sub')).link?.email).toBe('carol@ac-test.fr');
    expect((await store(SAML).linked('legacy-sub')).link).toBeNull();
    expect(logs).toContain('moved 1 account links from storageManager to plugin_apps_auth_oidc_accounts');
  });
});
