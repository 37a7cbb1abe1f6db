import { readFileSync } from 'node:fs';
import { artefact, type GrafanaModel, grafanaDashboardProblems } from '@apps-education/testkit';
import { describe, expect, it } from 'vitest';
import { createExporterMetrics } from '../src/core/exposition.js';

/** The dashboard `pnpm build` ships, as Grafana imports it: structure, variables, layout, a panel per metric family. */
describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(artefact('peertube-dashboard'), 'utf8')) as GrafanaModel;
  const panels = (dashboard.panels ?? []).filter((p) => p.type !== 'row');

  it('is importable: data source input, variables, unique ids, instance filter, grid without overlap', () => {
    expect(grafanaDashboardProblems(dashboard)).toEqual([]);
    expect(dashboard.uid).toBe('apps-peertube');
  });

  it('has a panel for each metric family the exporter exposes', async () => {
    const metrics = createExporterMetrics();
    metrics.setCapacity(1);
    metrics.setProcessReader({ inbox: () => ({ successes: 0, errors: 0, waiting: 0 }), viewers: () => [] });
    const families = await metrics.families();
    expect(families.length).toBeGreaterThanOrEqual(40);
    const exprs = panels.flatMap((p) => p.targets?.map((t) => t.expr) ?? []).join('\n');
    for (const family of families) expect(exprs, family).toMatch(new RegExp(`\\b${family}(_sum|_count|_bucket)?\\{`));
  });
});
