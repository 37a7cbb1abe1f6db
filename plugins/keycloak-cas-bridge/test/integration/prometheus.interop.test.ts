import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  artefact,
  measuredParts,
  type OidcProviderHandle,
  type RunningPrometheus,
  startOidcProvider,
  startPrometheus,
  type TempDir,
  tempDir,
} from '@apps-education/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BridgeUnderTest, createUserAgent, signIn, startBridgeUnderTest } from './bridge.js';

/**
 * A real Prometheus (Debian's) scraping two bridges with the shipped alert rules: a healthy one on SQLite, used as
 * people would (sign-ins, SSO, validations, a logout with single logout, a logout from the IdP), and one whose Redis
 * is unreachable. Every query of the shipped dashboard must return data, every rule must evaluate, and the broken
 * bridge must raise the store alerts while the healthy one raises none.
 */
describe('a real Prometheus scraping the CAS bridge', () => {
  let dir: TempDir;
  let idp: OidcProviderHandle;
  let healthy: BridgeUnderTest;
  let broken: BridgeUnderTest;
  let app: Server;
  let prometheus: RunningPrometheus;
  let healthyInstance = '';
  let brokenInstance = '';
  let stopBrokenTraffic: () => void = () => undefined;
  const rulesFile = artefact('cas-bridge-alerts');

  beforeAll(async () => {
    dir = await tempDir('cas-prometheus-');
    app = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}/`;
    const registry = `services:\n  - { id: app, name: App, match: { prefix: "${appUrl}" }, logout: { type: back-channel } }\n`;
    idp = await startOidcProvider({ loginHint: false });
    idp.addClient({ client_id: 'laboite', client_secret: 's', redirect_uris: ['https://laboite.ac-test.fr/cb'] });
    healthy = await startBridgeUnderTest({
      registry,
      idp,
      store: { type: 'sqlite', path: join(dir.path, 'cas.db') },
    });
    broken = await startBridgeUnderTest({ registry, idp, store: { type: 'redis', url: 'redis://127.0.0.1:1' } });
    healthyInstance = new URL(healthy.monitoringUrl).host;
    brokenInstance = new URL(broken.monitoringUrl).host;
    prometheus = await startPrometheus({
      ruleFiles: [rulesFile],
      scrapeConfigs: [{ job_name: 'cas-bridge', static_configs: [{ targets: [healthyInstance, brokenInstance] }] }],
    });
    await prometheus.eventually(`count_over_time(cas_bridge_sso_sessions{instance="${healthyInstance}"}[1m]) >= 2`);

    // The broken bridge: validations keep failing at the store.
    let running = true;
    stopBrokenTraffic = () => {
      running = false;
    };
    void (async () => {
      while (running) {
        await fetch(`${broken.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(appUrl)}&ticket=ST-x`).catch(
          () => undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    // The healthy bridge, used as people would, while Prometheus scrapes it.
    const loginUrl = `${healthy.publicUrl}/login?service=${encodeURIComponent(appUrl)}`;
    const validate = (ticket: string) =>
      fetch(`${healthy.publicUrl}/p3/serviceValidate?service=${encodeURIComponent(appUrl)}&ticket=${ticket}`);
    for (let round = 0; round < 3; round++) {
      const agent = createUserAgent();
      const { location } = await signIn(agent, loginUrl, (u) => u.startsWith(appUrl));
      for (let i = 0; i < 10; i++) {
        const hop = await agent.request(loginUrl);
        const ticket = new URL(hop.location ?? appUrl).searchParams.get('ticket') ?? '';
        await validate(ticket);
        await validate(ticket); // used: INVALID_TICKET
      }
      await validate(new URL(location ?? appUrl).searchParams.get('ticket') ?? '');
      // Logout at the bridge (single logout to the application), or at the IdP (back-channel logout to the bridge).
      if (round === 0) await agent.request(`${healthy.publicUrl}/logout`);
      else await idp.signOut(agent, 'laboite');
    }
    // Prometheus has scraped the bridge after all of it (waits for what it shows, not for a guessed delay).
    const seen = (expr: string) => prometheus.eventually(`${expr.replaceAll('$i', healthyInstance)}`);
    await seen(`sum(cas_bridge_logins_total{instance="$i", outcome="sso"}) >= 30`);
    await seen(`sum(cas_bridge_validations_total{instance="$i", result="INVALID_TICKET"}) >= 30`);
    await seen(`sum(cas_bridge_backchannel_logouts_total{instance="$i", result="ended"}) >= 2`);
    await seen(`sum(cas_bridge_logout_deliveries_total{instance="$i", outcome="delivered"}) >= 1`);
  }, 180_000);

  afterAll(async () => {
    stopBrokenTraffic();
    await prometheus?.stop();
    await healthy?.close();
    await broken?.close();
    await idp?.close();
    await new Promise((resolve) => app?.close(resolve));
    await dir?.remove();
  });

  it('scrapes both bridges on their monitoring listener: targets up', async () => {
    const up = await prometheus.query('up{job="cas-bridge"}');
    expect(up.map((s) => [s.metric.instance, s.value[1]]).sort()).toEqual(
      [
        [healthyInstance, '1'],
        [brokenInstance, '1'],
      ].sort(),
    );
  });

  it('returns data for every query of the shipped Grafana dashboard, with numbers from the healthy bridge', async () => {
    const dashboard = JSON.parse(readFileSync(artefact('cas-bridge-dashboard'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets?.map((t) => t.expr) ?? []);
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const expr of exprs) {
      const result = await prometheus.query(expr.replaceAll('$instance', healthyInstance));
      expect(result.length, expr).toBeGreaterThan(0);
      expect(
        result.some((sample) => Number.isFinite(Number(sample.value[1]))),
        expr,
      ).toBe(true);
    }
    // What people did shows: SSO sign-ins, tickets, a logout from the IdP ended a session.
    const sum = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1] ?? 0);
    expect(await sum(`sum(cas_bridge_logins_total{instance="${healthyInstance}", outcome="sso"})`)).toBe(30);
    expect(await sum(`sum(cas_bridge_tickets_issued_total{instance="${healthyInstance}", kind="ST"})`)).toBe(33);
    expect(await sum(`sum(cas_bridge_validations_total{instance="${healthyInstance}", result="INVALID_TICKET"})`)).toBe(
      30,
    );
    expect(await sum(`sum(cas_bridge_backchannel_logouts_total{instance="${healthyInstance}", result="ended"})`)).toBe(
      2,
    );
    expect(
      await sum(`sum(cas_bridge_logout_deliveries_total{instance="${healthyInstance}", outcome="delivered"})`),
    ).toBeGreaterThanOrEqual(1);
  });

  it('loads every shipped alert rule, evaluates it without error, and returns data for its measured parts', async () => {
    const groups = (
      parse(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }
    ).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules).toHaveLength(8);
    const evaluated = await prometheus.rules();
    expect(evaluated.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const rule of evaluated) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
    for (const rule of rules) {
      for (const part of measuredParts(rule.expr)) {
        expect((await prometheus.query(part)).length, `${rule.alert}: ${part}`).toBeGreaterThan(0);
      }
    }
  });

  it('raises the store and validation alerts (pending) for the bridge whose Redis is down, none for the healthy one', async () => {
    await prometheus.eventually(
      `sum by (instance) (rate(cas_bridge_store_errors_total{instance="${brokenInstance}"}[5m])) > 0`,
    );
    const pending = async () => (await prometheus.alerts()).map((a) => `${a.name}/${a.instance}`);
    for (let i = 0; i < 40 && (await pending()).length < 2; i++) await new Promise((r) => setTimeout(r, 250));
    const alerts = await pending();
    expect(alerts).toEqual(
      expect.arrayContaining([
        `CasBridgeStoreFailing/${brokenInstance}`,
        `CasBridgeValidationErrors/${brokenInstance}`,
      ]),
    );
    expect(alerts.filter((a) => a.endsWith(`/${healthyInstance}`))).toEqual([]);
  });
});
