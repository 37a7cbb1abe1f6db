import type { CoreDeps, PgtRecord, TicketRecord } from '../records.js';
import type { ResponseFormat } from '../responses.js';
import type { ServiceUrl } from '../service-url.js';

/** The validation endpoints, each with its pipeline (validation.ts); samlValidate is a POST, the others GETs. */
export const VALIDATION_ENDPOINTS = [
  'validate',
  'serviceValidate',
  'proxyValidate',
  'p3/serviceValidate',
  'p3/proxyValidate',
  'samlValidate',
] as const;
export type ValidationEndpoint = (typeof VALIDATION_ENDPOINTS)[number];

/** Query parameters as received: CAS parameters are case-sensitive (CAS 3.0.3, 2.x); unknown ones are ignored. */
export interface ValidationParams {
  readonly service?: string;
  readonly ticket?: string;
  readonly pgtUrl?: string;
  readonly renew?: string;
  readonly format?: string;
}

/** GETs pgtUrl with pgtId and pgtIou over https with a trusted certificate; true only on HTTP 200. */
/**
 * Calls the pgtUrl (CAS 3.0.3, 2.5.4) within a total deadline: `delivered` on a 200; `refused_address` when its host
 * resolves to a private, loopback or link-local address the service may not reach; `failed` otherwise.
 */
export type ProxyCallback = (
  url: ServiceUrl,
  pgtId: string,
  pgtIou: string,
  policy: { readonly allowPrivateNetworks: boolean },
) => Promise<'delivered' | 'refused_address' | 'failed'>;

export interface ValidationDeps extends CoreDeps {
  readonly newTicket: (kind: 'PGT' | 'PGTIOU') => string;
  readonly proxyCallback: ProxyCallback;
  /** Test-only (named as unsafe in the configuration): accept a pgtUrl over plain http. */
  readonly unsafeAllowHttpPgtUrl: boolean;
  /** The Issuer named in SAML 1.1 assertions (the bridge's host). */
  readonly issuer: string;
}

/** What the checks read and fill in, in pipeline order. */
export interface ValidationContext {
  readonly endpoint: ValidationEndpoint;
  readonly params: ValidationParams;
  readonly deps: ValidationDeps;
  format: ResponseFormat;
  service?: ServiceUrl;
  ticket?: TicketRecord;
  pgtUrl?: ServiceUrl;
  pgt?: { record: PgtRecord; iou: string };
}

export type Check = (ctx: ValidationContext) => Promise<void> | void;
