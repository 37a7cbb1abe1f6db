export {
  classify,
  createLaboiteClient,
  IDEMPOTENCY_HEADER,
  type LaboiteClient,
  type LaboiteClientOptions,
  type SendResult,
} from './adapters/laboite-client.js';
export { createOutboxMetrics, type OutboxMetrics } from './adapters/metrics.js';
export type { ClaimedDelivery, DeadLetter, OutboxStats, OutboxStore, Retention } from './adapters/outbox-store.js';
export { type BackoffPolicy, retryDelayMs } from './core/backoff.js';
export {
  type DeliveryPayload,
  type DeliveryTarget,
  type LaboiteNotificationBody,
  laboiteBody,
  type PlannedDelivery,
  planDeliveries,
} from './core/deliveries.js';
export { PortalEventsError, type PortalEventsErrorCode } from './core/errors.js';
export {
  EVENT_SPEC_VERSION,
  EVENT_TYPES,
  type PortalEvent,
  type PortalEventInput,
  type PortalEventType,
  parseEvent,
} from './core/events.js';
export { type Locale, type Localized, translate } from './core/i18n.js';
export {
  createDeliveryWorker,
  DEFAULTS,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  type RoundResult,
} from './delivery-worker.js';
export { type Clock, createOutbox, type EnqueueResult, enqueueSync, type Outbox, systemClock } from './outbox.js';
