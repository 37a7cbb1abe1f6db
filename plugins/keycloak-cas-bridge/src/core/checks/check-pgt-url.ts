import { isIP } from 'node:net';
import { CasError } from '../errors.js';
import { matches, parseServiceUrl } from '../service-url.js';
import type { Check } from './context.js';

/**
 * `pgtUrl` (CAS 3.0.3, 2.5.4): only for a service whose registry entry allows proxying; only https (plain http
 * only under the unsafe test switch); only where the service's proxy policy lets it point (its `callbacks` rules, by
 * default the origin of the service URL validated); never an IP address, nor a host resolving to a private, loopback
 * or link-local network, unless the policy allows private networks (a pgtUrl is chosen by whoever validates a
 * ticket: without this the bridge would call internal hosts for them, SSRF). The callback must answer 200 over a
 * trusted certificate within a total deadline. A pgtUrl the policy refuses fails the validation with
 * INVALID_PROXY_CALLBACK; a callback that does not answer 200 leaves the validation successful but without a PGT
 * IOU, as the spec requires.
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
  const refuse = (details: string) => new CasError('INVALID_PROXY_CALLBACK', 'cas.INVALID_PROXY_CALLBACK', { details });
  const host = new URL(parsed.url.href).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !service.proxy.allowPrivateNetworks) throw refuse('an IP address is not accepted');
  const validated = parseServiceUrl(ticket.service);
  const allowedHere =
    service.proxy.callbacks.length > 0
      ? service.proxy.callbacks.some((rule) => matches(rule, parsed.url))
      : validated.ok && validated.url.origin === parsed.url.origin;
  if (!allowedHere) throw refuse("not where this service's proxy policy allows callbacks");
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
  const outcome = await proxyCallback(parsed.url, record.id, iou, {
    allowPrivateNetworks: service.proxy.allowPrivateNetworks,
  });
  if (outcome === 'refused_address') throw refuse('its host is in a private, loopback or link-local network');
  if (outcome !== 'delivered') return;
  await store.putPgt(record);
  ctx.pgtUrl = parsed.url;
  ctx.pgt = { record, iou };
};
