import { CasError } from '../errors.js';
import { parseServiceUrl } from '../service-url.js';
import type { Check } from './context.js';

/**
 * `pgtUrl` (CAS 3.0.3, 2.5.4): only for a service whose registry entry allows proxying; only https (plain http
 * only under the unsafe test switch); the callback must answer 200 over a trusted certificate. An unauthorised or
 * insecure pgtUrl fails the validation with INVALID_PROXY_CALLBACK; a callback that does not answer 200 leaves the
 * validation successful but without a PGT IOU, as the spec requires.
 */
export const checkPgtUrl: Check = async (ctx) => {
  const raw = ctx.params.pgtUrl;
  if (raw === undefined || raw === '') return;
  const ticket = ctx.ticket;
  if (!ticket) throw new Error('checkPgtUrl runs after consumeTicket');
  const service = ctx.deps.registry().byId(ticket.serviceId);
  if (!service?.proxy.allowed) throw new CasError('UNAUTHORIZED_SERVICE_PROXY', 'cas.UNAUTHORIZED_SERVICE_PROXY');
  const parsed = parseServiceUrl(raw);
  if (!parsed.ok)
    throw new CasError('INVALID_PROXY_CALLBACK', 'cas.INVALID_PROXY_CALLBACK', { details: parsed.problem });
  if (!parsed.url.href.startsWith('https://') && !ctx.deps.unsafeAllowHttpPgtUrl) {
    throw new CasError('INVALID_PROXY_CALLBACK', 'cas.INVALID_PROXY_CALLBACK', { details: 'https is required' });
  }
  const { newTicket, now, store, proxyCallback } = ctx.deps;
  const session = await store.getSession(ticket.sessionId, now());
  if (session === null) return; // the SSO session ended since: no PGT can outlive it
  const record = {
    id: newTicket('PGT'),
    sessionId: session.id,
    proxyCallback: parsed.url.href,
    serviceId: service.id,
    proxies: ticket.proxies,
    expiresAt: session.expiresAt,
  };
  const iou = newTicket('PGTIOU');
  if (!(await proxyCallback(parsed.url, record.id, iou))) return;
  await store.putPgt(record);
  ctx.pgtUrl = parsed.url;
  ctx.pgt = { record, iou };
};
