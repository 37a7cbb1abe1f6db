import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/**
 * Calls the bridge makes to services (pgtUrl callbacks, back-channel logout), on node:http(s) so that the trusted
 * certificate authorities are explicit: the system's, plus the administrator's extra CA file. No redirect is
 * followed (CAS 3.0.3, 2.5.4: a 3xx from the callback is not a 200).
 */
export interface OutboundOptions {
  readonly extraCa?: string;
  readonly timeoutMs: number;
}

export interface OutboundRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly form?: Record<string, string>;
}

export type OutboundCall = (request: OutboundRequest) => Promise<number>;

export function createOutbound(options: OutboundOptions): OutboundCall {
  const ca = options.extraCa ? [...rootCertificates, options.extraCa] : [...rootCertificates];
  return ({ url, method, form }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const headers: Record<string, string | number> = { 'user-agent': 'keycloak-cas-bridge' };
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(target, { method, headers, ca, rejectUnauthorized: true, timeout: options.timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error(`timeout after ${options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
