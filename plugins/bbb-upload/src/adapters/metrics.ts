import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics (promtool-clean names; no label carries a person, room or file name). */
export function createServiceMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'bbb_upload_' });
  // Three default gauges are named `..._total`, which promtool refuses (shared/reference/prometheus.md).
  for (const bad of ['active_handles_total', 'active_requests_total', 'active_resources_total'])
    registry.removeSingleMetric(`bbb_upload_nodejs_${bad}`);
  return {
    registry,
    uploads: new Counter({
      name: 'bbb_upload_uploads_total',
      help: 'Documents uploaded, by outcome (accepted, refused).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'bbb_upload_upload_bytes_total',
      help: 'Bytes of the documents accepted.',
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'bbb_upload_rejections_total',
      help: 'Documents refused, by reason.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    meetingsStarted: new Counter({
      name: 'bbb_upload_meetings_started_total',
      help: 'Meetings created or joined from a room or a group, by kind (room, group) and whether it was new.',
      labelNames: ['kind', 'created'] as const,
      registers: [registry],
    }),
    documentFetches: new Counter({
      name: 'bbb_upload_document_fetches_total',
      help: 'Document links opened by BigBlueButton, by outcome (served, refused).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    bbbCalls: new Histogram({
      name: 'bbb_upload_bbb_call_duration_seconds',
      help: 'BigBlueButton API calls, by call and outcome (ok, error).',
      labelNames: ['call', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
