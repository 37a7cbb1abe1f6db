import { buildGrafanaDashboard, type GrafanaRowSpec, INSTANCE_FILTER } from '@apps-education/build/grafana';

export { DATASOURCE_UID } from '@apps-education/build/grafana';

/**
 * The Grafana dashboard of the CAS bridge (an importable JSON model: `__inputs` asks for the Prometheus data source,
 * `$instance` picks one or several replicas by their monitoring address). One panel per metric family of the bridge:
 * logins, validations by endpoint and result, tickets issued, the store's latency and errors, single-logout
 * deliveries, back-channel logouts from the IdP, and the process. Rates are per minute over 5 minutes. `pnpm build`
 * writes it to dist/cas-bridge-dashboard.json; the tests run every expression against a real Prometheus scraping a
 * bridge.
 */

const I = INSTANCE_FILTER;
const perMinute = (metric: string, by: string, filter = '') =>
  `sum by (${by}) (rate(${metric}{${I}${filter}}[5m])) * 60`;

export const ROWS: readonly GrafanaRowSpec[] = [
  {
    title: 'Sign-ins / Connexions',
    panels: [
      {
        title: 'SSO sessions / Sessions SSO',
        description:
          'SSO sessions alive in the store (shared by the replicas on Redis: every replica shows the same count).',
        type: 'stat',
        unit: 'none',
        targets: [{ expr: `max(cas_bridge_sso_sessions{${I}})`, legend: 'sessions' }],
      },
      {
        title: 'Sign-ins per minute / Connexions par minute',
        description:
          'sso: from an existing session; idp: after signing in at the IdP; refused: not allowed to the service; error: the IdP or the store failed.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: perMinute('cas_bridge_logins_total', 'outcome'), legend: '{{outcome}}' }],
      },
      {
        title: 'Tickets issued per minute / Tickets émis par minute',
        description: 'ST: service tickets; PT: proxy tickets; PGT: proxy-granting tickets.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: perMinute('cas_bridge_tickets_issued_total', 'kind'), legend: '{{kind}}' }],
      },
    ],
  },
  {
    title: 'Validations',
    panels: [
      {
        title: 'Validations per minute by endpoint / Validations par minute et point d’accès',
        description: 'Ticket validations by the CAS endpoint the application called (proxy: /proxy).',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [{ expr: perMinute('cas_bridge_validations_total', 'endpoint'), legend: '{{endpoint}}' }],
      },
      {
        title: 'Validations per minute by result / Validations par minute et résultat',
        description:
          'success, or the CAS error code: INVALID_TICKET (used, expired or unknown: often a double submit), INVALID_SERVICE, INTERNAL_ERROR (the store failed)...',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: perMinute('cas_bridge_validations_total', 'result'), legend: '{{result}}' }],
      },
      {
        title: 'Validation time / Durée des validations',
        description: 'Time a ticket validation took, store included: median and 99th percentile.',
        type: 'timeseries',
        unit: 's',
        targets: [
          {
            expr: `histogram_quantile(0.5, sum by (le) (rate(cas_bridge_validation_duration_seconds_bucket{${I}}[5m])))`,
            legend: 'p50',
          },
          {
            expr: `histogram_quantile(0.99, sum by (le) (rate(cas_bridge_validation_duration_seconds_bucket{${I}}[5m])))`,
            legend: 'p99',
          },
        ],
      },
    ],
  },
  {
    title: 'Store / Stockage',
    panels: [
      {
        title: 'Store time, p99 / Durée des opérations du stockage, p99',
        description: 'Time each ticket-store operation took (SQLite or Redis), 99th percentile, by operation.',
        type: 'timeseries',
        unit: 's',
        targets: [
          {
            expr: `histogram_quantile(0.99, sum by (operation, le) (rate(cas_bridge_store_operation_duration_seconds_bucket{${I}}[5m])))`,
            legend: '{{operation}}',
          },
        ],
      },
      {
        title: 'Store operations per minute / Opérations du stockage par minute',
        description: 'How many operations each replica asks of the store.',
        type: 'timeseries',
        unit: 'none',
        stack: true,
        targets: [
          {
            expr: perMinute('cas_bridge_store_operation_duration_seconds_count', 'operation'),
            legend: '{{operation}}',
          },
        ],
      },
      {
        title: 'Store errors per minute / Erreurs du stockage par minute',
        description:
          'Operations that failed: store unreachable, or (Redis with waitReplicas) a write no replica acknowledged.',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: perMinute('cas_bridge_store_errors_total', 'operation'), legend: '{{operation}}' }],
      },
    ],
  },
  {
    title: 'Logout / Déconnexion',
    panels: [
      {
        title: 'Single-logout deliveries per minute / Déconnexions uniques envoyées par minute',
        description: 'Back-channel logout requests to the applications, delivered or failed after every attempt.',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: perMinute('cas_bridge_logout_deliveries_total', 'outcome'), legend: '{{outcome}}' }],
      },
      {
        title: 'Back-channel logouts from the IdP per minute / Déconnexions reçues du fournisseur par minute',
        description:
          'Logout tokens from Keycloak: ended (sessions ended), none (no session left), refused_<reason> (a check failed), unavailable (the IdP keys could not be read).',
        type: 'timeseries',
        unit: 'none',
        targets: [{ expr: perMinute('cas_bridge_backchannel_logouts_total', 'result'), legend: '{{result}}' }],
      },
    ],
  },
  {
    title: 'Process / Processus',
    panels: [
      {
        title: 'Event loop lag / Retard de la boucle d’événements',
        description: 'How late each replica runs what it has to do (p99): over 0.5 s, it is saturated.',
        type: 'timeseries',
        unit: 's',
        targets: [{ expr: `cas_bridge_nodejs_eventloop_lag_p99_seconds{${I}}`, legend: '{{instance}}' }],
      },
      {
        title: 'CPU / Processeur',
        description: 'Share of one core each replica uses.',
        type: 'timeseries',
        unit: 'percentunit',
        targets: [{ expr: `rate(cas_bridge_process_cpu_seconds_total{${I}}[5m])`, legend: '{{instance}}' }],
      },
      {
        title: 'Memory / Mémoire',
        description: 'Resident memory and JavaScript heap in use, per replica.',
        type: 'timeseries',
        unit: 'bytes',
        targets: [
          { expr: `cas_bridge_process_resident_memory_bytes{${I}}`, legend: 'resident {{instance}}' },
          { expr: `sum by (instance) (cas_bridge_nodejs_heap_size_used_bytes{${I}})`, legend: 'heap {{instance}}' },
        ],
      },
    ],
  },
];

export function buildDashboard() {
  return buildGrafanaDashboard({
    uid: 'apps-cas-bridge',
    title: 'CAS bridge (apps.education.fr)',
    description: 'Metrics of keycloak-cas-bridge / Métriques du pont CAS keycloak-cas-bridge',
    tags: ['cas', 'keycloak', 'apps.education.fr'],
    datasourceDescription: 'The Prometheus that scrapes the CAS bridge replicas',
    instanceMetric: 'cas_bridge_sso_sessions',
    rows: ROWS,
  });
}
