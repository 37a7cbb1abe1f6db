import { randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { SsoSession } from '../core/records.js';
import type { Registry } from '../core/registry.js';
import { xmlText } from '../core/responses.js';
import type { OutboundCall } from './outbound-http.js';

/** The SAML 2.0 LogoutRequest CAS sends (CAS 3.0.3, 2.3.3): the SessionIndex is the service ticket. */
export function logoutRequest(serviceTicket: string, now: Date): string {
  return `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${now.toISOString()}"><saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>${xmlText(serviceTicket)}</samlp:SessionIndex></samlp:LogoutRequest>`;
}

export type LogoutLog = (entry: {
  msg: string;
  serviceId: string;
  attempt: number;
  ok: boolean;
  reason?: string;
}) => void;

export interface SingleLogout {
  /**
   * Starts back-channel logout of every back-channel service of the session (POST `logoutRequest`), in the
   * background, retried with backoff; returns the front-channel URLs for the browser to load (`?logoutRequest=`
   * deflated and base64-encoded, as CAS servers send it).
   */
  start(session: SsoSession): { frontChannel: string[]; backChannel: Promise<void> };
}

export function createSingleLogout(options: {
  registry: () => Registry;
  call: OutboundCall;
  attempts: number;
  log: LogoutLog;
  onDelivery?: (ok: boolean) => void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}): SingleLogout {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));

  async function deliver(url: string, serviceId: string, body: string) {
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      try {
        const status = await options.call({ url, method: 'POST', form: { logoutRequest: body } });
        const ok = status >= 200 && status < 400;
        options.log({
          msg: 'back-channel logout',
          serviceId,
          attempt,
          ok,
          ...(ok ? {} : { reason: `HTTP ${status}` }),
        });
        if (ok) {
          options.onDelivery?.(true);
          return;
        }
      } catch (error) {
        options.log({
          msg: 'back-channel logout',
          serviceId,
          attempt,
          ok: false,
          reason: error instanceof Error ? error.message : 'error',
        });
      }
      if (attempt < options.attempts) await sleep(500 * 2 ** (attempt - 1));
    }
    options.onDelivery?.(false);
  }

  return {
    start(session) {
      const registry = options.registry();
      const frontChannel: string[] = [];
      const jobs: Promise<void>[] = [];
      for (const entry of session.services) {
        const service = registry.byId(entry.serviceId);
        if (!service || service.logout.type === 'none') continue;
        const url = service.logout.url?.href ?? entry.service;
        const body = logoutRequest(entry.ticket, now());
        if (service.logout.type === 'front-channel') {
          const target = new URL(url);
          target.searchParams.set('logoutRequest', deflateRawSync(body).toString('base64'));
          frontChannel.push(target.href);
        } else {
          jobs.push(deliver(url, service.id, body));
        }
      }
      return { frontChannel, backChannel: Promise.all(jobs).then(() => undefined) };
    },
  };
}
