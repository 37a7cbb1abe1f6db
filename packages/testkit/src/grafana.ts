/**
 * What Grafana needs of an importable dashboard model, checked the same way for every dashboard the suite ships:
 * a Prometheus data source asked for on import, the `datasource` and multi-value `instance` variables, unique panel
 * ids and query refIds, every panel and query on the datasource variable, every query filtered by `$instance`, and
 * panels on the 24-column grid without overlap. Returns the problems found (none: an empty list).
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable
const DATASOURCE_VARIABLE = '${datasource}';

interface ModelPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}

export interface GrafanaModel {
  __inputs?: { name: string; type: string; pluginId: string }[];
  schemaVersion?: number;
  uid?: string;
  templating?: { list: { name: string; type: string; query: unknown; includeAll?: boolean; multi?: boolean }[] };
  panels?: ModelPanel[];
}

export function grafanaDashboardProblems(model: GrafanaModel): string[] {
  const problems: string[] = [];
  const inputs = model.__inputs ?? [];
  if (inputs.length !== 1 || inputs[0]?.type !== 'datasource' || inputs[0]?.pluginId !== 'prometheus')
    problems.push('__inputs: one Prometheus data source to ask for on import');
  if ((model.schemaVersion ?? 0) < 36) problems.push(`schemaVersion ${model.schemaVersion}: 36 or later`);
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(model.uid ?? '')) problems.push(`uid "${model.uid}": 1 to 40 of [a-zA-Z0-9_-]`);
  const variables = model.templating?.list ?? [];
  const datasource = variables.find((v) => v.name === 'datasource');
  if (datasource?.type !== 'datasource' || datasource.query !== 'prometheus')
    problems.push('templating: a `datasource` variable of type datasource, query prometheus');
  const instance = variables.find((v) => v.name === 'instance');
  if (instance?.type !== 'query' || !instance.multi || !instance.includeAll)
    problems.push('templating: an `instance` query variable, multi-value with All');

  const panels = model.panels ?? [];
  const ids = panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problems.push('panels: ids are not unique');
  const cells = new Set<string>();
  for (const panel of panels) {
    const { x, y, w, h } = panel.gridPos;
    if (x < 0 || x + w > 24) problems.push(`${panel.title}: outside the 24-column grid`);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        if (cells.has(`${i},${j}`)) problems.push(`${panel.title}: overlaps another panel at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
    }
    if (panel.type === 'row') continue;
    if (panel.datasource?.uid !== DATASOURCE_VARIABLE) problems.push(`${panel.title}: not on the datasource variable`);
    const targets = panel.targets ?? [];
    if (targets.length === 0) problems.push(`${panel.title}: no query`);
    const refIds = targets.map((t) => t.refId);
    if (new Set(refIds).size !== refIds.length) problems.push(`${panel.title}: refIds are not unique`);
    for (const target of targets) {
      if (target.datasource?.uid !== DATASOURCE_VARIABLE)
        problems.push(`${panel.title} ${target.refId}: query not on the datasource variable`);
      if (!target.expr.includes('instance=~"$instance"'))
        problems.push(`${panel.title} ${target.refId}: query without the instance filter`);
    }
  }
  return problems;
}
