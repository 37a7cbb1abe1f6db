import { describe, expect, it } from 'vitest';
import { buildDashboard, DATASOURCE_UID } from '../grafana/dashboard.js';
import { createExporterMetrics } from '../src/core/exposition.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource: { uid: string } }[];
}

/** The dashboard as Grafana imports it: structure, variables, layout, and one panel for each metric family. */
describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(JSON.stringify(buildDashboard())) as {
    __inputs: { name: string; type: string; pluginId: string }[];
    schemaVersion: number;
    uid: string;
    templating: { list: { name: string; type: string; query: unknown; includeAll?: boolean; multi?: boolean }[] };
    panels: Panel[];
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('asks for a Prometheus data source on import and picks instances with a multi-value variable', () => {
    expect(dashboard.__inputs).toEqual([
      expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }),
    ]);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const [datasource, instance] = dashboard.templating.list;
    expect(datasource).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(instance).toMatchObject({ name: 'instance', type: 'query', multi: true, includeAll: true });
  });

  it('gives every panel the datasource variable, unique ids and refIds, and every query the instance filter', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_UID);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets?.map((t) => t.refId) ?? [];
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets ?? []) {
        expect(target.datasource.uid).toBe(DATASOURCE_UID);
        expect(target.expr, panel.title).toContain('instance=~"$instance"');
      }
    }
  });

  it('lays the panels on the 24-column grid without overlap', () => {
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const cell = `${i},${j}`;
          expect(cells.has(cell), `${panel.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
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
