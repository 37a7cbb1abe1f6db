import { type Localized, type MessageKey, translate } from './i18n.js';

/** The CAS protocol's own error codes (CAS 3.0.3, sections 2.5.3 and 2.7.2). */
export type CasErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_TICKET_SPEC'
  | 'UNAUTHORIZED_SERVICE_PROXY'
  | 'INVALID_PROXY_CALLBACK'
  | 'INVALID_TICKET'
  | 'INVALID_SERVICE'
  | 'UNAUTHORIZED_SERVICE'
  | 'INTERNAL_ERROR';

/**
 * A CAS protocol failure: `code` goes into `<cas:authenticationFailure code=...>`, `description` (English, as
 * clients log it) into its text, `userMessage` in both languages for pages.
 */
export class CasError extends Error {
  override readonly name = 'CasError';
  readonly userMessage: Localized;
  constructor(
    readonly code: CasErrorCode,
    key: MessageKey,
    values: Readonly<Record<string, string | number>> = {},
  ) {
    const userMessage = translate(key, values);
    super(userMessage.en);
    this.userMessage = userMessage;
  }
}

export type BridgeErrorCode = 'INVALID_REGISTRY' | 'INVALID_CONFIG' | 'STORE_UNAVAILABLE';

/** An error of the bridge itself (configuration, registry, store): a stable code, a log message, a bilingual one. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  readonly userMessage: Localized;
  constructor(
    readonly code: BridgeErrorCode,
    readonly details: readonly string[],
    options?: { cause?: unknown },
  ) {
    const userMessage = translate(`error.${code}`, { details: details.join('; ') });
    super(`${code}: ${userMessage.en}`, options);
    this.userMessage = userMessage;
  }
}
