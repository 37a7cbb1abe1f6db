import type { IdentityProvider } from '@apps-education/oidc-login';
import {
  buildMonitoringServer as buildKitMonitoringServer,
  registerGuardedMonitoring as registerKitMonitoring,
} from '@apps-education/service-kit';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TicketStore } from '../core/records.js';
import type { BridgeMetrics } from './metrics.js';

/**
 * Monitoring: /readyz (the store and the IdP answer) and /metrics (Prometheus), never openly on the public address:
 * on a listener of their own (buildMonitoringServer), or on the public address to a bearer token
 * (packages/service-kit, shared with bbb-upload).
 */
export interface MonitoringDeps {
  readonly store: TicketStore;
  readonly idp: IdentityProvider;
  readonly metrics: BridgeMetrics;
  readonly logger: FastifyBaseLogger;
}

const kit = (deps: MonitoringDeps) => ({
  checks: { store: () => deps.store.ping(), idp: () => deps.idp.ready() },
  registry: deps.metrics.registry,
  logger: deps.logger,
});

/** The monitoring listener: /readyz and /metrics (and /healthz), at the root of an address of their own. */
export function buildMonitoringServer(deps: MonitoringDeps): Promise<FastifyInstance> {
  return buildKitMonitoringServer(kit(deps));
}

/** /readyz and /metrics on the public address, to `Authorization: Bearer <monitoring.token>` only. */
export function registerGuardedMonitoring(
  app: FastifyInstance,
  basePath: string,
  token: string,
  deps: MonitoringDeps,
): void {
  registerKitMonitoring(app, basePath, token, kit(deps));
}
