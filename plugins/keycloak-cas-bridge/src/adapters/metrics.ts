import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { VALIDATION_ENDPOINTS } from '../core/checks/context.js';

/** How long /metrics waits for the store's session count (Prometheus' scrape timeout is often 1 s to 10 s). */
const COUNT_DEADLINE_MS = 250;

/**
 * The bridge's /metrics, clean under `promtool check metrics`. prom-client's default Node metrics include three
 * gauges named `..._total` that fail that lint (shared/reference/prometheus.md): they are dropped.
 */
export function createBridgeMetrics(countSessions: () => Promise<number>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cas_bridge_' });
  for (const bad of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
    registry.removeSingleMetric(`cas_bridge_nodejs_${bad}`);
  }
  const registers = [registry];
  const metrics = {
    registry,
    logins: new Counter({
      name: 'cas_bridge_logins_total',
      help: 'Sign-ins at /login, by outcome (sso: from an existing session; idp: after the IdP; refused; error).',
      labelNames: ['outcome'],
      registers,
    }),
    validations: new Counter({
      name: 'cas_bridge_validations_total',
      help: 'Ticket validations by endpoint and result code (success or the CAS error code).',
      labelNames: ['endpoint', 'result'],
      registers,
    }),
    storeLatency: new Histogram({
      name: 'cas_bridge_store_operation_duration_seconds',
      help: 'Time each ticket-store operation took, by operation.',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    storeErrors: new Counter({
      name: 'cas_bridge_store_errors_total',
      help: 'Ticket-store operations that failed (store unreachable, a Redis write no replica acknowledged), by operation.',
      labelNames: ['operation'],
      registers,
    }),
    ticketsIssued: new Counter({
      name: 'cas_bridge_tickets_issued_total',
      help: 'Tickets issued by kind (ST: service ticket, PT: proxy ticket, PGT: proxy-granting ticket).',
      labelNames: ['kind'],
      registers,
    }),
    validationDuration: new Histogram({
      name: 'cas_bridge_validation_duration_seconds',
      help: 'Time a ticket validation took, store included.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    logoutDeliveries: new Counter({
      name: 'cas_bridge_logout_deliveries_total',
      help: 'Back-channel single-logout deliveries by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    backchannelLogouts: new Counter({
      name: 'cas_bridge_backchannel_logouts_total',
      help: "Back-channel logout tokens from the IdP, by result (ended: sessions ended; none: no session to end; refused: the token's checks failed, by reason).",
      labelNames: ['result'],
      registers,
    }),
    activeSessions: new Gauge({
      name: 'cas_bridge_sso_sessions',
      help: 'SSO sessions currently alive.',
      registers,
      async collect() {
        // A store that fails or hangs keeps the last value (the failure is in cas_bridge_store_errors_total), not 0,
        // and never holds the scrape past its deadline: Prometheus would see the bridge down, not its store.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), COUNT_DEADLINE_MS);
        });
        const count = await Promise.race([countSessions().catch(() => null), deadline]);
        clearTimeout(timer);
        if (count !== null) this.set(count);
      },
    }),
  };
  // Every expected series exists from the start at 0, so that rate() and the alert ratios have data before the first
  // event (a counter with labels is otherwise absent until then). Store errors are set up by instrumentStore.
  for (const outcome of ['sso', 'idp', 'refused', 'error']) metrics.logins.inc({ outcome }, 0);
  for (const endpoint of [...VALIDATION_ENDPOINTS, 'proxy'])
    for (const result of ['success', 'INVALID_TICKET', 'INTERNAL_ERROR'])
      metrics.validations.inc({ endpoint, result }, 0);
  for (const kind of ['ST', 'PT', 'PGT']) metrics.ticketsIssued.inc({ kind }, 0);
  for (const outcome of ['delivered', 'failed']) metrics.logoutDeliveries.inc({ outcome }, 0);
  for (const result of ['ended', 'none', 'unavailable']) metrics.backchannelLogouts.inc({ result }, 0);
  return metrics;
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
