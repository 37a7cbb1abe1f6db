import { describe, expect, it } from 'vitest';
import { type GrafanaModel, grafanaDashboardProblems } from '../src/grafana.js';

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable
const DS = { type: 'prometheus', uid: '${datasource}' };

function good(): GrafanaModel {
  return {
    __inputs: [{ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }],
    schemaVersion: 39,
    uid: 'apps-test',
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus' },
        { name: 'instance', type: 'query', query: {}, multi: true, includeAll: true },
      ],
    },
    panels: [
      { id: 1, type: 'row', title: 'Row', gridPos: { x: 0, y: 0, w: 24, h: 1 } },
      {
        id: 2,
        type: 'stat',
        title: 'A',
        datasource: DS,
        gridPos: { x: 0, y: 1, w: 12, h: 8 },
        targets: [{ refId: 'A', expr: 'up{instance=~"$instance"}', datasource: DS }],
      },
    ],
  };
}

type Panel = NonNullable<GrafanaModel['panels']>[number];
/** The stat panel of the good model (the second panel), to spoil. */
function panel(model: GrafanaModel): Panel {
  const found = model.panels?.[1];
  if (!found) throw new Error('no second panel');
  return found;
}
function query(model: GrafanaModel) {
  const found = panel(model).targets?.[0];
  if (!found) throw new Error('no query');
  return found;
}

/** The dashboard checker finds each defect on its own (and nothing in a good model). */
describe('grafanaDashboardProblems', () => {
  it('finds nothing wrong with a good model', () => {
    expect(grafanaDashboardProblems(good())).toEqual([]);
  });

  it.each<[string, (m: GrafanaModel) => void, RegExp]>([
    ['no import input', (m) => (m.__inputs = []), /__inputs/],
    ['an old schema', (m) => (m.schemaVersion = 30), /schemaVersion/],
    ['a bad uid', (m) => (m.uid = 'a uid with spaces'), /uid/],
    ['no instance variable', (m) => m.templating?.list.pop(), /instance/],
    ['a query without the instance filter', (m) => (query(m).expr = 'up'), /instance filter/],
    ['a panel off the grid', (m) => (panel(m).gridPos.x = 20), /grid/],
    ['a duplicate id', (m) => (panel(m).id = 1), /ids/],
    ['overlapping panels', (m) => (panel(m).gridPos.y = 0), /overlaps/],
    ['a panel on a fixed data source', (m) => (panel(m).datasource = { type: 'prometheus', uid: 'abc' }), /datasource/],
  ])('finds %s', (_name, spoil, expected) => {
    const model = good();
    spoil(model);
    expect(grafanaDashboardProblems(model).join('\n')).toMatch(expected);
  });
});
