import { readFileSync } from 'node:fs';
import { artefact, type GrafanaModel, grafanaDashboardProblems } from '@apps-education/testkit';
import { describe, expect, it } from 'vitest';
import { createBridgeMetrics } from '../src/adapters/metrics.js';

/** The dashboard `pnpm build` ships, as Grafana imports it: structure, variables, layout, a panel per metric family. */
describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(artefact('cas-bridge-dashboard'), 'utf8')) as GrafanaModel;
  const panels = (dashboard.panels ?? []).filter((p) => p.type !== 'row');

  it('is importable: data source input, variables, unique ids, instance filter, grid without overlap', () => {
    expect(grafanaDashboardProblems(dashboard)).toEqual([]);
    expect(dashboard.uid).toBe('apps-cas-bridge');
  });

  it("has a panel for each of the bridge's own metric families", async () => {
    const metrics = createBridgeMetrics(async () => 0);
    const own = (await metrics.registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((name) => !/^cas_bridge_(nodejs|process)_/.test(name));
    expect(own.length).toBeGreaterThanOrEqual(9);
    const exprs = panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []).join('\n');
    for (const family of own) expect(exprs, family).toMatch(new RegExp(`\\b${family}(_sum|_count|_bucket)?\\{`));
  });
});
