import { type DeliveryPayload, laboiteBody } from '../core/deliveries.js';
import { PortalEventsError } from '../core/errors.js';
import { type Locale, type Localized, translate } from '../core/i18n.js';

/** What happened to one POST: the worker retries `retry`, dead-letters `permanent`. */
export type SendResult =
  | { readonly outcome: 'delivered'; readonly portalId: string | null }
  | {
      readonly outcome: 'retry';
      readonly reason: string;
      readonly userMessage: Localized;
      /**
       * The request may have reached the portal and its answer was lost (a timeout, a connection cut after sending):
       * LaBoite ignores Idempotency-Key, so the retry may show the notification twice.
       */
      readonly answerLost: boolean;
    }
  | { readonly outcome: 'permanent'; readonly reason: string; readonly userMessage: Localized };

export interface LaboiteClientOptions {
  /** The portal's address, e.g. `https://portail.apps.education.fr`. */
  readonly baseUrl: string;
  /** One of the portal's `private.apiKeys`. */
  readonly apiKey: string;
  /** Language of the notifications (LaBoite stores one text): French by default. */
  readonly locale?: Locale;
  /** Every call is abandoned after this many milliseconds and retried later. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export interface LaboiteClient {
  /** The call's time limit, unless `send` is given a longer one (the worker's while the portal answers late). */
  readonly timeoutMs: number;
  send(payload: DeliveryPayload, idempotencyKey: string, options?: { timeoutMs?: number }): Promise<SendResult>;
}

/** Network errors where the request never reached the portal: retrying them cannot make a duplicate. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Calls one abort signal serves before a fresh one (fetch leaves a listener on it per call until GC). */
const SIGNAL_USES = 64;

/**
 * Meteor errors that no retry can fix (LaBoite 5.8 `notifications/server/rest.js`): connect-rest turns them into
 * HTTP 500, so the error code in the body is what tells them from a real server failure.
 */
const PERMANENT_METEOR_ERRORS: ReadonlyArray<
  readonly [string, 'delivery.unknownUser' | 'delivery.unknownGroup' | 'delivery.rejected']
> = [
  ['restapi.notifications.addNotifications.unknownUser', 'delivery.unknownUser'],
  ['restapi.notifications.addNotifications.unknownGroup', 'delivery.unknownGroup'],
  ['restapi.notifications.addNotifications.dataWithoutuserIdNorGroupId', 'delivery.rejected'],
  // SimpleSchema refusing the notification document (a field missing or of the wrong type).
  ['validation-error', 'delivery.rejected'],
];

function validBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new PortalEventsError('INVALID_CONFIG', { details: `baseUrl "${raw}" is not an absolute URL` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PortalEventsError('INVALID_CONFIG', {
      details: 'baseUrl must start with https:// (or http:// in tests)',
    });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new PortalEventsError('INVALID_CONFIG', {
      details: 'baseUrl must not hold credentials, a query or a fragment',
    });
  }
  return url;
}

export function createLaboiteClient(options: LaboiteClientOptions): LaboiteClient {
  const base = validBaseUrl(options.baseUrl);
  if (options.apiKey.trim() === '' || /[\r\n]/.test(options.apiKey)) {
    throw new PortalEventsError('INVALID_CONFIG', { details: 'apiKey is empty or holds a line break' });
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new PortalEventsError('INVALID_CONFIG', { details: 'timeoutMs must be an integer between 100 and 120000' });
  }
  const locale = options.locale ?? 'fr';
  const doFetch = options.fetch ?? fetch;
  const endpoint = new URL('api/notifications', base.href.endsWith('/') ? base : new URL(`${base.href}/`)).href;
  // Each call's time limit is a timer aborting a signal that this call alone holds while it runs. A signal comes
  // from this list of spare ones and goes back after the call (its body read to the end) unless it was aborted, for
  // up to SIGNAL_USES calls. A new AbortController per call, whose signal fetch then follows (a listener, a
  // listener limit, a finaliser), made a 270 µs POST 25 to 27 µs dearer than one without a limit in a paired
  // measurement here; a reused signal, 10 to 18 (AbortSignal.timeout: 30). Aborting a signal also reaches the calls
  // that used it before, which ended: fetch ignores an abort after the end of its response. The list holds at most
  // as many signals as calls ran at once.
  const spareSignals: { readonly controller: AbortController; uses: number }[] = [];

  return {
    timeoutMs,
    async send(payload, idempotencyKey, sendOptions = {}) {
      const limit = sendOptions.timeoutMs ?? timeoutMs;
      let response: Response;
      let text: string;
      const lease = spareSignals.pop() ?? { controller: new AbortController(), uses: 0 };
      lease.uses++;
      const timer = setTimeout(() => lease.controller.abort(new DOMException('timeout', 'TimeoutError')), limit);
      try {
        response = await doFetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'x-api-key': options.apiKey,
            [IDEMPOTENCY_HEADER]: idempotencyKey,
          },
          body: JSON.stringify(laboiteBody(payload, locale)),
          redirect: 'error',
          // No window and no redirect: fetch sends the request as is instead of cloning it (a tee of its body).
          window: null,
          signal: lease.controller.signal,
        });
        text = await response.text();
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        const details = timedOut ? `timeout after ${limit} ms` : describe(error);
        return {
          outcome: 'retry',
          reason: details,
          userMessage: translate('delivery.unavailable', { details }),
          answerLost: timedOut || !NOT_SENT.has(details),
        };
      } finally {
        clearTimeout(timer);
        if (!lease.controller.signal.aborted && lease.uses < SIGNAL_USES) spareSignals.push(lease);
      }
      return classify(response.status, text);
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ?? error.message;
}

/** Sorts the portal's answer into delivered, retry later, or never (exported for its own tests). */
export function classify(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', portalId: portalId(body) };
  if (status === 401 || status === 403) {
    return {
      outcome: 'permanent',
      reason: `HTTP ${status} unauthorized`,
      userMessage: translate('delivery.unauthorized'),
    };
  }
  for (const [code, key] of PERMANENT_METEOR_ERRORS) {
    if (body.includes(code)) return { outcome: 'permanent', reason: code, userMessage: translate(key, { status }) };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const details = `HTTP ${status}`;
    return {
      outcome: 'retry',
      reason: details,
      userMessage: translate('delivery.unavailable', { details }),
      // A proxy's 504: it gave up waiting for the portal, which may still have stored the notification.
      answerLost: status === 504,
    };
  }
  return {
    outcome: 'permanent',
    reason: `HTTP ${status} rejected`,
    userMessage: translate('delivery.rejected', { status }),
  };
}

/**
 * LaBoite answers the new notification's id (user form) or a sentence (group forms); the id may come JSON-encoded
 * or bare depending on the REST layer's version, so both are read. Anything else is not an id.
 */
function portalId(body: string): string | null {
  const text = body.trim();
  const bare = text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
  return /^[A-Za-z0-9]{1,64}$/.test(bare) ? bare : null;
}
