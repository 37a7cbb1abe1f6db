import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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
  return {
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
        this.set(await countSessions().catch(() => 0));
      },
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
