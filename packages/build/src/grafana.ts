import type { Dashboard, Panel, RowPanel } from '@grafana/schema';

/**
 * Grafana dashboards for the suite's services, as importable JSON models (schema 39, Grafana 10/11): `__inputs` asks
 * for the Prometheus data source on import, `$instance` picks one or several instances. A dashboard is a list of
 * rows of panels, each with its PromQL queries; this lays them on the 24-column grid. Typed by Grafana's own schema
 * types (@grafana/schema, generated from the schema Grafana validates dashboards with).
 */

export interface GrafanaTarget {
  readonly expr: string;
  readonly legend: string;
}

export interface GrafanaPanelSpec {
  readonly title: string;
  readonly description: string;
  readonly type: 'timeseries' | 'stat';
  readonly unit: string;
  readonly targets: readonly GrafanaTarget[];
  /** Stacked series (parts of a whole). */
  readonly stack?: boolean;
}

export interface GrafanaRowSpec {
  readonly title: string;
  readonly panels: readonly GrafanaPanelSpec[];
}

/** The PromQL filter every query of a dashboard carries: the instances the `$instance` variable selects. */
export const INSTANCE_FILTER = 'instance=~"$instance"';

export interface GrafanaDashboardOptions {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** What the import asks for: "The Prometheus that scrapes ...". */
  readonly datasourceDescription: string;
  /** A metric every instance exposes, for the `$instance` variable's values. */
  readonly instanceMetric: string;
  readonly rows: readonly GrafanaRowSpec[];
}

// Grafana's own variable syntax in plain strings, not JavaScript templates.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable
export const DATASOURCE_UID = '${datasource}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana import input
const IMPORT_INPUT = '${DS_PROMETHEUS}';
const DATASOURCE = { type: 'prometheus', uid: DATASOURCE_UID };

/** What Grafana's import adds to its dashboard model: the data source to ask for, and what the dashboard needs. */
interface ImportHeader {
  __inputs: {
    name: string;
    label: string;
    description: string;
    type: 'datasource';
    pluginId: string;
    pluginName: string;
  }[];
  __requires: { type: 'grafana' | 'datasource' | 'panel'; id: string; name: string; version: string }[];
}

/**
 * The dashboard's JSON model, Grafana schema 39 (Grafana 10/11), with `__inputs` for import. Typed by Grafana's own
 * schema types (@grafana/schema, generated from the schema Grafana validates dashboards with).
 */
export function buildGrafanaDashboard(options: GrafanaDashboardOptions): Dashboard & ImportHeader {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of options.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    const width = row.panels.length >= 4 ? 6 : 24 / row.panels.length;
    row.panels.forEach((spec, index) => {
      const perLine = 24 / width;
      panels.push({
        id: id++,
        type: spec.type,
        title: spec.title,
        description: spec.description,
        datasource: DATASOURCE,
        gridPos: { h: 8, w: width, x: (index % perLine) * width, y: y + Math.floor(index / perLine) * 8 },
        fieldConfig: {
          defaults: {
            unit: spec.unit,
            ...(spec.type === 'timeseries'
              ? {
                  custom: {
                    stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
                    fillOpacity: spec.stack ? 30 : 0,
                  },
                }
              : {}),
          },
          overrides: [],
        },
        options:
          spec.type === 'stat'
            ? {
                reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
                colorMode: 'value',
                graphMode: 'area',
              }
            : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi' } },
        targets: spec.targets.map((target, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DATASOURCE,
          expr: target.expr,
          legendFormat: target.legend,
        })),
      });
    });
    y += Math.ceil(row.panels.length / (24 / width)) * 8;
  }
  return {
    __inputs: [
      {
        name: 'DS_PROMETHEUS',
        label: 'Prometheus',
        description: options.datasourceDescription,
        type: 'datasource',
        pluginId: 'prometheus',
        pluginName: 'Prometheus',
      },
    ],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      { type: 'panel', id: 'timeseries', name: 'Time series', version: '' },
      { type: 'panel', id: 'stat', name: 'Stat', version: '' },
    ],
    uid: options.uid,
    title: options.title,
    description: options.description,
    tags: [...options.tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-24h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    annotations: { list: [] },
    links: [],
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Prometheus',
          type: 'datasource',
          query: 'prometheus',
          current: { text: IMPORT_INPUT, value: IMPORT_INPUT },
          hide: 0,
          refresh: 1,
          regex: '',
          options: [],
        },
        {
          name: 'instance',
          label: 'Instance',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: `label_values(${options.instanceMetric}, instance)`, refId: 'instances' },
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: '.+',
          current: { text: ['All'], value: ['$__all'] },
          sort: 1,
          hide: 0,
          regex: '',
          options: [],
        },
      ],
    },
    panels,
  };
}
